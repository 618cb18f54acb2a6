package managedkind

import (
	"context"
	"math/rand"
	"sync"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// A NamespaceLimiter counts the reconciles running for each namespace and admits at most Max at a time per
// namespace. It is safe for concurrent use.
type NamespaceLimiter struct {
	max  int
	mu   sync.Mutex
	busy map[string]int
}

// NewNamespaceLimiter returns a limiter admitting at most limit concurrent holders per namespace (at least one).
func NewNamespaceLimiter(limit int) *NamespaceLimiter {
	if limit < 1 {
		limit = 1
	}
	return &NamespaceLimiter{max: limit, busy: map[string]int{}}
}

// TryAcquire takes one of namespace ns's slots, without waiting. When it returns true the caller must call
// Release(ns) once it is done.
func (l *NamespaceLimiter) TryAcquire(ns string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[ns] >= l.max {
		return false
	}
	l.busy[ns]++
	return true
}

// Release gives back a slot TryAcquire took.
func (l *NamespaceLimiter) Release(ns string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[ns] <= 1 {
		delete(l.busy, ns) // no entry is kept for a namespace with nothing running
		return
	}
	l.busy[ns]--
}

// Busy returns how many slots namespace ns holds.
func (l *NamespaceLimiter) Busy(ns string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.busy[ns]
}

// DefaultPerNamespace is the per-namespace cap that goes with a kind's workers when none is set: a fifth of them,
// at least one. A reconcile whose endpoint accepts a connection and never answers holds its worker until the
// reconcile's deadline (a minute); at a fifth, one namespace's slow endpoints hold at most a fifth of a kind's
// workers, and it takes five namespaces' to stop the kind, while a namespace's own burst still runs five
// reconciles at a time with the default 25 workers (at AWS's usual 100 to 300 ms a reconcile, 15 to 50 a second,
// beyond what a 10-minute poll of 10,000 resources needs).
func DefaultPerNamespace(workers int) int {
	return max(1, workers/5)
}

// retryBusy is how soon a reconcile refused by the namespace limiter is tried again, with up to as much again of
// jitter, so that the refused ones of a namespace do not all come back at once.
const retryBusy = time.Second

// LimitPerNamespace wraps a managed kind's reconciler so that the resources of one namespace that use a
// namespaced ProviderConfig — endpoints and a Vault the tenant chose, which may accept a connection and never
// answer — run at most l's cap of reconciles at a time; a request beyond it is requeued at once, after about
// retryBusy, without holding a worker. Resources that use a ClusterProviderConfig reach the administrator's
// endpoints only and are not limited, so the platform's own bursts (thousands in one namespace) run at the
// kind's full width.
//
// cache reads the resource from the informer (the reconciler reads it next anyway); newObj returns an empty
// object of the kind.
func LimitPerNamespace(inner reconcile.Reconciler, l *NamespaceLimiter, cache client.Reader, newObj func() resource.Managed) reconcile.Reconciler {
	return &perNamespace{inner: inner, limit: l, cache: cache, newObj: newObj}
}

type perNamespace struct {
	inner  reconcile.Reconciler
	limit  *NamespaceLimiter
	cache  client.Reader
	newObj func() resource.Managed
}

func (p *perNamespace) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if !p.tenantConfig(ctx, req) {
		return p.inner.Reconcile(ctx, req)
	}
	if !p.limit.TryAcquire(req.Namespace) {
		jitter := time.Duration(rand.Int63n(int64(retryBusy))) //nolint:gosec // Jitter needs no secure randomness.
		return reconcile.Result{RequeueAfter: retryBusy + jitter}, nil
	}
	defer p.limit.Release(req.Namespace)
	return p.inner.Reconcile(ctx, req)
}

// tenantConfig reports whether the resource uses a namespaced ProviderConfig. A resource the cache does not hold
// (deleted) goes to the reconciler, which has nothing to do.
func (p *perNamespace) tenantConfig(ctx context.Context, req reconcile.Request) bool {
	mg := p.newObj()
	// Read only: the object is the cache's own, not a copy.
	if err := p.cache.Get(ctx, req.NamespacedName, mg, client.UnsafeDisableDeepCopy); err != nil {
		return false
	}
	m, ok := mg.(resource.ModernManaged)
	if !ok {
		return false
	}
	ref := m.GetProviderConfigReference()
	return ref != nil && ref.Kind == v1alpha1.ProviderConfigKind
}
