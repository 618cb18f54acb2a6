package plan

import (
	"context"
	"sort"
	"strconv"
	"strings"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// A Fleet is every managed resource in scope as the provider last reported it, from its conditions: the report a
// team reads before promoting a cluster rebuilt from Git with Observe-only policies (docs/recovery.md), or before
// granting writes to an import.
type Fleet struct {
	Summary   FleetSummary    `json:"summary"`
	Resources []FleetResource `json:"resources"`
}

// A State is what a resource's conditions say of it; the first of these that holds.
type State string

// States, in the order they are judged.
const (
	// Rejected: the cloud rejects the spec (InputRejected); nothing is sent until it changes.
	Rejected State = "rejected"
	// NotReady: Ready or Synced is not True, or the provider has not reconciled the current generation yet.
	NotReady State = "not-ready"
	// DriftHeld: the cloud drifted and the drift is held for review (Drift, reason Held).
	DriftHeld State = "drift-held"
	// WouldChange: the resource only observes, and writes would change the fields named (WouldChange, Differs).
	WouldChange State = "would-change"
	// WouldChangeNothing: the resource only observes, and writes would change nothing (WouldChange, InSync).
	WouldChangeNothing State = "would-change-nothing"
	// InSync: Ready and Synced, nothing held.
	InSync State = "in-sync"
)

// A FleetResource is one managed resource's state.
type FleetResource struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
	State      State  `json:"state"`
	// Fields are, for would-change, the fields writes would change; for drift-held, each drifted field with the
	// spec's and the cloud's values, as the Drift condition says them.
	Fields []string `json:"fields,omitempty"`
	// Reason and Message are the condition's that decided the state (empty for in-sync).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// ObserveOnly is true when the management policies only observe: the provider writes nothing.
	ObserveOnly bool `json:"observeOnly,omitempty"`
}

// FleetSummary counts the resources by state.
type FleetSummary struct {
	Resources          int `json:"resources"`
	InSync             int `json:"inSync"`
	WouldChangeNothing int `json:"wouldChangeNothing"`
	WouldChange        int `json:"wouldChange"`
	DriftHeld          int `json:"driftHeld"`
	NotReady           int `json:"notReady"`
	Rejected           int `json:"rejected"`
}

// ReadFleet reports every managed resource of kinds in scope: one LIST per kind.
func ReadFleet(ctx context.Context, c Lister, kinds Kinds, s Scope) (Report, error) {
	gks := make([]schema.GroupKind, 0, len(kinds))
	for gk := range kinds {
		gks = append(gks, gk)
	}
	sort.Slice(gks, func(i, j int) bool { return gks[i].String() < gks[j].String() })
	ns := s.Namespace
	if s.All {
		ns = ""
	}
	read, err := readLive(ctx, c, kinds, gks, ns)
	if err != nil {
		return Report{}, err
	}
	f := FleetOf(read.objects)
	return Report{APIVersion: Version, Fleet: &f, Notes: read.notes}, nil
}

// FleetOf reports the state of each object, in the plan's order: by group and kind, namespace, name.
func FleetOf(objs []*unstructured.Unstructured) Fleet {
	sorted := append([]*unstructured.Unstructured(nil), objs...)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := keyOf(sorted[i]), keyOf(sorted[j])
		if a.gk != b.gk {
			return a.gk.String() < b.gk.String()
		}
		if a.namespace != b.namespace {
			return a.namespace < b.namespace
		}
		return a.name < b.name
	})
	f := Fleet{Resources: []FleetResource{}}
	for _, o := range sorted {
		r := stateOf(o)
		f.Resources = append(f.Resources, r)
		f.Summary.Resources++
		switch r.State {
		case InSync:
			f.Summary.InSync++
		case WouldChangeNothing:
			f.Summary.WouldChangeNothing++
		case WouldChange:
			f.Summary.WouldChange++
		case DriftHeld:
			f.Summary.DriftHeld++
		case NotReady:
			f.Summary.NotReady++
		case Rejected:
			f.Summary.Rejected++
		}
	}
	return f
}

// A condition is what the fleet report reads of one.
type condition struct {
	status, reason, message string
}

// stateOf judges one resource from its conditions.
func stateOf(o *unstructured.Unstructured) FleetResource {
	r := FleetResource{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
	p := policies(o)
	mp := make(xpv2.ManagementPolicies, len(p))
	for i, a := range p {
		mp[i] = xpv2.ManagementAction(a)
	}
	r.ObserveOnly = managedkind.OnlyObserves(mp)
	conds := conditionsOf(o)
	ready, synced := conds[string(xpv2.TypeReady)], conds[string(xpv2.TypeSynced)]
	observedGen, found, _ := unstructured.NestedInt64(o.Object, "status", "observedGeneration")
	if !found {
		// A number read from the cluster is a float64 here (jsonNumbers).
		if g, ok, _ := unstructured.NestedFloat64(o.Object, "status", "observedGeneration"); ok {
			observedGen, found = int64(g), true
		}
	}
	rejected, would, drift := conds[string(v1alpha1.TypeInputRejected)], conds[string(v1alpha1.TypeWouldChange)], conds[string(v1alpha1.TypeDrift)]
	switch {
	case rejected.status == "True":
		r.State, r.Reason, r.Message = Rejected, rejected.reason, rejected.message
	case synced.status != "True":
		r.State, r.Reason, r.Message = NotReady, synced.reason, synced.message
		if synced.status == "" {
			r.Reason, r.Message = "NotReconciled", "the provider has not reported Synced"
		}
	case ready.status != "True":
		r.State, r.Reason, r.Message = NotReady, ready.reason, ready.message
		if ready.status == "" {
			r.Reason, r.Message = "NotReconciled", "the provider has not reported Ready"
		}
	case found && observedGen < o.GetGeneration():
		// The conditions are of an older spec: what they say may no longer hold.
		r.State, r.Reason = NotReady, "Pending"
		r.Message = "the provider has not reconciled generation " + itoa(o.GetGeneration()) + " of the spec yet (last: " + itoa(observedGen) + ")"
	case drift.status == "True" && drift.reason == string(v1alpha1.ReasonDriftHeld):
		r.State, r.Reason, r.Message = DriftHeld, drift.reason, drift.message
		r.Fields = listed(drift.message, "until approved: ", ". To revert it to the spec", "; ")
	case would.status == "True" && would.reason == string(v1alpha1.ReasonDiffers):
		r.State, r.Reason, r.Message = WouldChange, would.reason, would.message
		r.Fields = listed(would.message, "would change: ", "", ", ")
	case would.status == "False" && would.reason == string(v1alpha1.ReasonInSync) && r.ObserveOnly:
		r.State, r.Reason = WouldChangeNothing, would.reason
	default:
		r.State = InSync
	}
	return r
}

func conditionsOf(o *unstructured.Unstructured) map[string]condition {
	l, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	out := map[string]condition{}
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		out[str("type")] = condition{status: str("status"), reason: str("reason"), message: str("message")}
	}
	return out
}

// listed is the list a condition's message names between after and before (the end when empty), split at sep; the
// whole message when it does not read so.
func listed(msg, after, before, sep string) []string {
	_, s, ok := strings.Cut(msg, after)
	if !ok {
		return []string{msg}
	}
	if before != "" {
		if i := strings.Index(s, before); i >= 0 {
			s = s[:i]
		}
	}
	return strings.Split(s, sep)
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
