// Drift held for review. By default drift is reverted within a poll (with an event). A resource annotated
// stateful.dev/drift: hold instead reports drift — a condition naming each drifted field with the cloud's value
// and the spec's, and an event — and leaves the cloud resource alone until a person approves reverting it, or the
// spec changes: an incident fix made by hand in the console is not undone behind the team's back.
//
// Drift is a difference that appears once the resource was in sync with this generation of its spec: the Drift
// condition records the generation it was last found in sync at. A difference at another generation is a spec
// change on its way (or the cloud catching up with one), which the provider applies as always.

package managedkind

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// ReasonDriftHeld is the event a new hold records.
const ReasonDriftHeld event.Reason = "DriftHeld"

// holdDrift answers an observation of an existing resource (not being deleted) for a resource that holds drift:
// up to date, with nothing to send, while its drift waits for approval; as observed otherwise. It records in the
// Drift condition when the resource is in sync, so that a later difference is known to be drift.
func holdDrift(cr resource.Managed, o managed.ExternalObservation, fields Fields, rec event.Recorder) managed.ExternalObservation {
	prev := cr.GetCondition(v1alpha1.TypeDrift)
	gen := cr.GetGeneration()
	if cr.GetAnnotations()[v1alpha1.AnnotationDrift] != v1alpha1.DriftHold || OnlyObserves(cr.GetManagementPolicies()) {
		if prev.Status != corev1.ConditionUnknown && prev.Reason != v1alpha1.ReasonDriftNotHeld {
			cr.SetConditions(driftCondition(corev1.ConditionFalse, v1alpha1.ReasonDriftNotHeld, gen, metav1.Now(),
				"drift is not held (annotation "+v1alpha1.AnnotationDrift+" is not \""+v1alpha1.DriftHold+"\"): the provider reverts it within a poll"))
		}
		return o
	}
	if o.ResourceUpToDate {
		cr.SetConditions(driftCondition(corev1.ConditionFalse, v1alpha1.ReasonInSync, gen, metav1.Now(),
			fmt.Sprintf("the cloud resource matches generation %d of the spec; drift from it is held for review", gen)))
		return o
	}
	known := prev.Reason == v1alpha1.ReasonInSync || prev.Reason == v1alpha1.ReasonDriftHeld
	if StillCreating(cr) || prev.ObservedGeneration != gen || !known {
		// Not drift: the spec changed since the resource was last in sync (or it never was, or a revert was
		// approved): the provider applies the spec.
		return o
	}
	names := strings.Split(o.Diff, "; ")
	drifted := describeDrift(cr, fields, names)
	since, fresh := prev.LastTransitionTime, false
	if prev.Reason != v1alpha1.ReasonDriftHeld || prev.Message != heldMessage(drifted, driftToken(drifted, since)) {
		// A new hold, or drift that changed while held: a new token, so that an approval given for other drift
		// does not approve this one.
		since, fresh = metav1.NewTime(time.Now().Truncate(time.Second)), true
	}
	token := driftToken(drifted, since)
	if !fresh && cr.GetAnnotations()[v1alpha1.AnnotationRevertDrift] == token {
		cr.SetConditions(driftCondition(corev1.ConditionTrue, v1alpha1.ReasonDriftReverting, gen, metav1.Now(),
			"reverting the drift approved by "+v1alpha1.AnnotationRevertDrift+"="+token+": "+strings.Join(names, ", ")))
		return o
	}
	cr.SetConditions(driftCondition(corev1.ConditionTrue, v1alpha1.ReasonDriftHeld, gen, since, heldMessage(drifted, token)))
	if fresh {
		rec.Event(cr, event.Warning(ReasonDriftHeld, fmt.Errorf("drift held for review in %s: see the Drift condition to approve reverting it",
			strings.Join(names, "; "))))
	}
	o.ResourceUpToDate, o.Diff = true, ""
	return o
}

func driftCondition(s corev1.ConditionStatus, r xpv2.ConditionReason, gen int64, t metav1.Time, msg string) xpv2.Condition {
	return xpv2.Condition{Type: v1alpha1.TypeDrift, Status: s, Reason: r, Message: msg, LastTransitionTime: t, ObservedGeneration: gen}
}

// heldMessage says what drifted and how to approve reverting it.
func heldMessage(drifted, token string) string {
	return "the cloud resource changed behind the provider's back and is left as it is until approved: " + drifted +
		". To revert it to the spec: annotate " + v1alpha1.AnnotationRevertDrift + "=" + token +
		"; to keep the cloud's value: change the spec to it"
}

// driftToken names one hold: the drift it holds and when it began. Approving it approves that drift only.
func driftToken(drifted string, since metav1.Time) string {
	h := sha256.Sum256([]byte(drifted + "\x00" + strconv.FormatInt(since.Unix(), 10)))
	return hex.EncodeToString(h[:])[:12]
}

// describeDrift names each drifted field with the spec's value and the cloud's (status.atProvider, where the field
// table says the cloud's value is reported), a sensitive field without either.
func describeDrift(cr resource.Managed, fields Fields, names []string) string {
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cr)
	if err != nil {
		return strings.Join(names, ", ")
	}
	spec := nested(obj, "spec", "forProvider")
	observed := nested(obj, "status", "atProvider")
	parts := make([]string, 0, len(names))
	for _, n := range names {
		f, ok := fields.Lookup(n)
		if !ok || f.Sensitive {
			parts = append(parts, n)
			continue
		}
		// The part of the name after the field's path: a key ("[team]"), an index or a sub-field.
		rest := strings.TrimRight(n[len(f.Path):], "+-")
		cloud, reported := f.Cloud(observed, rest)
		c := "not reported in status.atProvider"
		if reported {
			c = Show(cloud)
		}
		want, set := ValueAt(spec, f.Path, rest)
		w := "(unset)"
		if set {
			w = Show(want)
		}
		parts = append(parts, fmt.Sprintf("%s (spec: %s, cloud: %s)", n, w, c))
	}
	return strings.Join(parts, "; ")
}

func nested(obj map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m, ok := obj[p].(map[string]any)
		if !ok {
			return nil
		}
		obj = m
	}
	return obj
}
