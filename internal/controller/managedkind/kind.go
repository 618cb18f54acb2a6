package managedkind

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A Registration is one managed kind as register.go lists it: every kind is listed there, once.
type Registration interface {
	// GroupVersionKind names the kind.
	GroupVersionKind() schema.GroupVersionKind
	// NewList returns an empty list of the kind.
	NewList() resource.ManagedList
	// Setup registers the kind's controller, to start once its CRD exists.
	Setup(mgr ctrl.Manager, o Options) error
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
	// Location returns where a resource's name is unique, for claims: an AWS region, a Bigtable instance; nil or
	// "" where names are unique in the whole account (S3 buckets, Pub/Sub topics).
	Location func(T) string
	// Endpoint returns the account's endpoint override for the kind's service, if any: the same project behind
	// two emulators is two accounts to claims. Nil where the cloud's account already names it (AWS).
	Endpoint func(Acct) string
	// NewAPI returns the service client for an account (and the resource's region, where the service has them),
	// from the account's client cache.
	NewAPI func(ctx context.Context, acct Acct, cr T) (API, error)
	// Invalid reports whether an error is the service rejecting the input; nil is the cloud's rule.
	Invalid func(error) bool
	// Adoption says how a resource asks to adopt or observe what the provider did not make: through a
	// ClusterProviderConfig the config's allowedAdoptions must admit it (mr.Adoption).
	Adoption mr.Adoption[T]
	// References lists what a resource names that the provider does not make (KMS keys, ...): through a
	// ClusterProviderConfig each must be in the config's allowedReferences. Nil when the kind names none.
	References func(T) []credentials.Reference
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
	// Claims and Scope are the claim on the resource's cloud name that the chain takes before the first write:
	// the external client's ownership record (mr.OwnRecord) reads the same claim.
	Claims *claim.Store
	Scope  mr.ScopeFunc[T]
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
		creds: o.Credentials, secrets: o.Secrets, claims: o.Claims, finalizer: f, kind: k, record: Recorder(mgr, name), kube: mgr.GetClient(),
	}
	opts := reconcilerOptions[T](mgr, o, name, c, f)
	if k.Options != nil {
		opts = append(opts, k.Options(o)...)
	}
	return register(mgr, o, k.GVK, k.Object, k.List(), opts...)
}
