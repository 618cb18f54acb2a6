// Package kindtest drives a kind's external client the way the managed reconciler does, behind the wrapper every
// kind's connector puts around it (managedkind.Leased), for unit tests of what reaches the cloud over many reconciles.
package kindtest

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Leased wraps ext as a kind's connector does (managedkind.Leased), with leases of its own (an in-memory API
// server) and the kind's classification of rejected input.
func Leased[T resource.ModernManaged](
	gvk schema.GroupVersionKind,
	ext managed.TypedExternalClient[T],
	invalid func(error) bool,
) managed.TypedExternalClient[T] {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	kube := fake.NewClientBuilder().WithScheme(s).Build()
	own := managedkind.Ownership[T]{
		Leases: managedkind.NewLeases(kube, kube, "crossplane-system", 0),
		Name: func(_ context.Context, cr T) (managedkind.CloudName, error) {
			return managedkind.CloudName{Kind: gvk, Account: "test", Name: meta.GetExternalName(cr)}, nil
		},
	}
	return managedkind.Leased(ext, own, invalid)
}

// Reconcile runs n reconciles of cr that is not being deleted, as the managed reconciler does: Observe, then Create
// when the resource does not exist or Update when it is not up to date. An error ends that reconcile, as it ends
// the reconciler's (which requeues it with backoff). It returns the last error.
func Reconcile[T resource.ModernManaged](ctx context.Context, c managed.TypedExternalClient[T], cr T, n int) error {
	var last error
	for range n {
		o, err := c.Observe(ctx, cr)
		switch {
		case err != nil:
		case !o.ResourceExists:
			_, err = c.Create(ctx, cr)
		case !o.ResourceUpToDate:
			_, err = c.Update(ctx, cr)
		}
		last = err
	}
	return last
}
