package argocd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

func script(t *testing.T) string {
	t.Helper()
	sc, err := Script()
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Run is Eval, failing t on an error.
func Run(t *testing.T, script string, obj map[string]any) Health {
	t.Helper()
	h, err := Eval(script, obj)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Every managed kind has the health check, and every copy is the script.
func TestConfigMapCoversEveryKind(t *testing.T) {
	root := harness.RepoRoot()
	b, err := os.ReadFile(filepath.Join(root, "cluster", "argocd", "argocd-cm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cm struct{ Data map[string]string }
	if err := yaml.Unmarshal(b, &cm); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "package", "crds", "*.yaml"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd extv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
		}
		if crd.Spec.Scope != extv1.NamespaceScoped || strings.Contains(crd.Name, "providerconfig") {
			continue
		}
		n++
		key := "resource.customizations.health." + crd.Spec.Group + "_" + crd.Spec.Names.Kind
		if got, ok := cm.Data[key]; !ok || strings.TrimSpace(got) != strings.TrimSpace(script(t)) {
			t.Errorf("argocd-cm.yaml: %s is missing or differs from health.lua (regenerate the snippet)", key)
		}
	}
	if n == 0 || len(cm.Data) != n {
		t.Errorf("argocd-cm.yaml has %d health checks for %d managed kinds", len(cm.Data), n)
	}
}

func cond(typ, status, reason, msg string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "message": msg}
}

func obj(conds ...map[string]any) map[string]any {
	l := make([]any, 0, len(conds))
	for _, c := range conds {
		l = append(l, c)
	}
	return map[string]any{"metadata": map[string]any{"name": "x"}, "status": map[string]any{"conditions": l}}
}

func TestHealth(t *testing.T) {
	deleting := obj(cond("Ready", "False", "Deleting", ""))
	deleting["metadata"].(map[string]any)["deletionTimestamp"] = "2026-12-01T00:00:00Z"
	cases := map[string]struct {
		reason string
		obj    map[string]any
		want   string
		msgHas string
	}{
		"New":       {reason: "Not observed yet.", obj: map[string]any{"metadata": map[string]any{"name": "x"}}, want: "Progressing"},
		"Ready":     {reason: "Ready and Synced.", obj: obj(cond("Ready", "True", "Available", ""), cond("Synced", "True", "ReconcileSuccess", "")), want: "Healthy"},
		"Throttled": {reason: "A usable resource whose poll was throttled is not Degraded.", obj: obj(cond("Ready", "True", "Available", ""), cond("Synced", "False", "ReconcileError", "cannot describe the DB instance: Throttling: Rate exceeded")), want: "Healthy", msgHas: "retried"},
		"Rejected": {reason: "Input the cloud rejects is terminal until the spec changes.", obj: obj(cond("Ready", "False", "Creating", ""), cond("Synced", "False", "ReconcileError", "rejected"),
			cond("InputRejected", "True", "CloudRejectedSpec", "the cloud rejected the spec of generation 2 as invalid: InvalidBucketName")), want: "Degraded", msgHas: "generation 2"},
		"Creating":    {reason: "Being created.", obj: obj(cond("Ready", "False", "Creating", "the table is CREATING"), cond("Synced", "True", "ReconcileSuccess", "")), want: "Progressing", msgHas: "CREATING"},
		"Transient":   {reason: "A transient error before Ready is retried: Progressing.", obj: obj(cond("Synced", "False", "ReconcileError", "connection refused")), want: "Progressing", msgHas: "Retrying"},
		"Unavailable": {reason: "An instance someone must fix (storage-full) is Degraded.", obj: obj(cond("Ready", "False", "Unavailable", "storage-full: someone must act"), cond("Synced", "True", "ReconcileSuccess", "")), want: "Degraded"},
		"Superseded":  {reason: "A rejection of an earlier generation no longer counts.", obj: obj(cond("Ready", "True", "Available", ""), cond("InputRejected", "False", "SpecChanged", "")), want: "Healthy"},
		"Deleting":    {reason: "Being deleted.", obj: deleting, want: "Progressing", msgHas: "Deleting"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// Through JSON, as Argo CD hands the live object to the script.
			b, _ := json.Marshal(tc.obj)
			var o map[string]any
			_ = json.Unmarshal(b, &o)
			got := Run(t, script(t), o)
			if got.Status != tc.want || !strings.Contains(got.Message, tc.msgHas) {
				t.Errorf("%s\nhealth %q %q, want %q with %q", tc.reason, got.Status, got.Message, tc.want, tc.msgHas)
			}
		})
	}
}
