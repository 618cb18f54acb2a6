package kindtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Unmanaged holds a kind's comparison to its table's Compare and Unset columns, for every field the table declares,
// so that a field added to the table is checked without a test written for it.
//
// changes returns the names of the change list Observe reports for a spec against one cloud resource, and specs set
// the fields the kind lets change to values other than that resource's (several specs where fields exclude each
// other, such as a billing mode and the capacity it ignores). The resource holds values other than the cloud's
// defaults (a boolean its non-default side, the spec the default), so that a comparison reading an omitted field
// as the default is caught.
//   - Seen: every field the table declares compared (not NotCompared) and not Refused is named by the changes of
//     some spec: a field the comparison overlooked would never be brought back.
//   - Unmanaged: every field the table declares Unmanaged is set by some spec, and omitted from that spec it is
//     not named by its changes: an omitted field is never changed in the cloud (rule 3), whatever the cloud holds.
//
// A field is omitted by removing its path from the spec's JSON, as a user who leaves it out of the YAML does.
func Unmanaged[P any](t *testing.T, fields managedkind.Fields, changes func(P) ([]string, error), specs ...P) {
	t.Helper()
	seen, set := map[string]bool{}, map[string]bool{}
	for i, full := range specs {
		names, err := changes(full)
		if err != nil {
			t.Fatalf("changes of spec %d: %v", i, err)
		}
		for _, path := range Declared(t, fields, names) {
			seen[path] = true
		}
		for _, f := range fields {
			p, ok := omit(t, full, f.Path)
			if f.Unset != managedkind.Unmanaged || !ok {
				continue
			}
			set[f.Path] = true
			t.Run(fmt.Sprintf("%d/%s", i, f.Path), func(t *testing.T) {
				names, err := changes(p)
				if err != nil {
					t.Fatalf("changes with %s omitted: %v", f.Path, err)
				}
				if slices.Contains(Declared(t, fields, names), f.Path) {
					t.Errorf("Unmanaged: %s is omitted from the spec, but the change list %v would change it in the cloud", f.Path, names)
				}
			})
		}
	}
	for _, f := range fields {
		if f.Compare != managedkind.NotCompared && f.Effect != managedkind.Refused && !seen[f.Path] {
			t.Errorf("Seen: %s differs from the cloud in a spec, but no change list names it", f.Path)
		}
		if f.Unset == managedkind.Unmanaged && !set[f.Path] {
			t.Errorf("Unmanaged: no spec sets %s, so its omission is not checked", f.Path)
		}
	}
}

// omit returns p without the field at path ("tags", "retentionPolicy.locked"), through its JSON; false when p does
// not set it.
func omit[P any](t *testing.T, p P, path string) (P, bool) {
	t.Helper()
	var out P
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	keys := strings.Split(path, ".")
	parent := m
	for _, k := range keys[:len(keys)-1] {
		next, ok := parent[k].(map[string]any)
		if !ok {
			return out, false
		}
		parent = next
	}
	last := keys[len(keys)-1]
	if v, ok := parent[last]; !ok || v == nil {
		return out, false
	}
	delete(parent, last)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out, true
}

// DiffNames splits an ExternalObservation's Diff into the change list's names, as the reconciler's drift event
// names them; an empty Diff is no change.
func DiffNames(diff string) []string {
	if diff == "" {
		return nil
	}
	return strings.Split(diff, "; ")
}
