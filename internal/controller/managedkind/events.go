package managedkind

import (
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Reasons of the events an Update records.
const (
	ReasonDrift  event.Reason = "DriftReverted"
	ReasonChange event.Reason = "ApplyingSpecChange"
	// ReasonCompleting: settings applied right after the create (a new table's TTL and point-in-time recovery,
	// which have their own APIs) — nothing had drifted.
	ReasonCompleting event.Reason = "CompletingCreate"
)

// RecordChanges says what an Update changed: the rest of the spec of a resource still being created, drift
// reverted when the spec has not changed since the last successful sync, a spec change otherwise. Nothing is
// recorded when nothing changed.
func RecordChanges(r event.Recorder, mg resource.Managed, changed []string) {
	if len(changed) == 0 {
		return
	}
	reason, verb := ReasonChange, "Applied spec change to "
	switch {
	case StillCreating(mg):
		reason, verb = ReasonCompleting, "Applied the rest of the spec to the new resource: "
	case mg.GetCondition(xpv2.TypeSynced).ObservedGeneration == mg.GetGeneration():
		reason, verb = ReasonDrift, "Reverted drift in "
	}
	r.Event(mg, event.Normal(reason, verb+strings.Join(changed, "; ")))
}

// StillCreating reports whether mg's resource is still being created: Ready says Creating, or mg made the resource (the
// runtime recorded the create's success) and no Ready condition has been stored since. The second case is a read
// that lags the create's status write — the informer's copy right after the create-succeeded annotation, or a
// status update lost to a conflict — which must not turn the rest of the create into a spec change.
func StillCreating(mg resource.Managed) bool {
	switch mg.GetCondition(xpv2.TypeReady).Reason {
	case xpv2.ReasonCreating:
		return true
	case "":
		return !meta.GetExternalCreateSucceeded(mg).IsZero()
	}
	return false
}

// WhileDeleting is Observe's answer for an existing cloud resource, already found to be mg's, when mg is being
// deleted: no update follows a deletion, so the spec is neither checked nor compared — a spec the provider would
// now refuse (a field edited into something it cannot do) does not hold up the deletion.
func WhileDeleting(mg resource.Managed) (managed.ExternalObservation, bool) {
	if !meta.WasDeleted(mg) {
		return managed.ExternalObservation{}, false
	}
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, true
}
