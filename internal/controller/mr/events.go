package mr

import (
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
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
	case mg.GetCondition(xpv2.TypeReady).Reason == xpv2.ReasonCreating:
		reason, verb = ReasonCompleting, "Applied the rest of the spec to the new resource: "
	case mg.GetCondition(xpv2.TypeSynced).ObservedGeneration == mg.GetGeneration():
		reason, verb = ReasonDrift, "Reverted drift in "
	}
	r.Event(mg, event.Normal(reason, verb+strings.Join(changed, "; ")))
}
