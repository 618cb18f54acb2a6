package plan

import (
	"encoding/json"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// lastAppliedAnnotation is where kubectl's client-side apply (and Argo CD's, by default) records what it applied.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// applied is what applying manifest over live leaves in what a plan compares (metadata.annotations and spec): what
// the manifest sets, and of what it omits, what the live object holds unless the last apply set it. Apply removes
// only fields it set before: the external name Crossplane writes, a value a reference resolved into, a CRD's
// default stay. What the last apply set is read from the cluster (lastApplied); when the cluster does not record
// it (an object made by create), nothing the manifest omits is removed, as apply would.
func applied(live, manifest *unstructured.Unstructured) *unstructured.Unstructured {
	prev := lastApplied(live)
	out := manifest.DeepCopy()
	if spec, ok := overlay(live.Object["spec"], manifest.Object["spec"], prev["spec"]).(map[string]any); ok {
		out.Object["spec"] = spec
	}
	la, _, _ := unstructured.NestedMap(live.Object, "metadata", "annotations")
	ma, _, _ := unstructured.NestedMap(manifest.Object, "metadata", "annotations")
	pm, _ := prev["metadata"].(map[string]any)
	if a, ok := overlay(la, ma, pm["annotations"]).(map[string]any); ok && len(a) > 0 {
		delete(a, lastAppliedAnnotation)
		_ = unstructured.SetNestedMap(out.Object, a, "metadata", "annotations")
	}
	return out
}

// overlay is what apply makes of the manifest's value m over the live value l, prev being what the last apply set
// there (nil when unknown). Maps merge: a key the manifest omits is kept unless the last apply set it. A list is the
// manifest's, but an element the live list holds at the same place, with everything the manifest's element says,
// is the live one: the API server defaults inside a list's elements too (a lifecycle rule's enabled).
func overlay(l, m, prev any) any {
	switch mt := m.(type) {
	case map[string]any:
		lm, ok := l.(map[string]any)
		if !ok {
			return m
		}
		pm, _ := prev.(map[string]any)
		out := make(map[string]any, len(lm)+len(mt))
		for k, v := range mt {
			out[k] = overlay(lm[k], v, pm[k])
		}
		for k, v := range lm {
			_, set := mt[k]
			_, was := pm[k]
			if !set && !was {
				out[k] = v
			}
		}
		return out
	case []any:
		ll, ok := l.([]any)
		if !ok || len(ll) != len(mt) {
			return m
		}
		pl, _ := prev.([]any)
		out := make([]any, len(mt))
		for i, e := range mt {
			var p any
			if i < len(pl) {
				p = pl[i]
			}
			out[i] = e
			if contains(ll[i], e) {
				out[i] = overlay(ll[i], e, p)
			}
		}
		return out
	case nil:
		return nil
	}
	return m
}

// contains says whether a holds everything b says: equal, or for maps every key of b with a value a contains.
func contains(a, b any) bool {
	bm, ok := b.(map[string]any)
	if !ok {
		return reflect.DeepEqual(a, b)
	}
	am, ok := a.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range bm {
		if !contains(am[k], v) {
			return false
		}
	}
	return true
}

// lastApplied is what the last apply set, as the cluster records it: kubectl's last-applied-configuration (the
// object it applied), else the fields server-side apply records as set by an Apply (Flux, kubectl
// --server-side), each as a tree of the fields' names. Nil when neither is there.
func lastApplied(live *unstructured.Unstructured) map[string]any {
	if s := live.GetAnnotations()[lastAppliedAnnotation]; s != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err == nil {
			return m
		}
	}
	var out map[string]any
	for _, mf := range live.GetManagedFields() {
		if mf.Operation != "Apply" || mf.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(mf.FieldsV1.Raw, &fields); err != nil {
			continue
		}
		out = union(out, fieldNames(fields))
	}
	return out
}

// fieldNames turns server-side apply's field set ({"f:spec": {"f:forProvider": {"f:tags": {}}}}) into a tree of
// names. The elements of a list are left out: a list is set whole.
func fieldNames(fields map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range fields {
		name, ok := strings.CutPrefix(k, "f:")
		if !ok {
			continue
		}
		sub, _ := v.(map[string]any)
		out[name] = fieldNames(sub)
	}
	return out
}

func union(a, b map[string]any) map[string]any {
	if a == nil {
		return b
	}
	for k, v := range b {
		am, aok := a[k].(map[string]any)
		bm, bok := v.(map[string]any)
		if aok && bok {
			a[k] = union(am, bm)
			continue
		}
		if _, ok := a[k]; !ok {
			a[k] = v
		}
	}
	return a
}
