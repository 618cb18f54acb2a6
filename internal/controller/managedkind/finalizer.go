package managedkind

import (
	"context"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// finalizerName is the managed reconciler's own finalizer, so that resources made before this provider version
// (or by its upstream default) are finalized the same way.
const finalizerName = "finalizer.managedresource.crossplane.io"

// A createFinalizer replaces the runtime's finalizer, which writes the resource to add itself on the first
// reconcile: one write per resource on the way to Ready. When the last Observe in this reconcile said the cloud
// resource does not exist, the finalizer is added in memory only: the runtime's next step is its create-pending
// update, which persists it before Create is called, so no cloud resource is ever made without it. Otherwise —
// the resource exists (adopted, or made before a crash) — the finalizer is written at once, as the runtime would.
type createFinalizer struct {
	api resource.Finalizer

	mu sync.Mutex
	// absent holds the resources whose Observe, in the reconcile now running, found nothing in the cloud. An
	// entry is removed by the next Observe that finds something and by AddFinalizer or RemoveFinalizer.
	absent map[types.UID]struct{}
}

func newCreateFinalizer(c client.Client) *createFinalizer {
	return &createFinalizer{api: resource.NewAPIFinalizer(c, finalizerName), absent: map[types.UID]struct{}{}}
}

func (f *createFinalizer) observed(obj client.Object, absent bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !absent {
		delete(f.absent, obj.GetUID())
		return
	}
	f.absent[obj.GetUID()] = struct{}{}
}

func (f *createFinalizer) take(obj client.Object) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.absent[obj.GetUID()]
	delete(f.absent, obj.GetUID())
	return ok
}

// AddFinalizer adds the finalizer: in memory when nothing exists in the cloud yet (see createFinalizer), with a
// write otherwise.
func (f *createFinalizer) AddFinalizer(ctx context.Context, obj resource.Object) error {
	absent := f.take(obj)
	if meta.FinalizerExists(obj, finalizerName) {
		return nil
	}
	if absent && !meta.WasDeleted(obj) {
		meta.AddFinalizer(obj, finalizerName)
		return nil
	}
	return f.api.AddFinalizer(ctx, obj)
}

// RemoveFinalizer removes the finalizer with a write.
func (f *createFinalizer) RemoveFinalizer(ctx context.Context, obj resource.Object) error {
	f.take(obj)
	return f.api.RemoveFinalizer(ctx, obj)
}
