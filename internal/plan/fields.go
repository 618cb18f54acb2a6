package plan

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

const (
	unset      = "(unset)"
	sensitive  = "(sensitive)"
	sensitiveC = "(sensitive, changed)"
	// externalName is the annotation holding the cloud resource's name.
	externalName = "crossplane.io/external-name"
)

// changes lists the fields that differ between o and n, in the table's order, then any difference under
// spec.forProvider the table does not declare.
func changes(fields managedkind.Fields, o, n *unstructured.Unstructured) []FieldChange {
	var out []FieldChange
	if a, b := o.GetAnnotations()[externalName], n.GetAnnotations()[externalName]; a != b && a != "" {
		out = append(out, FieldChange{
			Field: "metadata.annotations[" + externalName + "]", Current: a, Desired: or(b, unset), Effect: string(managedkind.Refused),
			Note: "the cloud resource's name: the provider refuses to point a resource at another one",
		})
	}
	if a, b := policies(o), policies(n); !reflect.DeepEqual(a, b) {
		out = append(out, FieldChange{
			Field: "spec.managementPolicies", Current: managedkind.Show(a), Desired: managedkind.Show(b), Effect: string(managedkind.InPlace), When: "now",
			Note: "what the provider may do to the cloud resource from now on",
		})
	}
	before, _, _ := unstructured.NestedMap(o.Object, "spec", "forProvider")
	after, _, _ := unstructured.NestedMap(n.Object, "spec", "forProvider")
	applyNow, _, _ := unstructured.NestedBool(after, "applyImmediately")
	for _, f := range fields {
		out = append(out, fieldChanges(f, subfields(fields, f.Path), before, after, applyNow)...)
	}
	for _, k := range undeclared(fields, before, after) {
		c := FieldChange{Field: "spec.forProvider." + k, Current: managedkind.Show(before[k]), Desired: managedkind.Show(after[k]), Effect: Unknown}
		if f, ok := referenced(fields, k); ok {
			// topicRef, topicSelector: the reference resolves into the field, so a change of it is a change of the field.
			c.Effect, c.When, c.Source = string(f.Effect), when(f, applyNow), f.Source
			c.Note = "a reference, resolved into spec.forProvider." + f.Path + " when applied"
		}
		out = append(out, c)
	}
	if managedkind.OnlyObserves(toPolicies(policies(n))) {
		// Nothing is sent to a resource that only observes: each change waits for writes (WouldChange reports it).
		for i := range out {
			if out[i].When != "" && out[i].Field != "spec.managementPolicies" {
				out[i].When = WhenWritesAllowed
			}
		}
	}
	return out
}

// WhenWritesAllowed is when a change of a resource whose management policies only observe happens.
const WhenWritesAllowed = "once spec.managementPolicies allow writes (they only observe)"

func toPolicies(p []string) xpv2.ManagementPolicies {
	out := make(xpv2.ManagementPolicies, 0, len(p))
	for _, a := range p {
		out = append(out, xpv2.ManagementAction(a))
	}
	return out
}

// referenced is the declared field a reference or selector key resolves into (topicRef, topicSelector: topic).
func referenced(fields managedkind.Fields, k string) (managedkind.Field, bool) {
	for _, suffix := range []string{"Ref", "Selector"} {
		if stem, ok := strings.CutSuffix(k, suffix); ok {
			if f, ok := fields.Lookup(stem); ok && f.Path == stem {
				return f, true
			}
		}
	}
	return managedkind.Field{}, false
}

