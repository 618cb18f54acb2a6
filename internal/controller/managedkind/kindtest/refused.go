package kindtest

import (
	"context"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// A Refusal is one way a cloud may answer a create, and what ten reconciles must make of it.
type Refusal struct {
	Reason string
	// Err is the cloud's answer to every create.
	Err error
	// WantCreates is how many creates ten reconciles send: 1 when Err refuses the spec (terminal until the spec
	// changes, InputRejected True), 10 when Err may pass (retried, no InputRejected).
	WantCreates int
	// WantMessage is what InputRejected's message must contain ("" for anything).
	WantMessage string
}

// Refused runs each case as a subtest: start builds the kind's client behind its connector's wrapper
// (managedkind.Leased) over a fake whose create answers refusal, and returns it with a fresh resource and the fake's
// create count. It checks the count (call names it in a failure, e.g. "CreateTopic calls") and that InputRejected is
// True exactly when one create was sent.
func Refused[T resource.ModernManaged](
	t *testing.T,
	call string,
	cases map[string]Refusal,
	start func(refusal error) (managed.TypedExternalClient[T], T, func() int),
) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, cr, creates := start(tc.Err)
			// The last error is the reconciler's to requeue with; what the cloud was sent is the assertion.
			_ = Reconcile(context.Background(), c, cr, 10)
			if diff := cmp.Diff(tc.WantCreates, creates()); diff != "" {
				t.Errorf("%s\n%s: -want +got:\n%s", tc.Reason, call, diff)
			}
			cond := cr.GetCondition(apisv1alpha1.TypeInputRejected)
			if got := cond.Status == corev1.ConditionTrue; got != (tc.WantCreates == 1) || !strings.Contains(cond.Message, tc.WantMessage) {
				t.Errorf("%s\n%s: %v", tc.Reason, apisv1alpha1.TypeInputRejected, cond)
			}
		})
	}
}
