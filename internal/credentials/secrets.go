package credentials

import (
	"context"
	"sync"

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

// secretCache keeps the data of the Secrets configs reference, with the resourceVersion it was read at, so that a
// reconcile reads no Secret from the API server unless it changed. Whether it changed comes from a metadata-only
// watch of that one Secret (a field selector on its name, in its namespace), started when a config first reads
// it: the provider watches no other Secret, receives no Secret data from a watch, and holds the data only of
// Secrets a config has read.
type secretCache struct {
	meta metadata.Interface // nil: every read goes to the API server
	mu   sync.Mutex
	data map[types.NamespacedName]cachedSecret
	w    map[types.NamespacedName]*secretWatch
	stop chan struct{}
}

type cachedSecret struct {
	version string
	data    map[string][]byte
}

// A secretWatch is a metadata-only informer of one Secret.
type secretWatch struct {
	inf cache.SharedIndexInformer
}

var secretsResource = corev1.SchemeGroupVersion.WithResource("secrets")

// StripSecretMetadata is the watches' transform: only what tells one version of a Secret from another is kept.
// Annotations go too, as kubectl apply's last-applied-configuration holds a Secret's data in plain text.
func StripSecretMetadata(o any) (any, error) {
	if m, ok := o.(*metav1.PartialObjectMetadata); ok {
		m.ObjectMeta = metav1.ObjectMeta{Namespace: m.Namespace, Name: m.Name, UID: m.UID, ResourceVersion: m.ResourceVersion, DeletionTimestamp: m.DeletionTimestamp}
	}
	return o, nil
}

// WithSecretWatches makes the resolver watch the metadata of each Secret it reads, through meta, and read a
// Secret again only when the watch shows a resourceVersion it has not read.
func (r *Resolver) WithSecretWatches(meta metadata.Interface) {
	r.secretCache.meta = meta
	r.secretCache.stop = make(chan struct{})
}

// stopSecretWatches ends every Secret watch (the provider is stopping).
func (c *secretCache) stopWatches() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		close(c.stop)
		c.stop = nil
	}
}

// version is the resourceVersion the Secret's watch holds, once it has synced.
func (c *secretCache) version(key types.NamespacedName) (string, bool) {
	c.mu.Lock()
	w, ok := c.w[key]
	if !ok && c.stop != nil {
		w = c.watch(key)
	}
	c.mu.Unlock()
	if w == nil || !w.inf.HasSynced() {
		return "", false
	}
	o, exists, err := w.inf.GetStore().GetByKey(key.String())
	if err != nil || !exists {
		return "", false
	}
	m, ok := o.(*metav1.PartialObjectMetadata)
	if !ok {
		return "", false
	}
	return m.ResourceVersion, true
}

// watch starts the metadata watch of one Secret. c.mu is held.
func (c *secretCache) watch(key types.NamespacedName) *secretWatch {
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
	_ = inf.SetTransform(StripSecretMetadata)
	go inf.Run(c.stop)
	w := &secretWatch{inf: inf}
	if c.w == nil {
		c.w = map[types.NamespacedName]*secretWatch{}
	}
	c.w[key] = w
	return w
}

// readSecret returns the data of a Secret. Callers have already decided the namespace is allowed.
func (r *Resolver) readSecret(ctx context.Context, namespace, name string) (map[string][]byte, error) {
	c := &r.secretCache
	key := types.NamespacedName{Namespace: namespace, Name: name}
	if c.meta != nil {
		if v, ok := c.version(key); ok {
			c.mu.Lock()
			hit, ok := c.data[key]
			c.mu.Unlock()
			if ok && hit.version == v {
				return hit.data, nil
			}
		}
	}
	s := &corev1.Secret{}
	if err := r.secrets.Get(ctx, key, s); err != nil {
		c.mu.Lock()
		delete(c.data, key)
		c.mu.Unlock()
		return nil, errors.Wrapf(err, "cannot get Secret %s/%s", namespace, name)
	}
	if c.meta != nil {
		c.mu.Lock()
		if c.data == nil {
			c.data = map[types.NamespacedName]cachedSecret{}
		}
		c.data[key] = cachedSecret{version: s.ResourceVersion, data: s.Data}
		c.mu.Unlock()
	}
	return s.Data, nil
}
