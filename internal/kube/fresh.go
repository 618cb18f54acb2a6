// ReadOwnWrites makes a reconcile read what the provider itself last wrote. controller-runtime's client reads from
// the informer's cache, which learns of a write only when the watch delivers it — milliseconds later, or much later
// on a loaded API server. crossplane-runtime's managed reconciler requeues at once after a create, so the next
// reconcile can read the object from before its own create-pending or create-succeeded update: a resource it just
// made looks like one it found (its create's settings applied afterwards, a DynamoDB table's TTL, are reported as
// a spec change instead of the rest of the create), and its status write fails with a conflict.
//
// Only reads that follow the provider's own updates and patches (status included) are affected, and only until the
// cache shows them: a cached copy at another resourceVersion than the last one written is read again from the API
// server. Creates are not tracked: until the watch delivers a new object the cache answers NotFound, which no
// reconcile here mistakes for an older copy (the claim store reads its Leases from the API server; the usage
// tracker applies its usage, creating or updating it).

package kube

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// lag is how long a write is remembered: far longer than a watch takes to deliver it, short enough that an object
// written and never read again (deleted) is forgotten.
const lag = time.Minute

// ReadOwnWrites wraps c (which reads from a cache) so that Get returns an object at least as new as the last write
// through this client, reading it from live (the API server) when the cache has not caught up.
func ReadOwnWrites(c client.Client, live client.Reader) client.Client {
	return &reading{Client: c, live: live, written: &written{at: map[types.UID]write{}, now: time.Now}}
}

// A write is the resourceVersion the API server answered a write with, and when.
type write struct {
	rv string
	at time.Time
}

// written is, per object, the newest resourceVersion the cache must show before its copy is used.
type written struct {
	mu    sync.Mutex
	at    map[types.UID]write
	now   func() time.Time
	swept time.Time
}

func (w *written) record(obj client.Object) {
	if obj.GetUID() == "" || obj.GetResourceVersion() == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	w.at[obj.GetUID()] = write{rv: obj.GetResourceVersion(), at: now}
	if now.Sub(w.swept) > lag {
		for uid, wr := range w.at {
			if now.Sub(wr.at) > lag {
				delete(w.at, uid)
			}
		}
		w.swept = now
	}
}

// stale reports whether a cached copy of uid at rv predates the last write; a current copy ends the watch on uid.
func (w *written) stale(uid types.UID, rv string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	wr, ok := w.at[uid]
	switch {
	case !ok:
		return false
	case wr.rv == rv || w.now().Sub(wr.at) > lag:
		delete(w.at, uid)
		return false
	}
	return true
}

// caught records a live read after a stale cached one: the cache is current if it held what the API server has
// (someone else wrote after the provider, and the watch delivered it); otherwise it must catch up to the live copy.
func (w *written) caught(uid types.UID, cached, live string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if cached == live {
		delete(w.at, uid)
		return
	}
	w.at[uid] = write{rv: live, at: w.now()}
}

// after records obj's write when it succeeded (err is nil), and returns err.
func (w *written) after(obj client.Object, err error) error {
	if err == nil {
		w.record(obj)
	}
	return err
}

func (w *written) forget(uid types.UID) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.at, uid)
}

type reading struct {
	client.Client
	live    client.Reader
	written *written
}

func (r *reading) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if err := r.Client.Get(ctx, key, obj, opts...); err != nil {
		return err
	}
	uid, cached := obj.GetUID(), obj.GetResourceVersion()
	if !r.written.stale(uid, cached) {
		return nil
	}
	if err := r.live.Get(ctx, key, obj, opts...); err != nil {
		// Gone (a deletion the cache has not seen) or unreadable: either way the reconcile acts on the answer.
		r.written.forget(uid)
		return err
	}
	r.written.caught(uid, cached, obj.GetResourceVersion())
	return nil
}

func (r *reading) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	return r.written.after(obj, r.Client.Update(ctx, obj, opts...))
}

func (r *reading) Patch(ctx context.Context, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
	return r.written.after(obj, r.Client.Patch(ctx, obj, p, opts...))
}

func (r *reading) Status() client.SubResourceWriter {
	return &status{SubResourceWriter: r.Client.Status(), written: r.written}
}

type status struct {
	client.SubResourceWriter
	written *written
}

func (s *status) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	return s.written.after(obj, s.SubResourceWriter.Update(ctx, obj, opts...))
}

func (s *status) Patch(ctx context.Context, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
	return s.written.after(obj, s.SubResourceWriter.Patch(ctx, obj, p, opts...))
}