// fieldChanges compares one declared field, leaving out the fields under it the table declares apart (subs, such
// as retentionPolicy.locked under retentionPolicy).
func fieldChanges(f managedkind.Field, subs []string, before, after map[string]any, applyNow bool) []FieldChange {
	a, hadA := managedkind.ValueAt(before, f.Path, "")
	b, hasB := managedkind.ValueAt(after, f.Path, "")
	a, b = without(a, subs), without(b, subs)
	path := "spec.forProvider." + f.Path
	change := FieldChange{
		Field: path, Current: managedkind.Show(a), Desired: managedkind.Show(b), Effect: string(f.Effect), When: when(f, applyNow),
		Note: f.Note, Source: f.Source,
	}
	switch {
	case !hadA && !hasB, same(f.Compare, a, b):
		return nil
	case hadA && !hasB && f.Unset == managedkind.Unmanaged:
		change.Effect, change.When, change.Source = Released, "", ""
		change.Note = "omitted, the field is no longer managed: nothing is sent, and the cloud keeps the value it has"
	case f.Effect == managedkind.Refused && hadA && hasB:
		// TestFieldTables holds every Refused field to the CRD's rule self == oldSelf, which judges a field set on
		// both sides: this edit never reaches the provider.
		change.Note = join("immutable: the API server rejects this edit; delete and re-create the resource to change it", f.Note)
	case f.Effect == managedkind.Refused && hasB:
		// The CRD's rule does not judge a field the old object leaves out.
		change.Note = join("the CRD lets an unset field be set, but the provider refuses the update unless the cloud resource "+
			"already has this value: the resource stays unsynced", f.Note)
	case f.Effect == managedkind.Refused:
		change.Note = join("the CRD lets the field be omitted, but the provider refuses the update: the resource stays unsynced", f.Note)
	case hadA && !hasB && f.Unset == managedkind.ProviderDefault:
		change.Desired = "(the provider's default)"
	}
	if f.Compare == managedkind.AsKeys && change.Effect != Released {
		return keyChanges(change, a, b)
	}
	if f.Sensitive {
		change.Current, change.Desired = sensitive, sensitiveC
	}
	return []FieldChange{change}
}

// keyChanges splits a map's change into one per key that differs ("tags[team]"). A key the new map leaves out is
// removed from the cloud (once the map is set, it is the whole set but the reserved and ignored prefixes).
func keyChanges(c FieldChange, a, b any) []FieldChange {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	keys := map[string]bool{}
	for k := range am {
		keys[k] = true
	}
	for k := range bm {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []FieldChange
	for _, k := range sorted {
		va, inA := am[k]
		vb, inB := bm[k]
		if inA && inB && reflect.DeepEqual(va, vb) {
			continue
		}
		kc := c
		kc.Field = c.Field + "[" + k + "]"
		kc.Current, kc.Desired = managedkind.Show(va), managedkind.Show(vb)
		if !inA {
			kc.Current = unset
		}
		if !inB {
			kc.Desired = "(removed)"
		}
		out = append(out, kc)
	}
	return out
}

// when says when a change of f happens, following the resource's own applyImmediately where the cloud does.
func when(f managedkind.Field, applyNow bool) string {
	switch {
	case f.Effect == managedkind.Refused:
		return ""
	case f.When == managedkind.MaintenanceWindow:
		return "in the maintenance window"
	case f.When == managedkind.ApplyImmediately && applyNow:
		return "now (applyImmediately: true)"
	case f.When == managedkind.ApplyImmediately:
		return "in the maintenance window (applyImmediately is not true)"
	}
	return "now"
}

// same compares two values of a field as its table says the reconciler does, as far as manifests allow: lists
// compared as a set without order; everything else as written (a field compared by meaning — a policy document,
// a duration — may differ only in how it is spelled, which its note says).
func same(c managedkind.Compare, a, b any) bool {
	if c == managedkind.AsSet {
		return reflect.DeepEqual(canonicalSet(a), canonicalSet(b))
	}
	return reflect.DeepEqual(a, b)
}

func canonicalSet(v any) []string {
	l, ok := v.([]any)
	if !ok {
		return []string{managedkind.Show(v)}
	}
	out := make([]string, 0, len(l))
	for _, e := range l {
		b, _ := json.Marshal(e)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// subfields are the keys of the fields the table declares directly under path.
func subfields(fields managedkind.Fields, path string) []string {
	var out []string
	for _, f := range fields {
		if rest, ok := strings.CutPrefix(f.Path, path+"."); ok && !strings.Contains(rest, ".") {
			out = append(out, rest)
		}
	}
	return out
}

// without is v, a map, less keys; anything else as it is.
func without(v any, keys []string) any {
	m, ok := v.(map[string]any)
	if !ok || len(keys) == 0 {
		return v
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = e
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// undeclared lists, sorted, the keys under spec.forProvider that differ and that no declared field covers.
func undeclared(fields managedkind.Fields, before, after map[string]any) []string {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if _, ok := fields.Lookup(k); ok || reflect.DeepEqual(before[k], after[k]) || covers(fields, k) {
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// covers: some declared path lies under k ("retentionPolicy" for "retentionPolicy.locked").
func covers(fields managedkind.Fields, k string) bool {
	for _, f := range fields {
		if strings.HasPrefix(f.Path, k+".") {
			return true
		}
	}
	return false
}

func policies(o *unstructured.Unstructured) []string {
	p, found, _ := unstructured.NestedStringSlice(o.Object, "spec", "managementPolicies")
	if !found || len(p) == 0 {
		return []string{"*"}
	}
	return p
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
