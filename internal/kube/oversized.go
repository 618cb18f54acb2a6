package kube

import (
	"context"
	"fmt"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// OversizedAnnotation marks, in the provider's cache only, an object whose metadata was too large to keep: its
// value is the size found, in bytes. It is never written to the API server: an object carrying it is not
// reconciled, and nothing writes it back but its status.
const OversizedAnnotation = "stateful.dev/oversized-metadata-bytes"

// DefaultMaxMetadataBytes is how much metadata a cached object may carry before it is kept as a stub. The spec
// of every kind is bounded by its CRD (about 110 KiB at most in ASCII), so a resource written by kubectl, Argo
// CD or Flux — whose last-applied annotation copies the spec — stays below it; what a tenant can make larger
// without bound is the metadata the API server does not limit: labels, finalizers, owner references
// (annotations are limited to 256 KiB in all). A namespace's number of objects is the administrator's to bound
// (ResourceQuota).
const DefaultMaxMetadataBytes = 128 << 10

// MetadataBytes estimates the bytes of o's metadata that have no bound but the API server's 1.5 MiB request
// limit: annotations, labels, finalizers and owner references. It reads lengths only and encodes nothing, so
// the informers pay a few nanoseconds an event.
func MetadataBytes(o metav1.Object) int {
	n := 0
	for k, v := range o.GetAnnotations() {
		n += len(k) + len(v)
	}
	for k, v := range o.GetLabels() {
		n += len(k) + len(v)
	}
	for _, f := range o.GetFinalizers() {
		n += len(f)
	}
	for _, r := range o.GetOwnerReferences() {
		n += len(r.APIVersion) + len(r.Kind) + len(r.Name) + len(r.UID) + 32 // 32: the two booleans and the keys
	}
	return n
}

// TrimOversized returns an informer transform that keeps an object whose metadata exceeds limit bytes as a stub:
// its annotations, labels, finalizers and owner references dropped and OversizedAnnotation set; name, namespace,
// UID, resourceVersion, generation, deletion timestamp, spec and status (bounded by the CRD) are kept. Without
// it a tenant's few hundred objects at the API server's limit would hold hundreds of MiB in the provider's cache,
// past its memory limit, and no tenant would be served. Only objects of the kinds applies says are trimmed; next,
// when set, runs first on every object.
func TrimOversized(limit int, applies func(any) bool, next toolscache.TransformFunc) toolscache.TransformFunc {
	return func(in any) (any, error) {
		if next != nil {
			var err error
			if in, err = next(in); err != nil {
				return in, err
			}
		}
		o, ok := in.(metav1.Object)
		if !ok || !applies(in) {
			return in, nil
		}
		if n := MetadataBytes(o); n > limit {
			o.SetAnnotations(map[string]string{OversizedAnnotation: fmt.Sprint(n)})
			o.SetLabels(nil)
			o.SetFinalizers(nil)
			o.SetOwnerReferences(nil)
		}
		return in, nil
	}
}

// Oversized reports whether o is a stub TrimOversized left in the cache.
func Oversized(o metav1.Object) bool {
	_, ok := o.GetAnnotations()[OversizedAnnotation]
	return ok
}

// SkipOversized wraps a reconciler of objects that TrimOversized may stub (newObj returns an empty one) so that
// a stub is never handed to it: a reconciler writes the whole object back (finalizers, annotations) and would
// erase what the stub dropped. Instead the object's Synced condition says why it is not reconciled, written to
// the status alone by a patch that carries only the conditions, once. Deleting such an object waits, finalizer
// kept, until its metadata is smaller: the cloud resource is never orphaned for want of a read.
//
// cache is the informers' reader: the stub is what they hold (a client that reads live after its own writes would
// answer the whole object once the condition is written).
func SkipOversized(inner reconcile.Reconciler, cache client.Reader, kube client.Client, newObj func() client.Object) reconcile.Reconciler {
	return &skipOversized{inner: inner, cache: cache, kube: kube, newObj: newObj}
}

type skipOversized struct {
	inner  reconcile.Reconciler
	cache  client.Reader
	kube   client.Client
	newObj func() client.Object
}

func (s *skipOversized) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	cached := s.newObj()
	// Read only, on every reconcile of the kind: the cache's own object, not a copy. Only a stub is copied.
	if err := s.cache.Get(ctx, req.NamespacedName, cached, client.UnsafeDisableDeepCopy); err != nil || !Oversized(cached) {
		return s.inner.Reconcile(ctx, req) // not found, or not a stub: the reconciler reads it as usual
	}
	obj, ok := cached.DeepCopyObject().(client.Object)
	if !ok {
		return reconcile.Result{}, nil
	}
	c, ok := obj.(conditioned)
	if !ok {
		return reconcile.Result{}, nil
	}
	want := xpv2.Condition{
		Type: xpv2.TypeSynced, Status: corev1.ConditionFalse, Reason: v1alpha1.ReasonMetadataTooLarge,
		Message: fmt.Sprintf("not reconciled: the object's labels, annotations, finalizers and owner references take %s bytes, "+
			"more than the provider keeps (%s); make them smaller",
			obj.GetAnnotations()[OversizedAnnotation], maxFlag),
		LastTransitionTime: metav1.Now(), ObservedGeneration: obj.GetGeneration(),
	}
	if cur := c.GetCondition(xpv2.TypeSynced); cur.Equal(want) {
		return reconcile.Result{}, nil
	}
	c.SetConditions(want)
	// A merge patch of the status subresource: the body holds the conditions only, so nothing the stub lacks is
	// written.
	return reconcile.Result{}, s.kube.Status().Patch(ctx, obj, client.MergeFrom(cached))
}

// maxFlag names the setting in the condition message, so an administrator knows what to raise.
const maxFlag = "--max-metadata-bytes"
