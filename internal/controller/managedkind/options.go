package managedkind

import (
	"context"
	"math/rand"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crcontroller "sigs.k8s.io/controller-runtime/pkg/controller"

	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Options are the provider-wide settings each controller is built with.
type Options struct {
	controller.Options

	// PollJitter spreads polls of many resources over time so that they do not all hit the cloud at once.
	PollJitter time.Duration
	// BusyPoll is the poll interval of a resource in a transitional state (an RDS instance creating or modifying,
	// a DynamoDB table or index not ACTIVE), so that Ready and the next change follow the cloud closely.
	BusyPoll time.Duration

	// CreationGracePeriod is how long after a create a "not found" is not trusted: no second create happens
	// while an eventually consistent API has not caught up.
	CreationGracePeriod time.Duration

	// CacheSyncTimeout bounds how long a controller waits for its informer; past it the provider exits.
	CacheSyncTimeout time.Duration

	// Credentials resolves ProviderConfigs for every controller, sharing one cache.
	Credentials *credentials.Resolver

	// Leases decide, atomically, which managed resource owns a cloud name.
	Leases *Leases

	// Secrets keeps managed resources from writing connection details into Secrets they do not control.
	Secrets *SecretGuard

	// LoopLimit and LoopWindow are the update-loop breaker's (loop.go): updates that leave the cloud as it was,
	// LoopLimit times within LoopWindow, stop writes to the resource. LoopLimit 0 never stops.
	LoopLimit  int
	LoopWindow time.Duration

	// PerNamespace caps each kind's concurrent reconciles of one namespace's resources that use a namespaced
	// ProviderConfig (see LimitPerNamespace); 0 is DefaultPerNamespace of the kind's workers.
	PerNamespace int

	// ManagedKinds lists each managed kind; the config controllers keep a deleted config while any references it.
	ManagedKinds []func() resource.ManagedList
}

// ControllerOptions returns controller-runtime options with the provider's settings applied.
func (o Options) ControllerOptions() crcontroller.Options {
	c := o.ForControllerRuntime()
	if o.CacheSyncTimeout > 0 {
		c.CacheSyncTimeout = o.CacheSyncTimeout
	}
	return c
}

// Recorder returns the event recorder for the named controller.
func Recorder(mgr ctrl.Manager, name string) event.Recorder {
	return event.NewAPIRecorder(mgr.GetEventRecorderFor(name)) //nolint:staticcheck // crossplane-runtime v2.4 still records through the old events API.
}

// ExternalNameInMemory replaces crossplane-runtime's NameAsExternalName, which writes the managed resource to set
// its external name before anything else happens: one write per resource on the way to Ready of the six the
// runtime makes. Here the name is only set on the object in memory; the runtime's next write of the object — the
// create-pending update before Create, or the finalizer's when the resource already exists (see createFinalizer)
// — persists it. Until then every reconcile derives the same name again, so nothing acts on a different one.
func ExternalNameInMemory(_ context.Context, mg resource.Managed) error {
	if meta.GetExternalName(mg) == "" {
		meta.SetExternalName(mg, mg.GetName())
	}
	return nil
}

// TrackUsage records that mg uses its ProviderConfig, so that a config in use cannot be deleted.
//
// NOTE: a resource being deleted does not fail on it. When its namespace is terminating, the namespace controller
// has already deleted the usage and the API server refuses to create one in that namespace; refusing to connect
// would then keep the resource's finalizer, and the namespace, forever.
func TrackUsage(ctx context.Context, t resource.ModernTracker, mg resource.ModernManaged) error {
	if err := t.Track(ctx, mg); err != nil && !meta.WasDeleted(mg) {
		return errors.Wrap(err, "cannot track ProviderConfig usage")
	}
	return nil
}

// ShortPollWhile polls a managed resource every short while busy says it is in a transitional state (an RDS
// instance creating or modifying), so Ready follows the cloud closely, and at the provider's poll interval, with
// its jitter, otherwise.
//
// NOTE: crossplane-runtime keeps only the last poll interval hook, so this one applies the jitter itself.
func ShortPollWhile(o Options, short time.Duration, busy func(resource.Managed) bool) managed.ReconcilerOption {
	return managed.WithPollIntervalHook(func(mg resource.Managed, interval time.Duration) time.Duration {
		if busy(mg) && short < interval {
			return short
		}
		return interval + time.Duration((rand.Float64()-0.5)*2*float64(o.PollJitter)) //nolint:gosec // Jitter needs no secure randomness.
	})
}

// sharedLists lists from the informer cache without deep-copying each object. The state metrics count every
// managed resource of a kind every few seconds and only read their conditions: a deep copy of each was most of
// the garbage the provider made in steady state (a heap profile at 2,000 resources).
type sharedLists struct{ client.Client }

func (c sharedLists) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	return c.Client.List(ctx, list, append(opts, client.UnsafeDisableDeepCopy)...)
}
