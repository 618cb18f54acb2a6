package managedkind

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A connector resolves a managed resource's ProviderConfig into the kind's external client, inside the chain.
type connector[T resource.ModernManaged, Acct any, API any] struct {
	usage     resource.ModernTracker
	creds     *credentials.Resolver
	secrets   *SecretGuard
	leases    *Leases
	finalizer *createFinalizer
	kind      Kind[T, Acct, API]
	record    event.Recorder
	kube      client.Client
	loops     *LoopBreaker
}

// Connect checks, in this order and before any cloud call, that
//  1. the resource's ProviderConfig serves its namespace (Admit; then its usage is tracked), or lets a refused
//     resource being deleted go without touching the cloud;
//  2. its account resolves (credentials, endpoints, Vault);
//  3. through a shared identity, what it asks to adopt or observe is allowed (allowedAdoptions);
//  4. through a shared identity, what it names is allowed (allowedReferences; not while it is being deleted);
//
// then returns the kind's external client, with the account's cached service client, inside the chain.
func (c *connector[T, Acct, API]) Connect(ctx context.Context, cr T) (managed.TypedExternalClient[T], error) {
	if letGo, err := Admit(ctx, c.creds, c.usage, c.record, cr); letGo != nil || err != nil {
		if letGo != nil {
			return c.letGo(letGo), nil
		}
		return nil, err
	}
	k := c.kind
	acct, err := k.Cloud.Account(ctx, c.creds, cr)
	if err != nil {
		return nil, err
	}
	reach := k.Cloud.Reach(acct)
	if err := k.Adoption.Admit(reach, cr); err != nil {
		return nil, err
	}
	if k.References != nil && !meta.WasDeleted(cr) {
		if err := reach.Admit(cr.GetNamespace(), k.References(cr)...); err != nil {
			return nil, err
		}
	}
	api, err := k.NewAPI(ctx, acct, cr)
	if err != nil {
		return nil, err
	}
	own := k.Own()
	own.Leases, own.Name, own.Reach = c.leases, c.cloudName(acct), reach
	ext := k.NewExternal(Conn[T, Acct, API]{API: api, Account: acct, Record: c.record, Kube: c.kube, Own: own})
	return c.chain(ext, own, k.Rejects), nil
}

// cloudName names the cloud resource a resource manages for leases: kind, account (with the kind's endpoint
// override), location where names are unique only there, and the external name.
func (c *connector[T, Acct, API]) cloudName(acct Acct) func(context.Context, T) (CloudName, error) {
	k := c.kind
	return func(ctx context.Context, cr T) (CloudName, error) {
		account, err := k.Cloud.LeaseAccount(ctx, acct)
		if err != nil {
			return CloudName{}, err
		}
		if k.Endpoint != nil {
			if e := k.Endpoint(acct); e != "" {
				account += "@" + e
			}
		}
		loc := ""
		if k.Location != nil {
			loc = k.Location(cr)
		}
		return CloudName{Kind: k.GVK, Account: account, Location: loc, Name: meta.GetExternalName(cr)}, nil
	}
}
