package awsmr

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"

	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr"
	"github.com/stateful-dev/provider-stateful/internal/controller/setup"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A Kind is what differs between AWS kinds' controllers; Setup supplies the rest.
type Kind[T resource.ModernManaged, API any] struct {
	// GroupKind and GVK name the kind.
	GroupKind string
	GVK       schema.GroupVersionKind
	// Object and List are empty instances of the kind and its list.
	Object T
	List   resource.ManagedList
	// Service keys the SDK client cache ("s3", "sqs", ...).
	Service string
	// Region returns the region a resource lives in.
	Region func(T) string
	// Global says the kind's names are unique across regions (S3 buckets): claims on them ignore the region.
	Global bool
	// NewAPI builds the service client for an account and region; it runs once per account and region.
	NewAPI func(cfg aws.Config, region string, acct *credentials.AWSAccount) API
	// NewExternal returns the external client for one reconcile.
	NewExternal func(api API, acct *credentials.AWSAccount, record event.Recorder) managed.TypedExternalClient[T]
	// Adoption says how a resource asks to adopt or observe what the provider did not make: through a
	// ClusterProviderConfig the config's allowedAdoptions must admit it (mr.Adoption).
	Adoption mr.Adoption[T]
	// References lists what a resource names that the provider does not make (KMS keys, ...): through a
	// ClusterProviderConfig each must be in the config's allowedReferences. Nil when the kind names none.
	References func(T) []credentials.Reference
	// Options are extra reconciler options (e.g. a short poll while busy).
	Options []managed.ReconcilerOption
}

// Setup registers the managed reconciler of an AWS kind.
func Setup[T resource.ModernManaged, API any](mgr ctrl.Manager, o setup.Options, k Kind[T, API]) error {
	name := managed.ControllerName(k.GroupKind)
	c := &connector[T, API]{
		usage: resource.NewProviderConfigUsageTracker(mgr.GetClient(), &apisv1alpha1.ProviderConfigUsage{}),
		creds: o.Credentials, secrets: o.Secrets, claims: o.Claims, kind: k, record: setup.Recorder(mgr, name),
	}
	opts := append(setup.ManagedOptions[T](mgr, o, name, c), k.Options...)
	return setup.Managed(mgr, o, k.GVK, k.Object, k.List, opts...)
}

// SetupGated registers the kind's controller once its CRD exists.
func SetupGated[T resource.ModernManaged, API any](mgr ctrl.Manager, o setup.Options, k Kind[T, API]) error {
	setup.Gated(o, func() error { return Setup(mgr, o, k) }, k.GVK)
	return nil
}

// A connector resolves a managed resource's ProviderConfig into a service client.
type connector[T resource.ModernManaged, API any] struct {
	usage   resource.ModernTracker
	creds   *credentials.Resolver
	secrets *setup.SecretGuard
	claims  *claim.Store
	kind    Kind[T, API]
	record  event.Recorder
}

// Connect admits the resource (mr.Admit: its ProviderConfig serves its namespace; the usage is tracked), then
// returns an external client with a service client built from the (cached) account settings.
func (c *connector[T, API]) Connect(ctx context.Context, cr T) (managed.TypedExternalClient[T], error) {
	if letGo, err := mr.Admit(ctx, c.creds, c.usage, c.record, cr); letGo != nil || err != nil {
		return letGo, err
	}
	acct, err := c.creds.AWS(ctx, cr)
	if err != nil {
		return nil, err
	}
	if err := c.kind.Adoption.Admit(acct.Reach, cr); err != nil {
		return nil, err
	}
	if c.kind.References != nil && !meta.WasDeleted(cr) {
		if err := acct.Reach.Admit(cr.GetNamespace(), c.kind.References(cr)...); err != nil {
			return nil, err
		}
	}
	region := c.kind.Region(cr)
	api := credentials.Client(acct, c.kind.Service+"/"+region, func(cfg aws.Config) API { return c.kind.NewAPI(cfg, region, acct) })
	ext := &mr.Claimed[T]{TypedExternalClient: c.kind.NewExternal(api, acct, c.record), Claims: c.claims,
		Scope: scope[T](c.kind.GVK, c.kind.Global, acct, region), Invalid: awsclient.IsInvalidInput}
	return setup.Guarded(c.secrets, ext), nil
}
