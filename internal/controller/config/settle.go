package config

import (
	"context"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// settleInterval is the least time between two full reconciles of a live config. Every managed resource that
// starts or stops using a config changes a ProviderConfigUsage, and each change queues the config: in a burst of
// thousands of resources, reconciling each time would count every usage again and write the config's status
// hundreds of times. Its user count may lag by this much; a deletion, a spec change or a change of what it holds
// in Vault (a login, credentials issued, renewed or refused — rare, and what a user waits for) is never held back.
const settleInterval = 10 * time.Second

// settle remembers when each config was last reconciled in full.
type settle struct {
	interval time.Duration
	now      func() time.Time
	mu       sync.Mutex
	last     map[reconcile.Request]settled
}

// settled is a config's last full reconcile: when, and at which generation.
type settled struct {
	at         time.Time
	generation int64
}

func newSettle(d time.Duration) *settle {
	return &settle{interval: d, now: time.Now, last: map[reconcile.Request]settled{}}
}

// wait is how long the reconcile of req should wait: zero when it may run now (first time, interval passed, a new
// generation, the config gone or being deleted, or urgent for what the config holds), which it records.
func (s *settle) wait(
	ctx context.Context,
	kube client.Reader,
	req reconcile.Request,
	newObj func() (client.Object, *v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus),
	urgent func(*v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus) bool,
) time.Duration {
	if s == nil {
		return 0
	}
	obj, spec, status := newObj()
	if err := kube.Get(ctx, req.NamespacedName, obj); err != nil || obj.GetDeletionTimestamp() != nil {
		s.mu.Lock()
		delete(s.last, req)
		s.mu.Unlock()
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if l, ok := s.last[req]; ok && l.generation == obj.GetGeneration() && now.Sub(l.at) < s.interval && !urgent(spec, status) {
		return s.interval - now.Sub(l.at)
	}
	s.last[req] = settled{at: now, generation: obj.GetGeneration()}
	return 0
}
