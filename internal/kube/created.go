package kube

import (
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// created remembers, per resource, the resourceVersion of the update that recorded a successful create
// (crossplane-runtime's create-succeeded annotation) on a resource whose stored status was still empty.
//
// The managed reconciler follows that update with a status write — Ready: Creating, Synced: ReconcileSuccess —
// and requeues at once to observe what it made; that observation's status write replaces it within a reconcile.
// On a brand-new resource the first write has nothing to correct (the status is empty, not wrong), so it is not
// sent: a status update of a custom resource is the dearest request the API server serves, and a burst of
// creates was spending a quarter of its CPU on these. Once the stored status holds anything — an earlier error a
// retried create must clear — the write goes as always.
//
// What is remembered is the object the update was made with: the runtime writes the status of that same object in
// the same reconcile, and every reconcile reads a fresh one. A write that does not follow (a conflict publishing the
// connection details ends the reconcile without one) leaves nothing a later reconcile's status write could match.
type created struct {
	mu      sync.Mutex
	updated map[types.UID]update
}

// An update is the object an update was made with, and the resourceVersion the API server answered.
type update struct {
	obj client.Object
	rv  string
}

func (c *created) afterUpdate(obj client.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !createJustSucceeded(obj) || !statusEmpty(obj) {
		delete(c.updated, obj.GetUID())
		return
	}
	if c.updated == nil {
		c.updated = map[types.UID]update{}
	}
	c.updated[obj.GetUID()] = update{obj: obj, rv: obj.GetResourceVersion()}
}

// superseded reports whether the status write of obj is the post-create one described above, and forgets obj:
// only the write that directly follows the update, of the same object at the same resourceVersion, is skipped.
func (c *created) superseded(obj client.Object) bool {
	c.mu.Lock()
	u, ok := c.updated[obj.GetUID()]
	delete(c.updated, obj.GetUID())
	c.mu.Unlock()
	if !ok || u.obj != obj || u.rv != obj.GetResourceVersion() || !createJustSucceeded(obj) {
		return false
	}
	cd, ok := obj.(resource.Conditioned)
	if !ok {
		return false
	}
	ready, synced := cd.GetCondition(xpv2.TypeReady), cd.GetCondition(xpv2.TypeSynced)
	return ready.Reason == xpv2.ReasonCreating && synced.Reason == xpv2.ReasonReconcileSuccess
}

// createJustSucceeded reports whether obj records a create that succeeded after its latest pending one.
func createJustSucceeded(obj client.Object) bool {
	ok := meta.GetExternalCreateSucceeded(obj)
	return !ok.IsZero() && !ok.Before(meta.GetExternalCreatePending(obj))
}

// statusEmpty reports whether obj (as the API server answered an update) has neither Ready nor Synced.
func statusEmpty(obj client.Object) bool {
	cd, ok := obj.(resource.Conditioned)
	if !ok {
		return false
	}
	return cd.GetCondition(xpv2.TypeReady).Reason == "" && cd.GetCondition(xpv2.TypeSynced).Reason == ""
}
