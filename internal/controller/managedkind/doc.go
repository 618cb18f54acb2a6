// Package managedkind is the runtime every managed kind is built on, whatever its cloud. A kind declares itself
// once as a Kind (kind.go) — its type, its cloud, how to build its SDK client and its external client — and
// register.go lists it; Setup does the rest: the controller and its reconciler options (options.go), the
// connector that admits a resource and resolves its account (connector.go), and the chain of wrappers every
// kind's external client runs inside (chain.go, whose comment is the contract). What differs between clouds is a
// small adapter (cloud.go): how an account is resolved and named in claims, and which errors are the cloud
// rejecting the input.
package managedkind
