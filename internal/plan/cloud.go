package plan

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// withCloud sets on each change of a live resource what the provider last saw in the cloud: status.atProvider at
// the field's Observed path (its own path when the table sets none), and whether that differs from the live spec
// (Drift). A sensitive field never gets a value, and neither does a field atProvider does not report.
func withCloud(fields managedkind.Fields, live *unstructured.Unstructured, cs []FieldChange) {
	if live == nil {
		return
	}
	spec, _, _ := unstructured.NestedMap(live.Object, "spec", "forProvider")
	observed, _, _ := unstructured.NestedMap(live.Object, "status", "atProvider")
	if len(observed) == 0 {
		return
	}
	for i := range cs {
		name, ok := strings.CutPrefix(cs[i].Field, "spec.forProvider.")
		if !ok {
			continue
		}
		f, ok := fields.Lookup(name)
		if !ok || f.Sensitive {
			continue
		}
		rest := name[len(f.Path):]
		cloud, reported := f.Cloud(observed, rest)
		if !reported {
			continue
		}
		cs[i].Cloud = managedkind.Show(cloud)
		if v, set := managedkind.ValueAt(spec, f.Path, rest); set {
			cs[i].Drift = cloudDiffers(f.Compare, v, cloud)
		}
	}
}

// cloudDiffers says whether the cloud's value differs from the spec's where the plan can tell as the reconciler
// does: a single value compared by value (or a map's key), a set of values. A value compared by meaning (a policy
// document, a duration, a case the cloud ignores) is not judged: the cloud may spell the same meaning otherwise.
func cloudDiffers(c managedkind.Compare, spec, cloud any) bool {
	switch c {
	case managedkind.ByValue, managedkind.AsKeys:
		// The cloud reports "30" for 30, "true" for true: compared as printed. A whole map or list is not judged:
		// atProvider may report it with more (the provider's own tags) or otherwise shaped.
		return scalar(spec) && scalar(cloud) && managedkind.Show(spec) != managedkind.Show(cloud)
	case managedkind.AsSet:
		return scalars(spec) && scalars(cloud) && !same(managedkind.AsSet, stringsOf(spec), stringsOf(cloud))
	}
	return false
}

func scalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any, nil:
		return false
	}
	return true
}

func scalars(v any) bool {
	l, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range l {
		if !scalar(e) {
			return false
		}
	}
	return true
}

// stringsOf prints each element, so that 5 and "5" are one member.
func stringsOf(v any) []any {
	l, _ := v.([]any)
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = managedkind.Show(e)
	}
	return out
}
