package plan

import (
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// maxNote is how much of a field's note a warning carries: the API server cuts warnings past 4 KiB in all to 256
// characters each.
const maxNote = 120

// Warnings are what an admission webhook tells the writer of an update (old to cur) or a delete (cur nil) of a
// managed resource: one line per consequential change — anything but a change applied in place — and what a
// delete does to the cloud resource, from the same table and rules as the plan, so that the two cannot disagree.
// They are Kubernetes admission warnings: kubectl prints them, for dry runs too, so `kubectl apply
// --dry-run=server`, Argo CD's server-side diff and crossplane-diff show them to a reviewer with no new tooling.
func Warnings(k Kind, old, cur *unstructured.Unstructured) []string {
	if cur == nil {
		what, _ := deletion(k, old)
		return []string{"deleting this resource " + what}
	}
	before, _, _ := unstructured.NestedMap(old.Object, "spec", "forProvider")
	after, _, _ := unstructured.NestedMap(cur.Object, "spec", "forProvider")
	var out []string
	for _, c := range changes(k.FieldTable(), old, cur) {
		w, ok := warning(c)
		if n, of := dropped(before, after, strings.TrimPrefix(c.Field, "spec.forProvider.")); n > 0 && c.Effect != Released {
			// Removing list entries (lifecycle rules, indexes) is worth a word even where the change is in place;
			// the count says more than the lists would.
			w, ok = fmt.Sprintf("%s: this change drops %d of its %d entries", c.Field, n, of), true
			if c.Effect != string(managedkind.InPlace) {
				w += ": " + effect(c) + note(c)
			}
		}
		if ok {
			out = append(out, w)
		}
	}
	return out
}

// warning is the line of one field change, if it is consequential.
func warning(c FieldChange) (string, bool) {
	values := c.Current + " -> " + c.Desired
	switch c.Effect {
	case string(managedkind.InPlace):
		return "", false
	case string(managedkind.Refused):
		return fmt.Sprintf("%s %s: cannot change; the provider refuses this update and the resource stays unsynced "+
			"(delete and re-create the resource to change it)", c.Field, values), true
	case Released:
		return fmt.Sprintf("%s omitted: no longer managed; the cloud keeps its value (%s)", c.Field, c.Current), true
	case Unknown:
		return fmt.Sprintf("%s %s: the provider's field table does not say what this does", c.Field, values), true
	}
	return fmt.Sprintf("%s %s: %s", c.Field, values, effect(c)) + note(c), true
}

// note is what a warning says of why: the table's note of a change that cannot be undone or takes long.
func note(c FieldChange) string {
	if c.Note == "" || (c.Effect != string(managedkind.Irreversible) && c.Effect != string(managedkind.LongRunning)) {
		return ""
	}
	return " (" + cut(c.Note, maxNote) + ")"
}

// dropped counts the entries of the list at path that the new spec no longer has, and the entries it had.
func dropped(before, after map[string]any, path string) (int, int) {
	a, _ := managedkind.ValueAt(before, path, "")
	b, _ := managedkind.ValueAt(after, path, "")
	la, ok := a.([]any)
	if !ok {
		return 0, 0
	}
	lb, _ := b.([]any)
	n := 0
	for _, e := range la {
		if !containsValue(lb, e) {
			n++
		}
	}
	return n, len(la)
}

func containsValue(l []any, v any) bool {
	for _, e := range l {
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
