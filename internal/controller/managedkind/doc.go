// Package managedkind is the runtime every managed kind is built on, whatever its cloud, and the vocabulary a kind
// speaks. A kind declares itself once as a Kind (kind.go) — its type, its cloud, how to build its SDK client and its
// external client — and register.go lists it; Setup does the rest: the controller and its reconciler options
// (options.go), the connector that admits a resource and resolves its account (connector.go), and the chain of
// wrappers every kind's external client runs inside (chain.go, whose comment is the contract). What differs
// between clouds is a small adapter (cloud.go): how an account is resolved and named in leases, how the marker is
// spelled, and which errors are the cloud rejecting the input.
//
// Ownership, in one vocabulary:
//   - the marker (marker.go): the tags or labels naming the managed resource that made or adopted a cloud resource;
//   - the lease (leases.go): a Lease reserving a cloud name for one managed resource, taken before the first write,
//     recording the latest create attempt;
//   - the verdict (ownership.go): what Observe makes of a cloud resource it found — the resource's own, adoptable,
//     another's, or nobody's it may take. The connector binds the rule to each resource (Ownership) once per
//     reconcile; the kind applies it (Ownership.Apply), the chain takes and releases the lease
//     (chain.go).
//
// What a kind returns to the runtime: the changes that bring the cloud back to the spec (changes.go), input the
// cloud rejected (rejection.go: terminal until the spec changes), what a create provably did not make
// (nothingmade.go), and the tags it wants (tags.go, written.go).
package managedkind
