// The update-loop breaker. A provider that disagrees with its cloud about a field writes forever: the cloud keeps
// its value, the next poll finds the same difference, and the same update is sent again (an Upjet S3 loop cost
// about 14 million requests a day across 9 buckets, provider-upjet-aws#2055). Whatever loop is left in a kind's
// comparison, the breaker bounds it: when a resource's updates leave the cloud reporting the same values, for the
// same generation of the spec, Limit times within Window, it stops writing to that resource, says so (condition
// UpdateLoop naming each field with the spec's and the cloud's values, an event, a metric), and resumes when the
// spec changes or a person asks (annotation stateful.dev/retry-updates).

package managedkind

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/metrics"
)

// ReasonUpdateLoop is the event a stop records.
const ReasonUpdateLoop event.Reason = "UpdateLoopStopped"

// Default limits: five updates that change nothing within an hour. A loop at the default 10-minute poll is stopped
// within the hour; a resource converging slowly (the cloud's value moving) is never stopped.
const (
	DefaultLoopLimit  = 5
	DefaultLoopWindow = time.Hour
)

// A LoopBreaker remembers, per resource, the updates that left the cloud as it was. It is shared by a kind's
// reconciles; what it holds is lost on restart, which costs at most Limit more updates.
type LoopBreaker struct {
	// Limit is how many updates that change nothing stop writes; 0 never stops.
	Limit int
	// Window is the time within which they count.
	Window time.Duration
	// Kind labels the metric.
	Kind string

	mu    sync.Mutex
	loops map[types.UID]*loop
	now   func() time.Time
}

// A loop is one resource's record: the difference its last update was sent for, how many updates left it as it
// was since first, whether an update was sent since the last observation, and the retry annotation at the stop.
type loop struct {
	diff    string
	gen     int64
	count   int
	first   time.Time
	updated bool
	stopped bool
	retry   string
}

// NewLoopBreaker returns a breaker for a kind.
func NewLoopBreaker(kind string, limit int, window time.Duration) *LoopBreaker {
	return &LoopBreaker{Kind: kind, Limit: limit, Window: window, loops: map[types.UID]*loop{}, now: time.Now}
}

// observed judges an observation of cr whose difference is drifted (the fields with the spec's and the cloud's
// values, describeDrift): an error when the breaker stops writes to cr, nil otherwise.
func (b *LoopBreaker) observed(cr resource.Managed, upToDate bool, drifted string, rec event.Recorder) error {
	if b == nil || b.Limit <= 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	uid, gen, retry := cr.GetUID(), cr.GetGeneration(), cr.GetAnnotations()[v1alpha1.AnnotationRetryUpdates]
	l := b.loops[uid]
	if upToDate || meta.WasDeleted(cr) {
		delete(b.loops, uid)
		if c := cr.GetCondition(v1alpha1.TypeUpdateLoop); c.Status == corev1.ConditionTrue {
			cr.SetConditions(loopCondition(corev1.ConditionFalse, v1alpha1.ReasonInSync, gen, "the cloud resource matches the spec"))
		}
		return nil
	}
	now := b.now()
	switch {
	case l == nil || l.diff != drifted || l.gen != gen || now.Sub(l.first) > b.Window || (l.stopped && l.retry != retry):
		// A new difference, a new spec, an old record, or a person asking to retry: count from here.
		l = &loop{diff: drifted, gen: gen, first: now, retry: retry}
		b.loops[uid] = l
		if c := cr.GetCondition(v1alpha1.TypeUpdateLoop); c.Status == corev1.ConditionTrue {
			cr.SetConditions(loopCondition(corev1.ConditionFalse, v1alpha1.ReasonUpdatesResumed, gen, "writes resumed: the spec, the cloud or "+
				v1alpha1.AnnotationRetryUpdates+" changed"))
		}
	case l.updated:
		// The update before this observation left the cloud reporting the same values.
		l.count++
		l.updated = false
	}
	if !l.stopped && l.count < b.Limit {
		return nil
	}
	msg := fmt.Sprintf("%d updates in %s left the cloud resource as it was, so writes to it stopped: %s. Change the spec "+
		"(to the cloud's value, if the cloud is right), or annotate %s with a new value to try again",
		l.count, now.Sub(l.first).Round(time.Second), drifted, v1alpha1.AnnotationRetryUpdates)
	if !l.stopped {
		l.stopped, l.retry = true, retry
		metrics.UpdateLoopsStopped.WithLabelValues(b.Kind).Inc()
		rec.Event(cr, event.Warning(ReasonUpdateLoop, fmt.Errorf("%s", msg)))
	}
	cr.SetConditions(loopCondition(corev1.ConditionTrue, v1alpha1.ReasonUpdatesStopped, gen, msg))
	return fmt.Errorf("update loop: %s", msg)
}

// updated records that an update was sent to cr.
func (b *LoopBreaker) updated(cr resource.Managed) {
	if b == nil || b.Limit <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if l := b.loops[cr.GetUID()]; l != nil {
		l.updated = true
	}
}

func loopCondition(s corev1.ConditionStatus, r xpv2.ConditionReason, gen int64, msg string) xpv2.Condition {
	return xpv2.Condition{Type: v1alpha1.TypeUpdateLoop, Status: s, Reason: r, Message: msg, LastTransitionTime: metav1.Now(), ObservedGeneration: gen}
}

// broken is the chain's link for the breaker (between leased and declared): it judges every observation of an
// existing resource that differs, and records every update sent.
type broken[T resource.ModernManaged] struct {
	managed.TypedExternalClient[T]
	breaker *LoopBreaker
	fields  Fields
	record  event.Recorder
}

func (l *broken[T]) Observe(ctx context.Context, cr T) (managed.ExternalObservation, error) {
	o, err := l.TypedExternalClient.Observe(ctx, cr)
	if err != nil || !o.ResourceExists || StillCreating(cr) || l.breaker == nil || l.breaker.Limit <= 0 {
		return o, err
	}
	drifted := ""
	if !o.ResourceUpToDate {
		drifted = describeDrift(cr, l.fields, strings.Split(o.Diff, "; "))
	}
	return o, l.breaker.observed(cr, o.ResourceUpToDate, drifted, l.record)
}

func (l *broken[T]) Update(ctx context.Context, cr T) (managed.ExternalUpdate, error) {
	u, err := l.TypedExternalClient.Update(ctx, cr)
	if err == nil {
		l.breaker.updated(cr)
	}
	return u, err
}
