package managedkind

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/internal/controller/mr"
)

// chain puts a kind's external client inside the wrappers every kind runs in. Outermost first:
//
//  1. observed (finalizer.go) tells the create finalizer whether Observe found the resource absent, so that the
//     finalizer of a resource about to be created is written with its create-pending annotation, in one write.
//     It sees every answer, the inner wrappers' refusals included.
//  2. guarded (connsecret.go) refuses, before anything reaches the cloud, a connection Secret the resource does
//     not control: no resource publishes into another's Secret.
//  3. Claimed (claimed.go), in Observe: refuses an external name changed since the resource created or adopted its
//     cloud resource; answers a recorded rejection of the current spec without a cloud call; keeps a new
//     resource Creating until its whole spec is applied; releases the name's claim once a deleted resource is
//     gone. In Create and Update: takes the claim before the first write, records input the cloud rejects
//     (invalid) as terminal for the generation, and releases a claim whose create provably made nothing.
//  4. the kind's external client.
//
// The order matters: the Secret check runs before a rejection is answered (a rejected resource must not publish
// either), and the rejection is answered before the claim is released.
func (c *connector[T, Acct, API]) chain(kind managed.TypedExternalClient[T], scope mr.ScopeFunc[T], invalid func(error) bool) managed.TypedExternalClient[T] {
	claimed := &Claimed[T]{TypedExternalClient: kind, Claims: c.claims, Scope: scope, Invalid: invalid}
	return &observed[T]{TypedExternalClient: Guarded(c.secrets, claimed), f: c.finalizer}
}

// letGo is the chain of a resource being deleted whose config does not serve its namespace (Admit): only the
// finalizer hint around a client that reports the resource gone and sends nothing to the cloud.
func (c *connector[T, Acct, API]) letGo(l managed.TypedExternalClient[T]) managed.TypedExternalClient[T] {
	return &observed[T]{TypedExternalClient: l, f: c.finalizer}
}
