package credentials

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metadatafake "k8s.io/client-go/metadata/fake"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// countingReader counts the typed Secret reads that reach the API server.
type countingReader struct {
	client.Reader
	gets int
}

func (c *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if _, ok := obj.(*corev1.Secret); ok {
		c.gets++
	}
	return c.Reader.Get(ctx, key, obj, opts...)
}

// watchShows waits until the Secret's watch holds resourceVersion rv ("": holds no Secret).
func watchShows(t *testing.T, c *secretCache, key client.ObjectKey, rv string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		e, ok := c.s[key]
		c.mu.Unlock()
		if ok && e.inf.HasSynced() {
			o, exists, _ := e.inf.GetStore().GetByKey(key.String())
			if (exists && o.(*metav1.PartialObjectMetadata).ResourceVersion == rv) || (!exists && rv == "") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watch of Secret %s never showed resourceVersion %s", key, rv)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// secretFixture is a Secret in a fake API server, the same Secret's metadata in a fake metadata API, and a
// resolver reading through both.
type secretFixture struct {
	t    *testing.T
	kube client.Client
	api  *countingReader
	meta *metadatafake.FakeMetadataClient
	r    *Resolver
}

func newSecretFixture(t *testing.T, watches bool) *secretFixture {
	s := secret("ops", "creds", "AK", "SK")
	kube := fake.NewClientBuilder().WithObjects(s).Build()
	f := &secretFixture{t: t, kube: kube, api: &countingReader{Reader: kube}, meta: metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme())}
	f.r = NewResolver(kube, f.api, kube)
	f.syncMeta()
	if watches {
		f.r.WithSecretWatches(f.meta)
		t.Cleanup(f.r.secretCache.stopWatches)
	}
	return f
}

var credsKey = client.ObjectKey{Namespace: "ops", Name: "creds"}

func (f *secretFixture) current() *corev1.Secret {
	f.t.Helper()
	cur := &corev1.Secret{}
	if err := f.kube.Get(context.Background(), credsKey, cur); err != nil {
		f.t.Fatal(err)
	}
	return cur
}

// syncMeta copies the Secret's metadata to the metadata API, as the API server would show it.
func (f *secretFixture) syncMeta() {
	f.t.Helper()
	cur := f.current()
	m := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: cur.ObjectMeta}
	if _, err := f.meta.Tracker().Get(secretsResource, "ops", "creds"); err != nil {
		if err := f.meta.Tracker().Create(secretsResource, m, "ops"); err != nil {
			f.t.Fatal(err)
		}
		return
	}
	if err := f.meta.Tracker().Update(secretsResource, m, "ops"); err != nil {
		f.t.Fatal(err)
	}
}

func (f *secretFixture) read(keys ...string) (map[string][]byte, error) {
	return f.r.readSecret(context.Background(), "ops", "creds", keys...)
}

