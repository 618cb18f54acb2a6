package kindtest

import (
	"testing"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Declared resolves each name of a change list to the declared field that explains it, and fails the test on a
// name the kind's table does not know: a change the plan and the docs could not explain.
func Declared(t *testing.T, fields managedkind.Fields, names []string) []string {
	t.Helper()
	if u := fields.Unknown(names); len(u) > 0 {
		t.Fatalf("changes %v are not declared in the kind's fields.go", u)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		f, _ := fields.Lookup(n)
		out = append(out, f.Path)
	}
	return out
}
