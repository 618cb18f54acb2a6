package awsmr

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
)

// RecordChanges says what an Update changed: drift reverted when the spec has not changed since the last
// successful sync, a spec change otherwise. Nothing is recorded when nothing changed.
func RecordChanges(r event.Recorder, mg resource.Managed, changed []string) {
	if len(changed) == 0 {
		return
	}
	reason, verb := ReasonChange, "Applied spec change to "
	if mg.GetCondition(xpv2.TypeSynced).ObservedGeneration == mg.GetGeneration() {
		reason, verb = ReasonDrift, "Reverted drift in "
	}
	r.Event(mg, event.Normal(reason, verb+strings.Join(changed, "; ")))
}
