package kube

import (
	"errors"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestMarkKstatus(t *testing.T) {
	synced := xpv2.ReconcileSuccess().WithObservedGeneration(3)
	failed := xpv2.ReconcileError(errors.New("Throttling: Rate exceeded")).WithObservedGeneration(3)
	rejected := xpv2.Condition{Type: apisv1alpha1.TypeInputRejected, Status: corev1.ConditionTrue, Reason: apisv1alpha1.ReasonCloudRejected, Message: "invalid name"}
	cases := map[string]struct {
		reason           string
		conds            []xpv2.Condition
		reconciling      corev1.ConditionStatus
		stalled          corev1.ConditionStatus
		wantGen          int64
		wantReconcileWhy xpv2.ConditionReason
	}{
		"Ready":     {reason: "Ready and synced: current.", conds: []xpv2.Condition{xpv2.Available(), synced}, reconciling: "False", stalled: "False", wantGen: 3, wantReconcileWhy: apisv1alpha1.ReasonReady},
		"Creating":  {reason: "Being created: a change in flight.", conds: []xpv2.Condition{xpv2.Creating(), synced}, reconciling: "True", stalled: "False", wantGen: 3, wantReconcileWhy: xpv2.ReasonCreating},
		"Retrying":  {reason: "A transient error before Ready: in progress.", conds: []xpv2.Condition{failed}, reconciling: "True", stalled: "False", wantGen: 3, wantReconcileWhy: apisv1alpha1.ReasonRetrying},
		"Throttled": {reason: "A usable resource whose poll failed is not in flight.", conds: []xpv2.Condition{xpv2.Available(), failed}, reconciling: "False", stalled: "False", wantGen: 3, wantReconcileWhy: apisv1alpha1.ReasonReady},
		"Rejected":  {reason: "Input the cloud rejects is terminal: stalled.", conds: []xpv2.Condition{xpv2.Creating(), failed, rejected}, reconciling: "False", stalled: "True", wantGen: 3, wantReconcileWhy: apisv1alpha1.ReasonReady},
		"Unavailable": {reason: "An instance someone must fix: stalled.", conds: []xpv2.Condition{xpv2.Unavailable().WithMessage("storage-full"), synced},
			reconciling: "False", stalled: "True", wantGen: 3, wantReconcileWhy: apisv1alpha1.ReasonReady},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
			b.SetConditions(tc.conds...)
			MarkKstatus(b)
			r, s := b.GetCondition(apisv1alpha1.TypeReconciling), b.GetCondition(apisv1alpha1.TypeStalled)
			got := []any{r.Status, s.Status, b.Status.ObservedGeneration, r.Reason}
			if d := cmp.Diff([]any{tc.reconciling, tc.stalled, tc.wantGen, tc.wantReconcileWhy}, got); d != "" {
				t.Errorf("%s\nReconciling, Stalled, observedGeneration, reason: -want +got:\n%s", tc.reason, d)
			}
		})
	}

	// Never reconciled: nothing is claimed.
	b := &v1alpha1.Bucket{}
	MarkKstatus(b)
	if c := b.GetCondition(apisv1alpha1.TypeReconciling); c.Reason != "" {
		t.Errorf("an object never reconciled got Reconciling=%s", c.Status)
	}
	// Marking again changes nothing (no status write per poll).
	b = &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Generation: 1}}
	b.SetConditions(xpv2.Available(), xpv2.ReconcileSuccess().WithObservedGeneration(1))
	MarkKstatus(b)
	before := b.DeepCopy()
	MarkKstatus(b)
	if d := cmp.Diff(before.Status, b.Status); d != "" {
		t.Errorf("marking twice changed the status: %s", d)
	}
}
