package managedkind

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/feature"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/statemetrics"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/kube"
)

// A Registration is one managed kind as register.go lists it: every kind is listed there, once.
type Registration interface {
	// GroupVersionKind names the kind.
	GroupVersionKind() schema.GroupVersionKind
	// NewList returns an empty list of the kind.
	NewList() resource.ManagedList
	// Setup registers the kind's controller, to start once its CRD exists.
	Setup(mgr ctrl.Manager, o Options) error
	// FieldTable is the kind's spec fields as its reconciler treats them (fields.go).
	FieldTable() Fields
	// DocPage names the kind's page under docs/kinds/, without ".md".
	DocPage() string
	// NewManaged returns an empty resource of the kind.
	NewManaged() resource.Managed
	// DeletionOf is what deleting a resource, given as its unstructured content, does to its cloud resource.
	DeletionOf(obj map[string]any) (Deletion, bool, error)
	// Refresh observes the cloud resource of a resource, given as its unstructured content, now (refresh.go).
	Refresh(ctx context.Context, env RefreshEnv, obj map[string]any) (Refreshed, error)
}

// A Kind is everything that differs between managed kinds; the runtime supplies the rest. T is the kind's Go type,
// Acct the account of its cloud (credentials.AWSAccount or GCPAccount), API its narrow SDK interface.
type Kind[T resource.ModernManaged, Acct any, API any] struct {
	// GVK names the kind.
	GVK schema.GroupVersionKind
	// Object is an empty instance of the kind; List returns an empty list of it.
	Object T
	List   func() resource.ManagedList
	// Cloud is the cloud's adapter: AWS or GCP.
	Cloud Cloud[Acct]
	// Noun names the kind's cloud resource in messages: "bucket", "DB instance".
	Noun string
	// Fields declares each spec.forProvider field once: how it is compared, what unset means, what a change does
	// (fields.go). The docs' table (DocPage) is generated from it.
	Fields Fields
	// Doc names the kind's page under docs/kinds/, without ".md": "sqs-queue".
	Doc string
	// MarksAfterCreate says the kind's create cannot mark what it makes (Ownership.MarksAfterCreate).
	MarksAfterCreate bool
	// Location returns where a resource's name is unique, for leases: an AWS region, a Bigtable instance; nil or
	// "" where names are unique in the whole account (S3 buckets, Pub/Sub topics).
	Location func(T) string
	// Endpoint returns the account's endpoint override for the kind's service, if any: the same project behind
	// two emulators is two accounts to leases. Nil where the cloud's account already names it (AWS).
	Endpoint func(Acct) string
	// NewAPI returns the service client for an account (and the resource's region, where the service has them),
	// from the account's client cache.
	NewAPI func(ctx context.Context, acct Acct, cr T) (API, error)
	// Invalid reports whether an error is the service rejecting the input; nil is the cloud's rule.
	Invalid func(error) bool
	// Adoption says how a resource asks to adopt or observe what the provider did not make: through a
	// ClusterProviderConfig the config's allowedAdoptions must admit it (Adoption).
	Adoption Adoption[T]
	// References lists what a resource names that the provider does not make (KMS keys, ...): through a
	// ClusterProviderConfig each must be in the config's allowedReferences. Nil when the kind names none.
	References func(T) []credentials.Reference
	// Deletion says what deleting a resource does to its cloud resource, as its spec tells (deletion.go).
	Deletion func(T) Deletion
	// Options are extra reconciler options (e.g. a short poll while busy); nil when there are none.
	Options func(Options) []managed.ReconcilerOption
	// NewExternal returns the kind's external client for one reconcile.
	NewExternal func(Conn[T, Acct, API]) managed.TypedExternalClient[T]
}

// A Conn is what the connector hands a kind's external client, once per reconcile.
type Conn[T resource.ModernManaged, Acct any, API any] struct {
	// API is the service client.
	API API
	// Account is the account the resource acts as.
	Account Acct
	// Record records events on the resource.
	Record event.Recorder
	// Kube is the provider's Kubernetes client (the kind's own Secrets: a generated password).
	Kube client.Client
	// Own is the ownership rule bound to the resource: its Observe applies it (Own.Apply) to what it finds, and
	// the chain takes the same lease before the first write.
	Own Ownership[T]
}

// Own is the kind's ownership rule before the connector binds it to a resource's lease and account: its marker,
// names and adoption, as a namespaced config applies them.
func (k Kind[T, Acct, API]) Own() Ownership[T] {
	return Ownership[T]{Marker: k.Cloud.Marker(), Adoption: k.Adoption, MarksAfterCreate: k.MarksAfterCreate, Kind: k.GVK.Kind, Noun: k.Noun}
}

// Rejects reports whether err is the cloud rejecting the kind's input — terminal until the spec changes: the kind's
// own rule (Invalid) where it has one, the cloud's otherwise.
func (k Kind[T, Acct, API]) Rejects(err error) bool {
	if k.Invalid != nil {
		return k.Invalid(err)
	}
	return k.Cloud.Invalid(err)
}

// FieldTable is the kind's declared fields.
func (k Kind[T, Acct, API]) FieldTable() Fields { return k.Fields }

// DocPage names the kind's page under docs/kinds/.
func (k Kind[T, Acct, API]) DocPage() string { return k.Doc }

// NewManaged returns an empty resource of the kind.
func (k Kind[T, Acct, API]) NewManaged() resource.Managed {
	return k.Object.DeepCopyObject().(resource.Managed) //nolint:forcetypeassert // T is a managed kind.
}

// GroupVersionKind names the kind.
func (k Kind[T, Acct, API]) GroupVersionKind() schema.GroupVersionKind { return k.GVK }

