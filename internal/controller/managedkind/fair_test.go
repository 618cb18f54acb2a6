package managedkind

import (
	"context"
	"sync"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/stateful-dev/provider-stateful/apis"
	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

func TestNamespaceLimiter(t *testing.T) {
	l := NewNamespaceLimiter(2)
	for i := 0; i < 2; i++ {
		if !l.TryAcquire("team-a") {
			t.Fatalf("slot %d of 2 refused", i+1)
		}
	}
	if l.TryAcquire("team-a") {
		t.Error("a third slot of team-a was admitted with a cap of 2")
	}
	if !l.TryAcquire("team-b") {
		t.Error("team-b was refused while team-a holds its own cap")
	}
	l.Release("team-a")
	if !l.TryAcquire("team-a") {
		t.Error("a released slot of team-a was not given again")
	}
	l.Release("team-a")
	l.Release("team-a")
	l.Release("team-b")
	if n := len(l.busy); n != 0 {
		t.Errorf("no slot held, yet %d namespaces are remembered", n)
	}
	if got := NewNamespaceLimiter(0).max; got != 1 {
		t.Errorf("a cap below 1 admits %d, want 1", got)
	}
}

func TestDefaultPerNamespace(t *testing.T) {
	for workers, want := range map[int]int{25: 5, 10: 2, 4: 1, 1: 1, 0: 1, 100: 20} {
		if got := DefaultPerNamespace(workers); got != want {
			t.Errorf("DefaultPerNamespace(%d): want %d, got %d", workers, want, got)
		}
	}
}

// blockingReconciler holds every reconcile until its request is released: entered gets each request as it starts.
type blockingReconciler struct {
	entered chan reconcile.Request
	mu      sync.Mutex
	release map[string]chan struct{}
}

func (b *blockingReconciler) gate(name string) chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.release[name] == nil {
		b.release[name] = make(chan struct{})
	}
	return b.release[name]
}

func (b *blockingReconciler) Reconcile(_ context.Context, req reconcile.Request) (reconcile.Result, error) {
	b.entered <- req
	<-b.gate(req.Name)
	return reconcile.Result{}, nil
}

// TestLimitPerNamespace runs the wrapper over reconciles held open (a server that never answers): one namespace's
// resources that use a namespaced ProviderConfig take at most the cap, the rest are requeued at once without
// reaching the reconciler, another namespace and resources of a ClusterProviderConfig are not held back, and a
// finished reconcile frees its slot. Every step waits on a channel, never on time.
func TestLimitPerNamespace(t *testing.T) {
	sch := runtime.NewScheme()
	if err := apis.AddToScheme(sch); err != nil {
		t.Fatal(err)
	}
	mk := func(ns, name, kind string) *v1alpha1.Bucket {
		b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		if kind != "" {
			b.Spec.ProviderConfigReference = &xpv2.ProviderConfigReference{Kind: kind, Name: "pc"}
		}
		return b
	}
	cb := fake.NewClientBuilder().WithScheme(sch)
	for _, o := range []*v1alpha1.Bucket{
		mk("team-a", "a1", "ProviderConfig"), mk("team-a", "a2", "ProviderConfig"), mk("team-a", "a3", "ProviderConfig"),
		mk("team-a", "shared", "ClusterProviderConfig"), mk("team-a", "default", ""),
		mk("team-b", "b1", "ProviderConfig"),
	} {
		cb = cb.WithObjects(o)
	}
	inner := &blockingReconciler{entered: make(chan reconcile.Request), release: map[string]chan struct{}{}}
	l := NewNamespaceLimiter(2)
	r := LimitPerNamespace(inner, l, cb.Build(), func() resource.Managed { return &v1alpha1.Bucket{} })
	req := func(ns, name string) reconcile.Request {
		return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}
	}

	// start runs a reconcile that reaches the reconciler and waits there (the barrier: entered); the channel it
	// returns is closed once the reconcile has returned.
	start := func(rq reconcile.Request) <-chan struct{} {
		t.Helper()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = r.Reconcile(context.Background(), rq)
		}()
		if got := <-inner.entered; got != rq {
			t.Fatalf("the reconciler got %v, want %v", got, rq)
		}
		return done
	}
	finish := func(rq reconcile.Request, done <-chan struct{}) {
		close(inner.gate(rq.Name))
		<-done
	}
	// refused runs a reconcile that must come back at once, requeued, without reaching the reconciler (which
	// would block: entered is unbuffered and nobody reads it meanwhile).
	refused := func(rq reconcile.Request) {
		t.Helper()
		res, err := r.Reconcile(context.Background(), rq)
		if err != nil || res.RequeueAfter < retryBusy || res.RequeueAfter >= 2*retryBusy {
			t.Errorf("%v beyond the cap: want a requeue after %s to %s, got %+v, %v", rq, retryBusy, 2*retryBusy, res, err)
		}
	}

	a1 := start(req("team-a", "a1"))
	a2 := start(req("team-a", "a2"))
	refused(req("team-a", "a3"))
	refused(req("team-a", "a3"))
	// Another namespace, and team-a's resources that use a ClusterProviderConfig (named or the default), are not
	// held back by team-a's cap; nor is a resource the cache no longer holds (the reconciler has nothing to do).
	others := map[reconcile.Request]<-chan struct{}{}
	for _, rq := range []reconcile.Request{req("team-b", "b1"), req("team-a", "shared"), req("team-a", "default"), req("team-a", "gone")} {
		others[rq] = start(rq)
	}
	if a, b := l.Busy("team-a"), l.Busy("team-b"); a != 2 || b != 1 {
		t.Errorf("slots held: team-a %d, team-b %d; want 2 and 1 (resources of a ClusterProviderConfig take none)", a, b)
	}

	// One of team-a's reconciles ends: its slot goes to the next.
	finish(req("team-a", "a1"), a1)
	a3 := start(req("team-a", "a3"))
	refused(req("team-a", "a1"))

	finish(req("team-a", "a2"), a2)
	finish(req("team-a", "a3"), a3)
	for rq, done := range others {
		finish(rq, done)
	}
	if a, b := l.Busy("team-a"), l.Busy("team-b"); a != 0 || b != 0 || len(l.busy) != 0 {
		t.Errorf("every reconcile ended, yet slots are held: team-a %d, team-b %d, %d namespaces remembered", a, b, len(l.busy))
	}
}