func TestReadSecretCache(t *testing.T) {
	cases := map[string]struct {
		reason  string
		watches bool
		want    []int // API reads after each step: read, read, update+read, read
	}{
		"WithWatches": {
			reason:  "With the Secret's metadata watched, an unchanged Secret is read once; a new resourceVersion is read again, once.",
			watches: true, want: []int{1, 1, 2, 2},
		},
		"WithoutWatches": {
			reason: "Without it, every read goes to the API server.",
			want:   []int{1, 2, 3, 4},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newSecretFixture(t, tc.watches)
			var got []int
			var last string
			read := func() {
				t.Helper()
				d, err := f.read("secret_access_key")
				if err != nil {
					t.Fatal(err)
				}
				last = string(d["secret_access_key"])
				got = append(got, f.api.gets)
			}
			read()
			if tc.watches {
				watchShows(t, &f.r.secretCache, credsKey, f.current().ResourceVersion)
			}
			read()
			cur := f.current()
			cur.Data["secret_access_key"] = []byte("SK2")
			if err := f.kube.Update(context.Background(), cur); err != nil {
				t.Fatal(err)
			}
			f.syncMeta()
			if tc.watches {
				watchShows(t, &f.r.secretCache, credsKey, f.current().ResourceVersion)
			}
			read()
			if last != "SK2" {
				t.Errorf("%s\na changed Secret must be read again: got %q", tc.reason, last)
			}
			read()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nAPI reads: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// The cache holds only the keys a config read, and a key read for the first time is read from the API server.
func TestReadSecretHoldsOnlyKeysRead(t *testing.T) {
	f := newSecretFixture(t, true)
	if _, err := f.read("secret_access_key"); err != nil {
		t.Fatal(err)
	}
	f.r.secretCache.mu.Lock()
	held := f.r.secretCache.s[credsKey].keys
	f.r.secretCache.mu.Unlock()
	if diff := cmp.Diff(map[string][]byte{"secret_access_key": []byte("SK")}, held); diff != "" {
		t.Errorf("held: only the key read: -want +got:\n%s", diff)
	}
	watchShows(t, &f.r.secretCache, credsKey, f.current().ResourceVersion)
	d, err := f.read("access_key_id")
	if err != nil || string(d["access_key_id"]) != "AK" || f.api.gets != 2 {
		t.Errorf("a key not read before must be read from the API server: %q, %d reads, %v", d["access_key_id"], f.api.gets, err)
	}
}

// A watch lives only while its Secret exists and is read: a Secret that is not found starts none (tenants'
// configs naming Secrets cannot pile up watches), a deleted one ends its watch, and so does one unread for
// watchIdle.
func TestSecretWatchLifetime(t *testing.T) {
	watches := func(r *Resolver) int {
		r.secretCache.mu.Lock()
		defer r.secretCache.mu.Unlock()
		return len(r.secretCache.s)
	}
	f := newSecretFixture(t, true)
	if _, err := f.r.readSecret(context.Background(), "ops", "missing", "k"); err == nil || watches(f.r) != 0 {
		t.Errorf("a Secret that is not found must start no watch: %d watches, %v", watches(f.r), err)
	}
	if _, err := f.read("k"); err != nil || watches(f.r) != 1 {
		t.Fatalf("a Secret read is watched: %d watches, %v", watches(f.r), err)
	}
	if err := f.kube.Delete(context.Background(), f.current()); err != nil {
		t.Fatal(err)
	}
	if err := f.meta.Tracker().Delete(secretsResource, "ops", "creds"); err != nil {
		t.Fatal(err)
	}
	watchShows(t, &f.r.secretCache, credsKey, "") // the watch has seen the deletion
	if _, err := f.read("k"); err == nil || watches(f.r) != 0 {
		t.Errorf("a Secret found gone must end its watch: %d watches, %v", watches(f.r), err)
	}

	// Idle: a Secret nobody read for watchIdle is no longer watched once another is read.
	g := newSecretFixture(t, true)
	clock := time.Unix(1000, 0)
	g.r.secretCache.now = func() time.Time { return clock }
	if _, err := g.read("k"); err != nil {
		t.Fatal(err)
	}
	other := secret("ops", "other", "AK", "SK")
	if err := g.kube.Create(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(watchIdle + time.Minute)
	if _, err := g.r.readSecret(context.Background(), "ops", "other", "k"); err != nil {
		t.Fatal(err)
	}
	g.r.secretCache.mu.Lock()
	_, stale := g.r.secretCache.s[credsKey]
	g.r.secretCache.mu.Unlock()
	if stale || watches(g.r) != 1 {
		t.Errorf("a Secret unread for %s must not stay watched: %d watches", watchIdle, watches(g.r))
	}
}

func TestStripSecretMetadata(t *testing.T) {
	m := &metav1.PartialObjectMetadata{}
	m.ObjectMeta = metav1.ObjectMeta{
		Namespace: "ops", Name: "creds", UID: "u", ResourceVersion: "7",
		Labels:      map[string]string{"a": "b"},
		Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"secret_access_key":"U0s="}}`},
	}
	o, _ := stripSecretMetadata(m)
	want := metav1.ObjectMeta{Namespace: "ops", Name: "creds", UID: "u", ResourceVersion: "7"}
	if diff := cmp.Diff(want, o.(*metav1.PartialObjectMetadata).ObjectMeta); diff != "" {
		t.Errorf("the informer keeps only what tells versions apart (no annotation can hold Secret data): -want +got:\n%s", diff)
	}
}
