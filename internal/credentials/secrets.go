package credentials

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// secretCache keeps the keys configs read from Secrets, with the resourceVersion they were read at, so that a
// reconcile reads no Secret from the API server unless it changed. Whether it changed comes from a metadata-only
// watch of that one Secret (a field selector on its name, in its namespace), started once a read has found it: the
// provider watches no other Secret, receives no Secret data from a watch, and holds only the keys a config uses.
// A watch ends when a read finds its Secret gone or when no config has read it for watchIdle — a tenant's configs
// naming Secrets cannot pile up watches.
type secretCache struct {
	meta metadata.Interface // nil: every read goes to the API server
	now  func() time.Time
	mu   sync.Mutex
	s    map[types.NamespacedName]*cachedSecret
	stop chan struct{}
}

// watchIdle is how long a Secret's watch outlives its last read. Every config in use is read at least once a
// poll; this is a few polls.
const watchIdle = time.Hour

// A cachedSecret is what the cache holds of one Secret: the keys read so far at one resourceVersion, and its watch.
type cachedSecret struct {
	version string
	keys    map[string][]byte // present keys read
	asked   map[string]bool   // every key read, absent ones included
	used    time.Time
	inf     cache.SharedIndexInformer
	stop    chan struct{}
}

var secretsResource = corev1.SchemeGroupVersion.WithResource("secrets")

// stripSecretMetadata is the watches' transform: only what tells one version of a Secret from another is kept.
// Annotations go too, as kubectl apply's last-applied-configuration holds a Secret's data in plain text.
func stripSecretMetadata(o any) (any, error) {
	if m, ok := o.(*metav1.PartialObjectMetadata); ok {
		m.ObjectMeta = metav1.ObjectMeta{
			Namespace: m.Namespace, Name: m.Name, UID: m.UID, ResourceVersion: m.ResourceVersion, DeletionTimestamp: m.DeletionTimestamp,
		}
	}
	return o, nil
}

// WithSecretWatches makes the resolver watch the metadata of each Secret it reads, through meta, and read a
// Secret again only when the watch shows a resourceVersion it has not read.
func (r *Resolver) WithSecretWatches(meta metadata.Interface) {
	r.secretCache.meta, r.secretCache.now = meta, time.Now
	r.secretCache.stop = make(chan struct{})
}

// stopWatches ends every Secret watch (the provider is stopping).
func (c *secretCache) stopWatches() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		close(c.stop)
		c.stop = nil
	}
	for k, e := range c.s {
		close(e.stop)
		delete(c.s, k)
	}
}

// cached returns the wanted keys when the Secret's watch shows the resourceVersion they were read at.
func (c *secretCache) cached(key types.NamespacedName, want []string) (map[string][]byte, bool) {
	c.mu.Lock()
	e, ok := c.s[key]
	if ok {
		e.used = c.now()
	}
	c.mu.Unlock()
	if !ok || !e.inf.HasSynced() {
		return nil, false
	}
	o, exists, err := e.inf.GetStore().GetByKey(key.String())
	m, isMeta := o.(*metav1.PartialObjectMetadata)
	if err != nil || !exists || !isMeta || m.ResourceVersion != e.version {
		return nil, false
	}
	out := map[string][]byte{}
	for _, k := range want {
		if !e.asked[k] {
			return nil, false
		}
		if v, ok := e.keys[k]; ok {
			out[k] = v
		}
	}
	return out, true
}

// store records the wanted keys of a Secret just read (with the keys read before at the same version), starts its
// watch if it has none, and ends the watches nobody read for watchIdle. c.mu is not held.
func (c *secretCache) store(key types.NamespacedName, s *corev1.Secret, want []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop == nil {
		return
	}
	now := c.now()
	e, ok := c.s[key]
	if !ok {
		e = c.watch(key)
	}
	if e.version != s.ResourceVersion {
		e.version, e.keys, e.asked = s.ResourceVersion, map[string][]byte{}, map[string]bool{}
	}
	for _, k := range want {
		e.asked[k] = true
		if v, ok := s.Data[k]; ok {
			e.keys[k] = v
		}
	}
	e.used = now
	for k, other := range c.s {
		if now.Sub(other.used) > watchIdle {
			close(other.stop)
			delete(c.s, k)
		}
	}
}

// forget ends the watch of a Secret a read did not find, and drops what was held of it.
func (c *secretCache) forget(key types.NamespacedName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.s[key]; ok {
		close(e.stop)
		delete(c.s, key)
	}
}

// watch starts the metadata watch of one Secret. c.mu is held.
func (c *secretCache) watch(key types.NamespacedName) *cachedSecret {
	sel := fields.OneTermEqualSelector("metadata.name", key.Name).String()
	ri := c.meta.Resource(secretsResource).Namespace(key.Namespace)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return ri.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return ri.Watch(ctx, o)
		},
	}
	// The client says whether it can stream the initial list in a watch (a test's fake cannot).
	inf := cache.NewSharedIndexInformer(cache.ToListWatcherWithWatchListSemantics(lw, c.meta), &metav1.PartialObjectMetadata{}, 0, cache.Indexers{})
	_ = inf.SetTransform(stripSecretMetadata)
	// It ends when its Secret is gone, nobody reads it, or the provider stops (stopWatches).
	e := &cachedSecret{inf: inf, stop: make(chan struct{})}
	go inf.Run(e.stop)
	if c.s == nil {
		c.s = map[types.NamespacedName]*cachedSecret{}
	}
	c.s[key] = e
	return e
}

// readSecret returns the wanted keys of a Secret (those it has). Callers have already decided the namespace is
// allowed.
func (r *Resolver) readSecret(ctx context.Context, namespace, name string, want ...string) (map[string][]byte, error) {
	c := &r.secretCache
	key := types.NamespacedName{Namespace: namespace, Name: name}
	if c.meta != nil {
		if d, ok := c.cached(key, want); ok {
			return d, nil
		}
	}
	s := &corev1.Secret{}
	if err := r.secrets.Get(ctx, key, s); err != nil {
		if c.meta != nil {
			c.forget(key)
		}
		return nil, errors.Wrapf(err, "cannot get Secret %s/%s", namespace, name)
	}
	if c.meta != nil {
		c.store(key, s, want)
	}
	out := map[string][]byte{}
	for _, k := range want {
		if v, ok := s.Data[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}
