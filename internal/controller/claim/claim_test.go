package claim

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

var gvk = schema.GroupVersionKind{Group: "s3.aws.stateful.dev", Version: "v1alpha1", Kind: "Bucket"}

func mr(ns, name string) *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "-" + name)}}
	m.SetGroupVersionKind(gvk)
	return m
}

func store(objs ...client.Object) (*Store, client.Client) {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	s.AddKnownTypeWithName(gvk, &metav1.PartialObjectMetadata{})
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).Build()
	return NewStore(c, c, "crossplane-system"), c
}

func TestTake(t *testing.T) {
	sc := Scope{Kind: gvk, Account: "123456789012", Name: "data"}
	a, b := mr("team-a", "data"), mr("team-b", "data")
	cases := map[string]struct {
		reason      string
		existing    []client.Object
		first       *metav1.PartialObjectMetadata
		second      *metav1.PartialObjectMetadata
		wantClaimed bool
		wantHolder  string
	}{
		"Loser": {
			reason:   "The second resource to claim a name another existing resource holds is refused.",
			existing: []client.Object{a, b}, first: a, second: b, wantClaimed: true, wantHolder: "team-a/data",
		},
		"SameHolder": {
			reason:   "The holder taking its own claim again (a retried create) succeeds.",
			existing: []client.Object{a}, first: a, second: a, wantHolder: "team-a/data",
		},
		"StaleHolder": {
			reason:   "A claim whose holder no longer exists is taken over: the cloud resource's tags, if it exists, still protect it.",
			existing: []client.Object{b}, first: a, second: b, wantHolder: "team-b/data",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st, c := store(tc.existing...)
			if err := st.Take(context.Background(), sc, tc.first, true); err != nil {
				t.Fatalf("%s\nfirst Take: %v", tc.reason, err)
			}
			err := st.Take(context.Background(), sc, tc.second, true)
			if diff := cmp.Diff(tc.wantClaimed, IsClaimed(err)); diff != "" {
				t.Errorf("%s\nsecond Take refused: -want +got:\n%s\n%v", tc.reason, diff, err)
			}
			l := &coordinationv1.Lease{}
			if err := c.Get(context.Background(), client.ObjectKey{Namespace: "crossplane-system", Name: sc.leaseName()}, l); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantHolder, *l.Spec.HolderIdentity); diff != "" {
				t.Errorf("%s\nholder: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestLastAttemptAndRelease(t *testing.T) {
	sc := Scope{Kind: gvk, Account: "123456789012", Location: "", Name: "data"}
	other := Scope{Kind: gvk, Account: "123456789012", Name: "victim"}
	a, b := mr("team-a", "data"), mr("team-b", "data")
	st, _ := store(a, b)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	st.now = func() time.Time { return at }
	ctx := context.Background()
	if err := st.Take(ctx, sc, a, true); err != nil {
		t.Fatal(err)
	}
	if last, held, err := st.LastAttempt(ctx, sc, a); err != nil || !held || !last.Equal(at) {
		t.Errorf("the holder's last attempt: %v %t %v", last, held, err)
	}
	if _, held, _ := st.LastAttempt(ctx, sc, b); held {
		t.Errorf("another resource holds no attempt on the name")
	}
	if _, held, _ := st.LastAttempt(ctx, other, a); held {
		t.Errorf("an attempt on one name says nothing about another name")
	}
	// Taking the claim without an attempt (an adopting update) keeps the recorded attempt.
	st.now = func() time.Time { return at.Add(time.Hour) }
	st.held.Clear()
	if err := st.Take(ctx, sc, a, false); err != nil {
		t.Fatal(err)
	}
	if last, _, _ := st.LastAttempt(ctx, sc, a); !last.Equal(at) {
		t.Errorf("an update moved the recorded create attempt to %v", last)
	}
	if err := st.Release(ctx, sc, b); err != nil {
		t.Fatal(err)
	}
	if _, held, _ := st.LastAttempt(ctx, sc, a); !held {
		t.Errorf("another resource released the holder's claim")
	}
	if err := st.Release(ctx, sc, a); err != nil {
		t.Fatal(err)
	}
	if err := st.Take(ctx, sc, b, true); err != nil {
		t.Errorf("after release the name is free: %v", err)
	}
}

// countingReader counts the reads that reach the API server.
type countingReader struct {
	client.Reader
	gets *int
}

func (r countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	*r.gets++
	return r.Reader.Get(ctx, key, obj, opts...)
}

// A claim whose ownership is asked on every poll (kinds without a marker) costs a read at most once per process:
// after the claim is taken, none; after a restart, one.
func TestLastAttemptRemembered(t *testing.T) {
	sc := Scope{Kind: gvk, Account: "123456789012", Name: "data"}
	a := mr("team-a", "data")
	st, _ := store(a)
	gets := 0
	st.reader = countingReader{Reader: st.reader, gets: &gets}
	ctx := context.Background()
	if err := st.Take(ctx, sc, a, true); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, held, err := st.LastAttempt(ctx, sc, a); err != nil || !held {
			t.Fatalf("held %t, %v", held, err)
		}
	}
	if gets != 0 {
		t.Errorf("reads after taking the claim: %d, want 0", gets)
	}
	st.held.Clear() // a restarted process
	for range 3 {
		if _, held, err := st.LastAttempt(ctx, sc, a); err != nil || !held {
			t.Fatalf("held %t, %v", held, err)
		}
	}
	if gets != 1 {
		t.Errorf("reads after a restart: %d, want 1", gets)
	}
}
