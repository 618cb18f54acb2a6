package managedkind

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

func store(objs ...client.Object) (*Leases, client.Client) {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	s.AddKnownTypeWithName(gvk, &metav1.PartialObjectMetadata{})
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).Build()
	return NewLeases(c, c, "crossplane-system", 0), c
}

func TestTake(t *testing.T) {
	sc := CloudName{Kind: gvk, Account: "123456789012", Name: "data"}
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
			if _, err := st.Take(context.Background(), sc, tc.first, true); err != nil {
				t.Fatalf("%s\nfirst Take: %v", tc.reason, err)
			}
			_, err := st.Take(context.Background(), sc, tc.second, true)
			if diff := cmp.Diff(tc.wantClaimed, IsLeased(err)); diff != "" {
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
	sc := CloudName{Kind: gvk, Account: "123456789012", Location: "", Name: "data"}
	other := CloudName{Kind: gvk, Account: "123456789012", Name: "victim"}
	a, b := mr("team-a", "data"), mr("team-b", "data")
	st, _ := store(a, b)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	st.now = func() time.Time { return at }
	ctx := context.Background()
	if _, err := st.Take(ctx, sc, a, true); err != nil {
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
	// Taking the lease without an attempt (an adopting update) keeps the recorded attempt.
	st.now = func() time.Time { return at.Add(time.Hour) }
	st.idx = newIndex()
	if _, err := st.Take(ctx, sc, a, false); err != nil {
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
	if _, err := st.Take(ctx, sc, b, true); err != nil {
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

// A lease whose ownership is asked on every poll (kinds without a marker) costs a read at most once per process:
// after the lease is taken, none; after a restart, one.
func TestLastAttemptRemembered(t *testing.T) {
	sc := CloudName{Kind: gvk, Account: "123456789012", Name: "data"}
	a := mr("team-a", "data")
	st, _ := store(a)
	gets := 0
	st.reader = countingReader{Reader: st.reader, gets: &gets}
	ctx := context.Background()
	if _, err := st.Take(ctx, sc, a, true); err != nil {
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
	st.idx = newIndex() // a restarted process
	for range 3 {
		if _, held, err := st.LastAttempt(ctx, sc, a); err != nil || !held {
			t.Fatalf("held %t, %v", held, err)
		}
	}
	if gets != 1 {
		t.Errorf("reads after a restart: %d, want 1", gets)
	}
}

func TestLeasesLimitPerNamespace(t *testing.T) {
	scope := func(n string) CloudName { return CloudName{Kind: gvk, Account: "123456789012", Name: n} }
	a1, a2, a3, b1 := mr("team-a", "one"), mr("team-a", "two"), mr("team-a", "three"), mr("team-b", "one")
	st, _ := store(a1, a2, a3, b1)
	st.limit = 2
	ctx := context.Background()
	for _, h := range []*metav1.PartialObjectMetadata{a1, a2} {
		if created, err := st.Take(ctx, scope(h.Name), h, true); err != nil || !created {
			t.Fatalf("a claim within the limit: created %t, %v", created, err)
		}
	}
	cases := []struct {
		reason      string
		do          func() error
		wantLimited bool
	}{
		{reason: "A namespace at its limit gets no new claim.", do: func() error { _, err := st.Take(ctx, scope("three"), a3, true); return err }, wantLimited: true},
		{reason: "A claim it holds already is not a new one.", do: func() error { _, err := st.Take(ctx, scope("one"), a1, true); return err }},
		{reason: "Another namespace has a limit of its own.", do: func() error { _, err := st.Take(ctx, scope("b-one"), b1, true); return err }},
		{reason: "Releasing a claim frees room.", do: func() error { return st.Release(ctx, scope("two"), a2) }},
		{reason: "...for the next one.", do: func() error { _, err := st.Take(ctx, scope("three"), a3, true); return err }},
	}
	for _, tc := range cases {
		err := tc.do()
		if diff := cmp.Diff(tc.wantLimited, IsLimited(err)); diff != "" {
			t.Errorf("%s\nrefused for the limit: -want +got:\n%s\n%v", tc.reason, diff, err)
		}
		if !tc.wantLimited && err != nil {
			t.Errorf("%s\n%v", tc.reason, err)
		}
	}
}

// The index is read from the API server once: a restarted provider counts the leases it finds.
func TestLimitAfterRestart(t *testing.T) {
	scope := func(n string) CloudName { return CloudName{Kind: gvk, Account: "123456789012", Name: n} }
	a1, a2 := mr("team-a", "one"), mr("team-a", "two")
	st, c := store(a1, a2)
	if _, err := st.Take(context.Background(), scope("one"), a1, true); err != nil {
		t.Fatal(err)
	}
	restarted := NewLeases(c, c, "crossplane-system", 1)
	if _, err := restarted.Take(context.Background(), scope("two"), a2, true); !IsLimited(err) {
		t.Errorf("a restarted store did not count the claim it found: %v", err)
	}
}

func TestMoved(t *testing.T) {
	scope := func(n string) CloudName { return CloudName{Kind: gvk, Account: "123456789012", Name: n} }
	a, b := mr("team-a", "data"), mr("team-b", "data")
	cases := map[string]struct {
		reason string
		took   []string // names a took leases on
		asked  string
		who    *metav1.PartialObjectMetadata
		want   string
	}{
		"Same":     {reason: "The name it holds the claim on.", took: []string{"data"}, asked: "data", who: a},
		"Nothing":  {reason: "A resource that holds no claim has moved from nothing.", asked: "other", who: a},
		"Changed":  {reason: "A resource holding another name's claim had that name.", took: []string{"data"}, asked: "other", who: a, want: "data"},
		"Another":  {reason: "Another resource's claims say nothing of this one.", took: []string{"data"}, asked: "other", who: b},
		"HeldBoth": {reason: "A resource holding claims on both names (made before the rule) is not refused.", took: []string{"data", "other"}, asked: "other", who: a},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st, _ := store(a, b)
			for _, n := range tc.took {
				if _, err := st.Take(context.Background(), scope(n), a, true); err != nil {
					t.Fatal(err)
				}
			}
			got, err := st.Moved(context.Background(), scope(tc.asked), tc.who)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nMoved: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// A lease deleted by hand (an administrator's cleanup) is not taken for a name the resource still holds.
func TestMovedClaimDeletedByHand(t *testing.T) {
	sc := CloudName{Kind: gvk, Account: "123456789012", Name: "data"}
	a := mr("team-a", "data")
	st, c := store(a)
	if _, err := st.Take(context.Background(), sc, a, true); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "crossplane-system", Name: sc.leaseName()}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Moved(context.Background(), CloudName{Kind: gvk, Account: "123456789012", Name: "other"}, a)
	if err != nil || got != "" {
		t.Errorf("Moved after the claim was deleted: %q, %v", got, err)
	}
}
