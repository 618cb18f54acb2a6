package plan

import (
	"context"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// A Drift is a field the cloud holds otherwise than the live spec, as the cloud says now (--refresh), and what
// becomes of it.
type Drift struct {
	// Field is the path as written: "spec.forProvider.visibilityTimeout", "spec.forProvider.tags[team]".
	Field string `json:"field"`
	// Spec is the live spec's value, and Cloud the cloud's now (status.atProvider as the kind's Observe fills it);
	// Cloud is empty when atProvider does not report the field. A sensitive field shows neither.
	Spec  string `json:"spec"`
	Cloud string `json:"cloud,omitempty"`
	// Reverted is what becomes of it (RevertedBy…).
	Reverted string `json:"reverted"`
}

// What becomes of a drifted field.
const (
	// RevertedByMerge: the merge changes the field, and applying it writes the desired value over the cloud's.
	RevertedByMerge = "merge"
	// RevertedByProvider: the merge leaves the field as it is, and the provider reverts it on its next poll,
	// merged or not.
	RevertedByProvider = "provider"
	// RevertedHeld: the resource holds drift for review (stateful.dev/drift: hold) and the merge changes nothing
	// of it: reverted only once a person approves.
	RevertedHeld = "held"
	// RevertedKept: the merged spec has the cloud's value: nothing is reverted.
	RevertedKept = "kept"
	// RevertedObserveOnly: the management policies only observe: nothing is written.
	RevertedObserveOnly = "observe-only"
	// RevertedPaused: the resource is paused (crossplane.io/paused: "true") after the merge: the provider does not
	// reconcile it until it is unpaused.
	RevertedPaused = "paused"
)

// revertedText says a Reverted value in words.
var revertedText = map[string]string{
	RevertedByMerge:     "reverted by this merge",
	RevertedByProvider:  "the provider reverts it on its next poll (or holds it for review with stateful.dev/drift: hold), merged or not",
	RevertedHeld:        "held for review (stateful.dev/drift: hold): reverted only once approved",
	RevertedKept:        "kept: the merged spec has the cloud's value",
	RevertedObserveOnly: "not reverted: the management policies only observe",
	RevertedPaused:      "not reverted while paused (crossplane.io/paused)",
}

// A Refresher observes a live resource's cloud resource now: managedkind.Registration's Refresh, bound to an
// environment that cannot write (RefreshEnv).
type Refresher interface {
	Refresh(ctx context.Context, env managedkind.RefreshEnv, obj map[string]any) (managedkind.Refreshed, error)
}

// refreshConcurrency bounds the resources read from the cloud at once: enough to hide each call's latency, few
// enough not to be throttled.
const refreshConcurrency = 8

// refreshed is what the cloud said of one live resource now.
type refreshed struct {
	// live is the live object with status.atProvider as the cloud has it now: what withCloud reads.
	live *unstructured.Unstructured
	// drift is each field the cloud holds otherwise than the live spec.
	drift []Drift
	// missing: the cloud resource does not exist now.
	missing bool
	err     error
}

// refresh reads the cloud now for every live resource the report changes or leaves unchanged (before: the live
// objects, after: what the merge leaves), and sets each resource's Drift, or its RefreshError.
func refresh(ctx context.Context, env managedkind.RefreshEnv, kinds Kinds, r *Report, before, after map[key]*unstructured.Unstructured) map[key]refreshed {
	out := make([]refreshed, len(r.Resources))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(refreshConcurrency)
	for i := range r.Resources {
		res := &r.Resources[i]
		if res.Action != Change && res.Action != Unchanged {
			continue
		}
		gk := schema.FromAPIVersionAndKind(res.APIVersion, res.Kind).GroupKind()
		k := key{gk: gk, namespace: res.Namespace, name: res.Name}
		rf, ok := kinds[gk].(Refresher)
		live, merged := before[k], after[k]
		if !ok || live == nil || merged == nil {
			continue
		}
		g.Go(func() error {
			out[i] = refreshOne(gctx, env, rf, kinds[gk].FieldTable(), res, live, merged)
			return nil
		})
	}
	_ = g.Wait()
	byKey := map[key]refreshed{}
	for i := range r.Resources {
		res := &r.Resources[i]
		f := out[i]
		switch {
		case f.err != nil:
			res.RefreshError = f.err.Error()
		case f.live != nil:
			res.Drift, res.CloudMissing = f.drift, f.missing
			byKey[key{gk: schema.FromAPIVersionAndKind(res.APIVersion, res.Kind).GroupKind(), namespace: res.Namespace, name: res.Name}] = f
		}
	}
	return byKey
}

// refreshOne observes the live resource's cloud resource, and for a change the resource as the merge leaves it:
// a field the cloud holds otherwise than the live spec is drift now; whether it still differs under the merged spec
// says whether applying the merge writes over it.
func refreshOne(
	ctx context.Context, env managedkind.RefreshEnv, rf Refresher, fields managedkind.Fields, res *Resource, live, merged *unstructured.Unstructured,
) refreshed {
	// Deep copies: Observe fills what it reads into the object it is given, and the plan's objects stay as read.
	now, err := rf.Refresh(ctx, env, live.DeepCopy().Object)
	if err != nil {
		return refreshed{err: err}
	}
	l := live.DeepCopy()
	// What the cloud says now replaces what the provider last saw: withCloud reads it.
	_ = unstructured.SetNestedField(l.Object, jsonNumbers(now.AtProvider), "status", "atProvider")
	out := refreshed{live: l, missing: !now.Exists}
	names := expand(now.Diff)
	if len(names) == 0 {
		return out
	}
	// What the merged spec would still differ in: for an unchanged resource, the same.
	after := names
	if res.Action == Change {
		m := l.DeepCopy()
		m.Object["spec"] = merged.Object["spec"]
		if a := merged.GetAnnotations(); a != nil {
			m.SetAnnotations(a)
		}
		then, err := rf.Refresh(ctx, env, m.Object)
		if err != nil {
			return refreshed{err: err}
		}
		after = expand(then.Diff)
	}
	spec, _, _ := unstructured.NestedMap(l.Object, "spec", "forProvider")
	observed, _, _ := unstructured.NestedMap(l.Object, "status", "atProvider")
	held := live.GetAnnotations()[v1alpha1.AnnotationDrift] == v1alpha1.DriftHold
	observeOnly := onlyObserves(policies(merged))
	paused := merged.GetAnnotations()[pausedAnnotation] == "true"
	for _, n := range names {
		d := Drift{Field: "spec.forProvider." + n, Spec: "(unset)"}
		f, ok := fields.Lookup(n)
		switch {
		case ok && f.Sensitive:
			d.Spec, d.Cloud = "(sensitive)", "(sensitive, changed)"
		case ok:
			rest := strings.TrimRight(n[len(f.Path):], "+-")
			if v, set := managedkind.ValueAt(spec, f.Path, rest); set {
				d.Spec = managedkind.Show(v)
			}
			if v, reported := f.Cloud(observed, rest); reported {
				d.Cloud = managedkind.Show(v)
			}
		}
		switch {
		case observeOnly:
			d.Reverted = RevertedObserveOnly
		case paused:
			d.Reverted = RevertedPaused
		case !slices.ContainsFunc(after, func(a string) bool { return a == n }):
			d.Reverted = RevertedKept
		case res.Action == Change && (touches(res.Changes, n) || held):
			// A change of the spec also ends a hold: the provider then writes the spec (drift.go).
			d.Reverted = RevertedByMerge
		case held:
			d.Reverted = RevertedHeld
		default:
			d.Reverted = RevertedByProvider
		}
		out.drift = append(out.drift, d)
	}
	return out
}

// pausedAnnotation pauses a resource: Crossplane's managed reconciler leaves it alone while it is "true".
const pausedAnnotation = "crossplane.io/paused"

// expand names each key of a change that names several ("tags[env,team]" → "tags[env]", "tags[team]"): the plan
// lists a map key by key.
func expand(diff []string) []string {
	var out []string
	for _, n := range diff {
		i, j := strings.IndexByte(n, '['), strings.LastIndexByte(n, ']')
		if i < 0 || j < i || !strings.Contains(n[i:j], ",") {
			out = append(out, n)
			continue
		}
		for _, k := range strings.Split(n[i+1:j], ",") {
			out = append(out, n[:i]+"["+k+"]"+n[j+1:])
		}
	}
	return out
}

// touches says whether the plan's changes touch field name (as Observe names it): the field itself, a key or a
// sub-field of it, or the field it is under.
func touches(cs []FieldChange, name string) bool {
	name = strings.TrimRight(name, "+-")
	for _, c := range cs {
		f := strings.TrimPrefix(c.Field, "spec.forProvider.")
		if f == name || under(f, name) || under(name, f) {
			return true
		}
	}
	return false
}

// under says whether a is a key, an index or a sub-field of b.
func under(a, b string) bool {
	return strings.HasPrefix(a, b) && len(a) > len(b) && (a[len(b)] == '[' || a[len(b)] == '.')
}

// onlyObserves says whether management policies allow no write.
func onlyObserves(p []string) bool {
	for _, a := range p {
		switch a {
		case "*", "Create", "Update", "Delete":
			return false
		}
	}
	return true
}
