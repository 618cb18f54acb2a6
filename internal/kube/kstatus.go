// Kstatus makes managed resources readable by kstatus (Flux, kpt, cli-utils) without custom health
// expressions: a top-level status.observedGeneration, and the conditions kstatus reads — Reconciling while a
// change is in flight, Stalled on a state that needs a person — beside Crossplane's Ready and Synced.
//
// crossplane-runtime writes status on paths that never reach the external client (a failed connect, a reference
// not resolved yet, a rate-limited requeue), so the fields are derived on every status write by a client wrapper
// rather than set by each kind: they can never disagree with Ready and Synced.

package kube

import (
	"context"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

type conditioned interface {
	GetCondition(xpv2.ConditionType) xpv2.Condition
	SetConditions(...xpv2.Condition)
	GetGeneration() int64
}

type generationObserver interface {
	SetObservedGeneration(int64)
}

// MarkKstatus derives status.observedGeneration, Reconciling and Stalled from the object's Crossplane conditions. Objects
// without them are left alone.
func MarkKstatus(obj client.Object) {
	mg, ok := obj.(conditioned)
	og, ok2 := obj.(generationObserver)
	if !ok || !ok2 {
		return
	}
	ready, synced, rejected := mg.GetCondition(xpv2.TypeReady), mg.GetCondition(xpv2.TypeSynced), mg.GetCondition(v1alpha1.TypeInputRejected)
	if synced.Reason == "" {
		return // never reconciled (GetCondition answers Unknown for a missing condition): nothing to say yet
	}
	// The generation the last reconcile acted on: kstatus reports InProgress while it is behind metadata.generation.
	gen := synced.ObservedGeneration
	og.SetObservedGeneration(gen)

	stalled := condition(v1alpha1.TypeStalled, false, v1alpha1.ReasonReady, "", gen)
	reconciling := condition(v1alpha1.TypeReconciling, false, v1alpha1.ReasonReady, "", gen)
	switch {
	case rejected.Status == corev1.ConditionTrue:
		stalled = condition(v1alpha1.TypeStalled, true, v1alpha1.ReasonInputRejected, rejected.Message, gen)
	case ready.Status == corev1.ConditionFalse && ready.Reason == xpv2.ReasonUnavailable:
		stalled = condition(v1alpha1.TypeStalled, true, v1alpha1.ReasonUnavailable, ready.Message, gen)
	case ready.Status == corev1.ConditionTrue:
		// Usable: a failed poll (throttling, an outage) is retried, and is not a change in flight.
	case synced.Status == corev1.ConditionFalse:
		reconciling = condition(v1alpha1.TypeReconciling, true, v1alpha1.ReasonRetrying, synced.Message, gen)
	default:
		reason := ready.Reason
		if reason == "" {
			reason = xpv2.ReasonCreating
		}
		reconciling = condition(v1alpha1.TypeReconciling, true, reason, ready.Message, gen)
	}
	mg.SetConditions(reconciling, stalled)
}

func condition(t xpv2.ConditionType, on bool, reason xpv2.ConditionReason, msg string, gen int64) xpv2.Condition {
	s := corev1.ConditionFalse
	if on {
		s = corev1.ConditionTrue
	}
	return xpv2.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen, LastTransitionTime: metav1.Now()}
}

// WithKstatus wraps c so that every status write of a managed resource carries the kstatus fields.
func WithKstatus(c client.Client) client.Client { return &markingClient{Client: c} }

type markingClient struct{ client.Client }

func (c *markingClient) Status() client.SubResourceWriter {
	return &markingWriter{SubResourceWriter: c.Client.Status()}
}

type markingWriter struct{ client.SubResourceWriter }

func (w *markingWriter) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	MarkKstatus(obj)
	return w.SubResourceWriter.Update(ctx, obj, opts...)
}

func (w *markingWriter) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	MarkKstatus(obj)
	return w.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}
