package managedkind

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	"github.com/google/go-cmp/cmp"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// scriptedClient answers Create with err, and counts the calls that would reach the cloud.
type scriptedClient struct {
	managed.TypedExternalClient[*v1alpha1.Bucket]
	err   error
	calls *int
}

func (c scriptedClient) Observe(context.Context, *v1alpha1.Bucket) (managed.ExternalObservation, error) {
	*c.calls++
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}

func (c scriptedClient) Create(context.Context, *v1alpha1.Bucket) (managed.ExternalCreation, error) {
	*c.calls++
	return managed.ExternalCreation{}, c.err
}

func claimStore(t *testing.T, objs ...client.Object) (*Leases, client.Client) {
	t.Helper()
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = v1alpha1.SchemeBuilder.AddToScheme(s)
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).Build()
	return NewLeases(c, c, "crossplane-system", 0), c
}

func scopeOf(_ context.Context, b *v1alpha1.Bucket) (CloudName, error) {
	return CloudName{Kind: v1alpha1.BucketGroupVersionKind, Account: "123456789012", Name: meta.GetExternalName(b)}, nil
}

func claims(t *testing.T, c client.Client) int {
	t.Helper()
	l := &coordinationv1.LeaseList{}
	if err := c.List(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	return len(l.Items)
}

func named(n string) modifier { return func(b *v1alpha1.Bucket) { meta.SetExternalName(b, n) } }

func TestLeasedCreateReleasesWhatItMadeNothingFor(t *testing.T) {
	cases := map[string]struct {
		reason    string
		before    int // earlier attempts whose outcome is unknown
		err       error
		wantLeft  int
		wantCause error
	}{
		"Refused": {
			reason: "A create the cloud refused made nothing: the claim it took is released, so a failing resource squats no name.",
			err:    errRefused, wantLeft: 0, wantCause: errRefused,
		},
		"OutcomeUnknown": {
			reason: "A create that failed without proof (a timeout, a 5xx) may have made the resource: the claim keeps its record for the crash-window rule.",
			err:    errBoom, wantLeft: 1, wantCause: errBoom,
		},
		"ClaimedBefore": {
			reason: "A claim an earlier attempt took is not this create's to release: that attempt's outcome may be unknown.",
			before: 1, err: errRefused, wantLeft: 1, wantCause: errRefused,
		},
		"Created": {
			reason:   "A create that succeeded keeps its claim.",
			wantLeft: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := bucket(named("data"))
			st, kube := claimStore(t, b)
			calls := 0
			c := Leased[*v1alpha1.Bucket](scriptedClient{err: tc.err, calls: &calls}, Ownership[*v1alpha1.Bucket]{Leases: st, Name: scopeOf}, func(error) bool { return false })
			earlier := Leased[*v1alpha1.Bucket](scriptedClient{err: errBoom, calls: &calls}, Ownership[*v1alpha1.Bucket]{Leases: st, Name: scopeOf}, func(error) bool { return false })
			for range tc.before {
				if _, err := earlier.Create(context.Background(), b); !errors.Is(err, errBoom) {
					t.Fatal(err)
				}
			}
			_, err := c.Create(context.Background(), b)
			if diff := cmp.Diff(tc.wantCause, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantLeft, claims(t, kube)); diff != "" {
				t.Errorf("%s\nclaims left: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

var (
	errBoom    = errors.New("boom")
	errRefused = NothingMade(errBoom)
)

func TestLeasedObserveRefusesAChangedExternalName(t *testing.T) {
	cases := map[string]struct {
		reason    string
		claimed   string // the name the resource created its resource under; "" for none
		mods      []modifier
		want      string // in the error; "" for none
		wantCalls int
	}{
		"Unchanged": {
			reason:  "The name it created its resource under: observed as usual.",
			claimed: "data", mods: []modifier{named("data")}, wantCalls: 1,
		},
		"NeverCreated": {
			reason: "A resource that holds no claim may take any name.",
			mods:   []modifier{named("other")}, wantCalls: 1,
		},
		"Changed": {
			reason:  "A name changed after the create is refused before any cloud call: the old resource would be orphaned.",
			claimed: "data", mods: []modifier{named("other")},
			want: `was "data" when this Bucket created or adopted its resource, and is now "other": refusing to act on either name, so that nothing is orphaned; put it back`,
		},
		"ChangedWhileDeleting": {
			reason:  "Deleting under a changed name would let go of the old resource without deleting it: refused too.",
			claimed: "data", mods: []modifier{named("other"), func(b *v1alpha1.Bucket) {
				now := metav1.Now()
				b.SetDeletionTimestamp(&now)
				b.SetFinalizers([]string{"finalizer.managedresource.crossplane.io"})
			}},
			want: "put it back to delete that resource, or remove Delete from spec.managementPolicies",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := bucket(tc.mods...)
			st, _ := claimStore(t, b)
			calls := 0
			c := Leased[*v1alpha1.Bucket](scriptedClient{calls: &calls}, Ownership[*v1alpha1.Bucket]{Leases: st, Name: scopeOf}, func(error) bool { return false })
			if tc.claimed != "" {
				first := bucket(named(tc.claimed))
				if _, err := c.Create(context.Background(), first); err != nil {
					t.Fatal(err)
				}
				calls = 0
			}
			_, err := c.Observe(context.Background(), b)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tc.want == "" && err != nil || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("%s\nObserve(...): want an error with %q, got %q", tc.reason, tc.want, got)
			}
			if diff := cmp.Diff(tc.wantCalls, calls); diff != "" {
				t.Errorf("%s\ncalls about the resource: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
