package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanDemo plans the demo change make plan-demo shows (examples/plan-demo over examples/local, as
// hack/plan-demo.sh assembles it) against its golden file: the demo keeps showing a restart, a long-running and an
// irreversible change, a released field, a create and a delete, and keeps applying to the examples as they are.
func TestPlanDemo(t *testing.T) {
	root := filepath.Join("..", "..")
	after := t.TempDir()
	for _, glob := range []string{"examples/local/*.yaml", "examples/plan-demo/*.yaml"} {
		files, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", glob, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(after, filepath.Base(f)), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	removed, err := os.ReadFile(filepath.Join(root, "examples", "plan-demo", "removed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(removed)) {
		if err := os.Remove(filepath.Join(after, f)); err != nil {
			t.Fatalf("removed.txt names %s, which examples/local does not have: %v", f, err)
		}
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{filepath.Join(root, "examples", "local"), after}, nil, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	checkGolden(t, "plan-demo.text", out.String())
}
