// Package kube is what the provider puts between itself and the Kubernetes API: the decorators of its client
// (writes that would change nothing are not sent, reads follow the provider's own writes, every status write
// carries what kstatus reads), what its informers keep (no managedFields, no oversized tenant object), and the
// guard that keeps such an object from its reconcilers. NewClient composes the client decorators in their order.
package kube
