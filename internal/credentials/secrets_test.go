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
			ctx := context.Background()
			s := secret("ops", "creds", "AK", "SK")
			c := fake.NewClientBuilder().WithObjects(s).Build()
			api := &countingReader{Reader: c}
			r := NewResolver(c, api, c)
			meta := metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme())
			syncMeta := func() {
				t.Helper()
				cur := &corev1.Secret{}
				if err := c.Get(ctx, client.ObjectKeyFromObject(s), cur); err != nil {
					t.Fatal(err)
				}
				m := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: cur.ObjectMeta}
				if _, err := meta.Tracker().Get(secretsResource, "ops", "creds"); err != nil {
					err = meta.Tracker().Create(secretsResource, m, "ops")
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				if err := meta.Tracker().Update(secretsResource, m, "ops"); err != nil {
					t.Fatal(err)
				}
			}
			syncMeta()
			if tc.watches {
				r.WithSecretWatches(meta)
				defer r.secretCache.stopWatches()
			}
			// waitWatch waits until the watch shows the Secret's current resourceVersion.
			waitWatch := func() {
				t.Helper()
				if !tc.watches {
					return
				}
				cur := &corev1.Secret{}
				_ = c.Get(ctx, client.ObjectKeyFromObject(s), cur)
				deadline := time.Now().Add(10 * time.Second)
				for {
					if v, ok := r.secretCache.version(client.ObjectKeyFromObject(s)); ok && v == cur.ResourceVersion {
						return
					}
					if time.Now().After(deadline) {
						t.Fatal("the Secret's watch never showed its resourceVersion")
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			var got []int
			var last string
			read := func() {
				t.Helper()
				d, err := r.readSecret(ctx, "ops", "creds")
				if err != nil {
					t.Fatal(err)
				}
				last = string(d["secret_access_key"])
				got = append(got, api.gets)
			}
			read()
			waitWatch()
			read()
			cur := &corev1.Secret{}
			_ = c.Get(ctx, client.ObjectKeyFromObject(s), cur)
			cur.Data["secret_access_key"] = []byte("SK2")
			if err := c.Update(ctx, cur); err != nil {
				t.Fatal(err)
			}
			syncMeta()
			waitWatch()
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

func TestStripSecretMetadata(t *testing.T) {
	m := &metav1.PartialObjectMetadata{}
	m.ObjectMeta = metav1.ObjectMeta{
		Namespace: "ops", Name: "creds", UID: "u", ResourceVersion: "7",
		Labels:      map[string]string{"a": "b"},
		Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"secret_access_key":"U0s="}}`},
	}
	o, _ := StripSecretMetadata(m)
	want := metav1.ObjectMeta{Namespace: "ops", Name: "creds", UID: "u", ResourceVersion: "7"}
	if diff := cmp.Diff(want, o.(*metav1.PartialObjectMetadata).ObjectMeta); diff != "" {
		t.Errorf("the informer keeps only what tells versions apart (no annotation can hold Secret data): -want +got:\n%s", diff)
	}
}