// NewList returns an empty list of the kind.
func (k Kind[T, Acct, API]) NewList() resource.ManagedList { return k.List() }

// Setup registers the kind's controller, to start once its CRD exists (crossplane-runtime's safe-start gate), so
// that a provider installed with some CRDs deactivated starts only the controllers it can serve.
func (k Kind[T, Acct, API]) Setup(mgr ctrl.Manager, o Options) error {
	gated(o, func() error { return k.setup(mgr, o) }, k.GVK)
	return nil
}

func (k Kind[T, Acct, API]) setup(mgr ctrl.Manager, o Options) error {
	name := managed.ControllerName(k.GVK.GroupKind().String())
	f := newCreateFinalizer(mgr.GetClient())
	c := &connector[T, Acct, API]{
		usage: resource.NewProviderConfigUsageTracker(mgr.GetClient(), &apisv1alpha1.ProviderConfigUsage{}),
		creds: o.Credentials, secrets: o.Secrets, leases: o.Leases, finalizer: f, kind: k, record: Recorder(mgr, name), kube: mgr.GetClient(),
		loops: NewLoopBreaker(k.GVK.Kind, o.LoopLimit, o.LoopWindow),
	}
	opts := reconcilerOptions[T](mgr, o, name, c, f)
	if k.Options != nil {
		opts = append(opts, k.Options(o)...)
	}
	return register(mgr, o, k.GVK, k.Object, k.List(), opts...)
}

// reconcilerOptions returns the managed reconciler options every kind uses; f is the finalizer the kind's
// connector tells what each Observe found (chain.go).
//
// Every kind has a user-chosen, deterministic external name, so a crash between a create call and the write of
// the create-succeeded annotation is recovered by observing again, never a "cannot determine creation result"
// stop: each kind's Create is safe to repeat.
func reconcilerOptions[T resource.Managed](
	mgr ctrl.Manager,
	o Options,
	name string,
	connector managed.TypedExternalConnector[T],
	f *createFinalizer,
) []managed.ReconcilerOption {
	opts := []managed.ReconcilerOption{
		managed.WithTypedExternalConnector[T](connector),
		managed.WithFinalizer(f),
		managed.WithLogger(o.Logger.WithValues("controller", name)),
		managed.WithRecorder(Recorder(mgr, name)),
		managed.WithPollInterval(o.PollInterval),
		managed.WithDeterministicExternalName(true),
		managed.WithInitializers(managed.InitializerFn(ExternalNameInMemory)),
		managed.WithReferenceResolver(NewNamespacedResolver(mgr.GetClient())),
	}
	if o.CreationGracePeriod > 0 {
		opts = append(opts, managed.WithCreationGracePeriod(o.CreationGracePeriod))
	}
	if o.PollJitter > 0 {
		opts = append(opts, managed.WithPollJitterHook(o.PollJitter))
	}
	if o.Features != nil && o.Features.Enabled(feature.EnableBetaManagementPolicies) {
		opts = append(opts, managed.WithManagementPolicies())
	}
	if o.MetricOptions != nil && o.MetricOptions.MRMetrics != nil {
		opts = append(opts, managed.WithMetricRecorder(o.MetricOptions.MRMetrics))
	}
	return opts
}

// register registers a controller for the managed kind gvk (whose Go type is obj and list type list) with mgr:
// the managed reconciler behind the global rate limiter, the per-namespace fair share (fair.go) and the guard
// against oversized objects (kube.SkipOversized), outermost last.
func register(mgr ctrl.Manager, o Options, gvk schema.GroupVersionKind, obj client.Object, list resource.ManagedList, opts ...managed.ReconcilerOption) error {
	name := managed.ControllerName(gvk.GroupKind().String())
	if o.MetricOptions != nil && o.MetricOptions.MRStateMetrics != nil {
		sm := statemetrics.NewMRStateRecorder(sharedLists{mgr.GetClient()}, o.Logger, o.MetricOptions.MRStateMetrics, list,
			o.MetricOptions.PollStateMetricInterval)
		if err := mgr.Add(sm); err != nil {
			return errors.Wrapf(err, "cannot register state metrics for %s", gvk.Kind)
		}
	}
	r := managed.NewReconciler(mgr, resource.ManagedKind(gvk), opts...)
	copts := o.ControllerOptions()
	perNS := o.PerNamespace
	if perNS <= 0 {
		perNS = DefaultPerNamespace(copts.MaxConcurrentReconciles)
	}
	newObj := func() resource.Managed { return obj.DeepCopyObject().(resource.Managed) } //nolint:forcetypeassert // obj is a managed kind.
	// The namespace cap comes first: a refused request neither waits for nor takes the global rate limit.
	limited := LimitPerNamespace(ratelimiter.NewReconciler(name, r, o.GlobalRateLimiter), NewNamespaceLimiter(perNS), mgr.GetCache(), newObj)
	// An object the cache keeps as a stub (its metadata too large) is never handed to the reconciler: see kube.
	guarded := kube.SkipOversized(limited, mgr.GetCache(), mgr.GetClient(), func() client.Object { return newObj() })
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		WithOptions(copts).
		WithEventFilter(resource.DesiredStateChanged()).
		For(obj).
		Complete(guarded)
}

// gated registers setup to run once the CRDs of gvks exist (crossplane-runtime's safe-start gate), so that a
// provider installed with some CRDs deactivated starts only the controllers it can serve.
func gated(o Options, setup func() error, gvks ...schema.GroupVersionKind) {
	o.Gate.Register(func() {
		if err := setup(); err != nil {
			panic(errors.Wrapf(err, "cannot set up controller for %v", gvks))
		}
	}, gvks...)
}
