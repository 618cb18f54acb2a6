package kindtest

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// A Change is what one case of a kind's change-list test gave: the names of the kind's change list (or the error
// that refused the spec), and the declared fields they must fall under, in order.
type Change struct {
	Reason string
	Names  []string
	Err    error
	Want   []string
}

// DeclaredChanges holds a kind's change lists to its field table: run turns each case into the change list the
// kind's Changes gives for it, and each case's subtest checks that every name is declared, that none falls under a
// field declared Refused (an update would send it), and that they fall under Want. Each field that can change must
// be some case's Want, so a change name the table stops declaring fails.
func DeclaredChanges[C any](t *testing.T, fields managedkind.Fields, cases map[string]C, run func(C) Change) {
	t.Helper()
	covered := map[string]bool{}
	for name, tc := range cases {
		c := run(tc)
		for _, p := range c.Want {
			covered[p] = true
		}
		t.Run(name, func(t *testing.T) {
			if c.Err != nil {
				t.Fatal(c.Err)
			}
			if unknown := fields.Unknown(c.Names); len(unknown) > 0 {
				t.Fatalf("%s\nchanges the field table does not declare: %v", c.Reason, unknown)
			}
			var got []string
			for _, n := range c.Names {
				f, _ := fields.Lookup(n)
				if f.Effect == managedkind.Refused {
					t.Errorf("%s\n%q is sent in an update, but the table declares %s refused", c.Reason, n, f.Path)
				}
				got = append(got, f.Path)
			}
			if diff := cmp.Diff(c.Want, got); diff != "" {
				t.Errorf("%s\ndeclared fields of the changes: -want, +got:\n%s", c.Reason, diff)
			}
		})
	}
	var missing []string
	for _, f := range fields {
		if f.Effect != managedkind.Refused && !covered[f.Path] {
			missing = append(missing, f.Path)
		}
	}
	if len(missing) > 0 {
		t.Errorf("fields that can change without a case here: %v", missing)
	}
}

// RefusedPaths lists, sorted, the fields the table declares Refused: those the code must refuse to change.
func RefusedPaths(fields managedkind.Fields) []string {
	var out []string
	for _, f := range fields {
		if f.Effect == managedkind.Refused {
			out = append(out, f.Path)
		}
	}
	slices.Sort(out)
	return out
}
