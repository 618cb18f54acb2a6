package managedkind

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
)

// loopClient answers Observe with the observation obs points at, and counts updates.
type loopClient struct {
	managed.TypedExternalClient[*v1alpha1.Bucket]
	obs     *managed.ExternalObservation
	updates int
}

func (c *loopClient) Observe(context.Context, *v1alpha1.Bucket) (managed.ExternalObservation, error) {
	return *c.obs, nil
}

func (c *loopClient) Update(context.Context, *v1alpha1.Bucket) (managed.ExternalUpdate, error) {
	c.updates++
	return managed.ExternalUpdate{}, nil
}

// reconcileOnce runs what the managed reconciler does with the chain's link: observe, and update when the resource
// is not up to date. It returns Observe's error.
func reconcileOnce(l *broken[*v1alpha1.Bucket], cr *v1alpha1.Bucket) error {
	o, err := l.Observe(context.Background(), cr)
	if err != nil {
		return err
	}
	if !o.ResourceUpToDate {
		_, err = l.Update(context.Background(), cr)
	}
	return err
}

// moves is a reconcile before which the cloud reports another value than before it.
func moves() step {
	return step{before: func(cr *v1alpha1.Bucket, _ *managed.ExternalObservation, clock *time.Time) {
		cr.Status.AtProvider.Versioning = "Suspended " + clock.String()
		*clock = clock.Add(time.Second)
	}}
}

// A step is one reconcile of TestLoopBreaker.
type step struct {
	// before changes the world before this reconcile.
	before func(cr *v1alpha1.Bucket, obs *managed.ExternalObservation, clock *time.Time)
	// stopped says whether this reconcile's observation is refused.
	stopped bool
}

func TestLoopBreaker(t *testing.T) {
	differs := managed.ExternalObservation{ResourceExists: true, Diff: "versioning"}
	inSync := managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}
	same := step{}
	stop := step{stopped: true}
	cases := map[string]struct {
		reason  string
		steps   []step
		updates int
	}{
		"StopsAfterLimit": {
			reason: "Three updates that left the cloud as it was (limit 3): the fourth observation stops writes.",
			steps:  []step{same, same, same, stop, stop}, updates: 3,
		},
		"CloudMoves": {
			reason: "A cloud whose value moves after each update is converging, not looping.",
			steps:  []step{moves(), moves(), moves(), moves(), moves(), moves()}, updates: 6,
		},
		"SpecChanges": {
			reason: "A new generation is a new spec: the count starts again, and writes resume.",
			steps: []step{same, same, same, stop, {before: func(cr *v1alpha1.Bucket, _ *managed.ExternalObservation, _ *time.Time) {
				cr.Generation++
			}}, same}, updates: 5,
		},
		"RetryAsked": {
			reason: "A new value of the retry annotation resumes writes; the same value again does not.",
			steps: []step{same, same, same, stop, {before: func(cr *v1alpha1.Bucket, _ *managed.ExternalObservation, _ *time.Time) {
				cr.SetAnnotations(map[string]string{apisv1alpha1.AnnotationRetryUpdates: "1"})
			}}, same, same, stop}, updates: 6,
		},
		"InSyncForgets": {
			reason: "Once in sync, what came before is forgotten.",
			steps: []step{same, same, {before: func(_ *v1alpha1.Bucket, obs *managed.ExternalObservation, _ *time.Time) {
				*obs = inSync
			}}, {before: func(_ *v1alpha1.Bucket, obs *managed.ExternalObservation, _ *time.Time) {
				*obs = differs
			}}, same, same}, updates: 5,
		},
		"WindowPasses": {
			reason: "Updates spread beyond the window never add up to a stop.",
			steps: []step{same, same, {before: func(_ *v1alpha1.Bucket, _ *managed.ExternalObservation, clock *time.Time) {
				*clock = clock.Add(2 * time.Hour)
			}}, same, same}, updates: 5,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := time.Unix(1_700_000_000, 0)
			b := NewLoopBreaker("Bucket", 3, time.Hour)
			b.now = func() time.Time { return clock }
			obs := differs
			kind := &loopClient{obs: &obs}
			rec := &awstest.Recorder{}
			l := &broken[*v1alpha1.Bucket]{TypedExternalClient: kind, breaker: b, fields: driftFields, record: rec}
			cr := bucket(drifted, func(b *v1alpha1.Bucket) { b.UID = types.UID("uid-loop") })
			for i, s := range tc.steps {
				if s.before != nil {
					s.before(cr, &obs, &clock)
				}
				err := reconcileOnce(l, cr)
				if got := err != nil; got != s.stopped {
					t.Fatalf("%s\nreconcile %d: stopped %v, want %v (%v)", tc.reason, i+1, got, s.stopped, err)
				}
				if s.stopped {
					c := cr.GetCondition(apisv1alpha1.TypeUpdateLoop)
					if c.Status != corev1.ConditionTrue || !strings.Contains(c.Message, "versioning (spec: Enabled, cloud: Suspended)") {
						t.Errorf("%s\nreconcile %d: UpdateLoop %s: %q, want True naming the field with both values", tc.reason, i+1, c.Status, c.Message)
					}
				}
			}
			if diff := cmp.Diff(tc.updates, kind.updates); diff != "" {
				t.Errorf("%s\nupdates sent: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestLoopBreakerSaysOnce: one event and one count of the metric per stop, however long it lasts; writes resumed
// say so in the condition.
func TestLoopBreakerSaysOnce(t *testing.T) {
	obs := managed.ExternalObservation{ResourceExists: true, Diff: "versioning"}
	rec := &awstest.Recorder{}
	l := &broken[*v1alpha1.Bucket]{TypedExternalClient: &loopClient{obs: &obs}, breaker: NewLoopBreaker("Bucket", 2, time.Hour), fields: driftFields, record: rec}
	cr := bucket(drifted, func(b *v1alpha1.Bucket) { b.UID = types.UID("uid-once") })
	for range 6 {
		_ = reconcileOnce(l, cr)
	}
	if len(rec.Events) != 1 || rec.Events[0].Reason != ReasonUpdateLoop {
		t.Errorf("events: %+v, want one %s", rec.Events, ReasonUpdateLoop)
	}
	cr.Generation++
	if err := reconcileOnce(l, cr); err != nil {
		t.Fatalf("a new spec is still refused: %v", err)
	}
	if c := cr.GetCondition(apisv1alpha1.TypeUpdateLoop); c.Status != corev1.ConditionFalse || c.Reason != apisv1alpha1.ReasonUpdatesResumed {
		t.Errorf("after a spec change: UpdateLoop %s/%s, want False/%s", c.Status, c.Reason, apisv1alpha1.ReasonUpdatesResumed)
	}
}

func TestLoopBreakerOff(t *testing.T) {
	obs := managed.ExternalObservation{ResourceExists: true, Diff: "versioning"}
	kind := &loopClient{obs: &obs}
	l := &broken[*v1alpha1.Bucket]{TypedExternalClient: kind, breaker: NewLoopBreaker("Bucket", 0, time.Hour), fields: driftFields, record: &awstest.Recorder{}}
	cr := bucket(drifted)
	for range 10 {
		if err := reconcileOnce(l, cr); err != nil {
			t.Fatalf("a breaker with limit 0 stopped writes: %v", err)
		}
	}
	if kind.updates != 10 {
		t.Errorf("%d updates, want 10", kind.updates)
	}
}
