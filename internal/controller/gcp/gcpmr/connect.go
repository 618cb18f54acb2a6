// Package gcpmr holds what the GCP kinds share beyond what every cloud does (package mr): their controller setup,
// and the scope of a claim — project (with the endpoint when it is overridden) and location.
package gcpmr

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr"
	"github.com/stateful-dev/provider-stateful/internal/controller/setup"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A Kind is what differs between GCP kinds' controllers; Setup supplies the rest.
type Kind[T resource.ModernManaged, API any] struct {
	// GroupKind and GVK name the kind.
	GroupKind string
	GVK       schema.GroupVersionKind
	// Object and List are empty instances of the kind and its list.
	Object T
	List   resource.ManagedList
	// Location returns where a resource lives, for claims; "" for kinds whose names are unique in a project.
	Location func(T) string
	// Endpoint is the endpoint override of the kind's service, if any: two emulators are two projects.
	Endpoint func(*credentials.GCPAccount) string
	// NewAPI returns the account's service client (cached in the account).
	NewAPI func(ctx context.Context, acct *credentials.GCPAccount) (API, error)
	// Invalid reports whether an error is the service rejecting the input (gRPC InvalidArgument when nil).
	Invalid func(error) bool
	// Adoption says how a resource asks to adopt or observe what the provider did not make: through a
	// ClusterProviderConfig the config's allowedAdoptions must admit it (mr.Adoption).
	Adoption mr.Adoption[T]
	// References lists what a resource names that the provider does not make (KMS keys, ...): through a
	// ClusterProviderConfig each must be in the config's allowedReferences. Nil when the kind names none.
	References func(T) []credentials.Reference
	// NewExternal returns the external client for one reconcile. scope is the claim scope the connector wraps it
	// with: the client's ownership record (mr.OwnRecord) must read the same claim.
	NewExternal func(api API, acct *credentials.GCPAccount, record event.Recorder, scope mr.ScopeFunc[T]) managed.TypedExternalClient[T]
}

// SetupGated registers the kind's controller once its CRD exists.
func SetupGated[T resource.ModernManaged, API any](mgr ctrl.Manager, o setup.Options, k Kind[T, API]) error {
	setup.Gated(o, func() error { return Setup(mgr, o, k) }, k.GVK)
	return nil
}

// Setup registers the managed reconciler of a GCP kind.
func Setup[T resource.ModernManaged, API any](mgr ctrl.Manager, o setup.Options, k Kind[T, API]) error {
	name := managed.ControllerName(k.GroupKind)
	c := &connector[T, API]{
		usage: resource.NewProviderConfigUsageTracker(mgr.GetClient(), &apisv1alpha1.ProviderConfigUsage{}),
		creds: o.Credentials, secrets: o.Secrets, claims: o.Claims, kind: k, record: setup.Recorder(mgr, name),
	}
	opts := setup.ManagedOptions[T](mgr, o, name, c)
	return setup.Managed(mgr, o, k.GVK, k.Object, k.List, opts...)
}

type connector[T resource.ModernManaged, API any] struct {
	usage   resource.ModernTracker
	creds   *credentials.Resolver
	secrets *setup.SecretGuard
	claims  *claim.Store
	kind    Kind[T, API]
	record  event.Recorder
}

// Connect admits the resource (mr.Admit), then returns an external client with the account's (cached) service
// client, behind the claim on the cloud name.
func (c *connector[T, API]) Connect(ctx context.Context, cr T) (managed.TypedExternalClient[T], error) {
	if letGo, err := mr.Admit(ctx, c.creds, c.usage, c.record, cr); letGo != nil || err != nil {
		return letGo, err
	}
	acct, err := c.creds.GCP(ctx, cr)
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
	api, err := c.kind.NewAPI(ctx, acct)
	if err != nil {
		return nil, err
	}
	invalid := c.kind.Invalid
	if invalid == nil {
		invalid = gcpclient.IsInvalidInput
	}
	scope := Scope[T](c.kind.GVK, acct, c.kind.Endpoint, c.kind.Location)
	ext := &mr.Claimed[T]{TypedExternalClient: c.kind.NewExternal(api, acct, c.record, scope), Claims: c.claims, Scope: scope, Invalid: invalid}
	return setup.Guarded(c.secrets, ext), nil
}

// Scope names the cloud resource cr manages for claims: kind, project (with the endpoint override), location and
// the external name.
func Scope[T resource.Managed](gvk schema.GroupVersionKind, acct *credentials.GCPAccount, endpoint func(*credentials.GCPAccount) string, location func(T) string) mr.ScopeFunc[T] {
	return func(_ context.Context, cr T) (claim.Scope, error) {
		account := acct.ProjectID
		if e := endpoint(acct); e != "" {
			account += "@" + e
		}
		loc := ""
		if location != nil {
			loc = location(cr)
		}
		return claim.Scope{Kind: gvk, Account: account, Location: loc, Name: meta.GetExternalName(cr)}, nil
	}
}

// PubSubEndpoint is the account's Pub/Sub endpoint override, for claims ("" for Google's).
func PubSubEndpoint(a *credentials.GCPAccount) string { return grpcEndpoint(a.Endpoints.PubSub) }

// BigtableEndpoint is the account's Bigtable endpoint override, for claims ("" for Google's).
func BigtableEndpoint(a *credentials.GCPAccount) string { return grpcEndpoint(a.Endpoints.Bigtable) }

// StorageEndpoint is the account's Cloud Storage endpoint override, for claims ("" for Google's).
func StorageEndpoint(a *credentials.GCPAccount) string { return ptr.Deref(a.Endpoints.Storage, "") }

func grpcEndpoint(e *apisv1alpha1.GCPGRPCEndpoint) string {
	if e == nil {
		return ""
	}
	return e.Address
}
