// SkipUnchanged drops Kubernetes writes that would change nothing. crossplane-runtime's managed reconciler
// updates status at the end of every reconcile, an in-sync poll included; the API server then stores nothing
// (resourceVersion stays) but still decodes, validates (CEL included) and admits the request. At 10,000 resources
// on a 10-minute poll that is 17 needless requests a second. It also drops the one status write the next reconcile
// always replaces before anyone could act on it: see created.go.

package kube

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// SkipUnchanged wraps c so that an Update or a status Update of an object equal to the informer's copy at the same
// resourceVersion is not sent: it would be a no-op at the API server. A write from a stale copy still goes (and
// fails with a conflict, as it would have); an object the cache does not hold is always written. Nor is the status
// write that ends a brand-new managed resource's successful create sent (see created): the observation the
// runtime queues at once writes the status it finds.
func SkipUnchanged(c client.Client, cache client.Reader) client.Client {
	return &skipping{Client: c, cache: cache, created: &created{}}
}

type skipping struct {
	client.Client
	cache   client.Reader
	created *created
}

// unchanged reports whether obj is exactly what the cache holds at obj's resourceVersion.
func unchanged(ctx context.Context, cache client.Reader, obj client.Object) bool {
	if obj.GetResourceVersion() == "" {
		return false
	}
	cur, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return false
	}
	if err := cache.Get(ctx, client.ObjectKeyFromObject(obj), cur); err != nil {
		return false
	}
	return cur.GetResourceVersion() == obj.GetResourceVersion() && equality.Semantic.DeepEqual(cur, obj)
}

func (c *skipping) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	if len(opts) == 0 && unchanged(ctx, c.cache, obj) {
		return nil
	}
	if err := c.Client.Update(ctx, obj, opts...); err != nil {
		return err
	}
	c.created.afterUpdate(obj)
	return nil
}

func (c *skipping) Status() client.SubResourceWriter {
	return &skippingStatus{SubResourceWriter: c.Client.Status(), cache: c.cache, created: c.created}
}

type skippingStatus struct {
	client.SubResourceWriter
	cache   client.Reader
	created *created
}

func (w *skippingStatus) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	if w.created.superseded(obj) && len(opts) == 0 {
		return nil
	}
	if len(opts) == 0 && unchanged(ctx, w.cache, obj) {
		return nil
	}
	return w.SubResourceWriter.Update(ctx, obj, opts...)
}
