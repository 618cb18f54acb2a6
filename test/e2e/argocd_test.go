//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stateful-dev/provider-stateful/internal/devstack/stack"
	"github.com/stateful-dev/provider-stateful/test/argocd"
)

// An argoCase is a live object and what Argo CD must show for it.
type argoCase struct {
	kind, namespace, name string
	status, msgHas        string
}

// checkArgoHealth runs cluster/argocd/health.lua, in the Lua interpreter Argo CD uses, on live objects of the
// stack — status as this provider and crossplane-runtime really write it — and keeps each object beside the logs.
func checkArgoHealth(t *testing.T, s *stack.Stack, kubectl func(...string) string, cases []argoCase) {
	t.Helper()
	script, err := argocd.Script()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.Dir(), "argocd")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		raw := kubectl("get", c.kind, "-n", c.namespace, c.name, "-o", "json")
		_ = os.WriteFile(filepath.Join(dir, c.kind+"-"+c.name+".json"), []byte(raw), 0o600)
		var obj map[string]any
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			t.Fatal(err)
		}
		h, err := argocd.Eval(script, obj)
		if err != nil {
			t.Fatal(err)
		}
		if h.Status != c.status || !strings.Contains(h.Message, c.msgHas) {
			t.Errorf("Argo CD health of %s %s/%s: %q %q, want %q with %q", c.kind, c.namespace, c.name, h.Status, h.Message, c.status, c.msgHas)
		}
	}
}
