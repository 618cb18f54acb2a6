// Package plan says what merging a change of manifests will do to the cloud: per managed resource whether it is
// created, changed, deleted or unchanged, and per changed field its current and its desired value and what the
// change does — in place, a restart now or in the maintenance window, long-running, irreversible, refused — read
// from the field table each kind declares once (managedkind.Fields), the table its reconciler, its docs and its
// tests are held to, so that the plan and what happens cannot disagree.
//
// A provider never destroys and recreates to apply a change: a change to a field that cannot change is "refused
// (manual recreate)", never "replace".
package plan

import (
	"slices"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Version is the version of the JSON a plan is written as (Report): a bot reading it checks it.
const Version = "plan.stateful.dev/v1alpha1"

// An Action is what merging does to one managed resource.
type Action string

// Actions.
const (
	Create    Action = "create"
	Change    Action = "change"
	Delete    Action = "delete"
	Unchanged Action = "unchanged"
)

// A Report is the plan of one change: every managed resource either side names, in a stable order.
type Report struct {
	APIVersion string     `json:"apiVersion"`
	Summary    Summary    `json:"summary"`
	Resources  []Resource `json:"resources"`
	// Ignored counts the objects that are not resources of this provider (a ProviderConfig, a Deployment).
	Ignored int `json:"ignored"`
	// Notes say what a live read left out, and why that is no error: a kind whose CRD the cluster does not have.
	Notes []string `json:"notes,omitempty"`
	// Refreshed says the cloud was read now (--refresh): changes[].cloud is the cloud's value now, not the last
	// one the provider saw, and each resource says what drifted.
	Refreshed bool `json:"refreshed,omitempty"`
	// Fleet is the fleet report (plan --live without manifests): every managed resource in scope, from its
	// conditions. Resources is then empty.
	Fleet *Fleet `json:"fleet,omitempty"`
}

// Summary counts the resources by action.
type Summary struct {
	Create    int `json:"create"`
	Change    int `json:"change"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
}

// A Resource is one managed resource's part of the plan.
type Resource struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
	Action     Action `json:"action"`
	// Changes are the fields that differ, in the order the kind's table lists them (a change only).
	Changes []FieldChange `json:"changes,omitempty"`
	// Deletion says what deleting the resource does to the cloud resource (a delete only).
	Deletion string `json:"deletion,omitempty"`
	// Deletes is true when a delete removes the cloud resource (false: it is left in the cloud).
	Deletes bool `json:"deletes,omitempty"`
	// Drift is, with --refresh, each field the cloud holds now otherwise than the live spec, and what becomes of
	// it (a change or an unchanged resource).
	Drift []Drift `json:"drift,omitempty"`
	// CloudMissing is, with --refresh, true when the cloud resource does not exist now: deleted behind the
	// provider's back (or not made yet); the provider makes it where the management policies allow Create.
	CloudMissing bool `json:"cloudMissing,omitempty"`
	// RefreshError is, with --refresh, why the cloud could not be read for the resource: its ProviderConfig, its
	// credentials, the cloud's answer. The rest of the plan stands.
	RefreshError string `json:"refreshError,omitempty"`
}

// A FieldChange is one field that differs between the two sides, and what changing it does.
type FieldChange struct {
	// Field is the path the user writes ("spec.forProvider.visibilityTimeout", "spec.forProvider.tags[team]").
	Field string `json:"field"`
	// Current and Desired are the values on each side, "(unset)" when a side omits it, "(sensitive, changed)" for
	// a field whose value is never printed.
	Current string `json:"current"`
	Desired string `json:"desired"`
	// Effect is what the change does: a managedkind.Effect, or Released for a field that stops being managed.
	Effect string `json:"effect"`
	// When is when it happens: "now", "in the maintenance window"; empty for a refused or released field.
	When string `json:"when,omitempty"`
	// Note is what the table says about the field, and Source the cloud's documentation of the effect.
	Note   string `json:"note,omitempty"`
	Source string `json:"source,omitempty"`
	// Cloud is, in a live plan, the field's value the provider last saw in the cloud (status.atProvider); empty when
	// atProvider does not report it, and for a sensitive field.
	Cloud string `json:"cloud,omitempty"`
	// Drift is true when Cloud differs from the live spec's value: the cloud changed behind the provider's back, or
	// the provider is still applying the spec. Judged only where the plan compares as the reconciler does (a value
	// compared by value, a key of a map, a set); never for a value compared by meaning.
	Drift bool `json:"drift,omitempty"`
}

// Released is the effect of omitting a field the spec set, when omitted means unmanaged: nothing is sent, and the
// cloud keeps the value it has.
const Released = "released (the cloud keeps its value)"

// Unknown is the effect of a change under spec.forProvider no table row declares: the plan cannot say.
const Unknown = "unknown until applied"

// A Kind is what the plan reads of a managed kind: its field table, and what deleting a resource does
// (managedkind.Registration is one).
type Kind interface {
	FieldTable() managedkind.Fields
	DeletionOf(obj map[string]any) (managedkind.Deletion, bool, error)
}

// Kinds are the provider's kinds, by group and kind (a plan compares across versions).
type Kinds map[schema.GroupKind]Kind

// KindsOf indexes registrations.
func KindsOf(rs []managedkind.Registration) Kinds {
	k := Kinds{}
	for _, r := range rs {
		k[r.GroupVersionKind().GroupKind()] = r
	}
	return k
}

// key names a managed resource across the two sides: its group, kind, namespace and name.
type key struct {
	gk        schema.GroupKind
	namespace string
	name      string
}

// Compute plans the change from the objects before to the objects after. Objects of other kinds are counted as
// ignored.
func Compute(kinds Kinds, before, after []*unstructured.Unstructured) Report {
	r := Report{APIVersion: Version}
	index := func(objs []*unstructured.Unstructured) map[key]*unstructured.Unstructured {
		m := map[key]*unstructured.Unstructured{}
		for _, o := range objs {
			gk := o.GroupVersionKind().GroupKind()
			if _, ok := kinds[gk]; !ok {
				r.Ignored++
				continue
			}
			m[key{gk: gk, namespace: o.GetNamespace(), name: o.GetName()}] = o
		}
		return m
	}
	old, cur := index(before), index(after)
	keys := make([]key, 0, len(old)+len(cur))
	for k := range old {
		keys = append(keys, k)
	}
	for k := range cur {
		if _, ok := old[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.gk != b.gk {
			return a.gk.String() < b.gk.String()
		}
		if a.namespace != b.namespace {
			return a.namespace < b.namespace
		}
		return a.name < b.name
	})
	for _, k := range keys {
		o, n := old[k], cur[k]
		either := n
		if either == nil {
			either = o
		}
		res := Resource{APIVersion: either.GetAPIVersion(), Kind: k.gk.Kind, Namespace: k.namespace, Name: k.name}
		switch {
		case o == nil:
			res.Action = Create
			r.Summary.Create++
		case n == nil:
			res.Action = Delete
			res.Deletion, res.Deletes = deletion(kinds[k.gk], o)
			r.Summary.Delete++
		default:
			res.Changes = changes(kinds[k.gk].FieldTable(), o, n)
			res.Action = Unchanged
			if len(res.Changes) > 0 {
				res.Action = Change
				r.Summary.Change++
			} else {
				r.Summary.Unchanged++
			}
		}
		r.Resources = append(r.Resources, res)
	}
	return r
}

// deletion says what deleting o does: nothing to the cloud resource when its management policies leave out Delete
// (the default, ["*"], includes it), else what the kind says of it.
func deletion(k Kind, o *unstructured.Unstructured) (string, bool) {
	if p := policies(o); !slices.Contains(p, "*") && !slices.Contains(p, "Delete") {
		return "leaves the cloud resource in place (spec.managementPolicies do not include Delete)", false
	}
	d, ok, err := k.DeletionOf(o.Object)
	switch {
	case err != nil:
		return "deletes the cloud resource (its spec could not be read: " + err.Error() + ")", true
	case ok:
		return d.What, d.Deletes
	}
	return "deletes the cloud resource and the data in it", true
}
