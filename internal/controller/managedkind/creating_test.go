package managedkind

import (
	"context"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// availableClient observes an existing resource, reports it Available and says whether it is up to date — what
// every kind's Observe does once the resource answers.
type availableClient struct {
	managed.TypedExternalClient[*v1alpha1.Bucket]
	upToDate bool
}

func (c availableClient) Observe(_ context.Context, b *v1alpha1.Bucket) (managed.ExternalObservation, error) {
	b.SetConditions(xpv2.Available())
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: c.upToDate, Diff: "timeToLive"}, nil
}

func TestLeasedObserveKeepsNewResourceCreating(t *testing.T) {
	ready := func(c xpv2.Condition) modifier { return func(b *v1alpha1.Bucket) { b.SetConditions(c) } }
	cases := map[string]struct {
		reason   string
		mods     []modifier
		upToDate bool
		want     xpv2.ConditionReason
	}{
		"CreatingWithChangesLeft": {
			reason: "A new resource with settings still to apply stays Creating.",
			mods:   []modifier{created, ready(xpv2.Creating())}, want: xpv2.ReasonCreating,
		},
		"LaggingReadWithChangesLeft": {
			reason: "A read that lags the create's status write (no Ready condition, the create recorded) is still a new resource.",
			mods:   []modifier{created}, want: xpv2.ReasonCreating,
		},
		"CreatingAndDone": {
			reason: "A new resource whose whole spec is applied is Ready.",
			mods:   []modifier{created, ready(xpv2.Creating())}, upToDate: true, want: xpv2.ReasonAvailable,
		},
		"ReadyDrifted": {
			reason: "A resource that was Ready stays Ready while drift is reverted.",
			mods:   []modifier{created, ready(xpv2.Available())}, want: xpv2.ReasonAvailable,
		},
		"AdoptedWithChanges": {
			reason: "An adopted resource (no create of its own) is usable while its spec is applied.",
			want:   xpv2.ReasonAvailable,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := bucket(tc.mods...)
			c := Leased[*v1alpha1.Bucket](availableClient{upToDate: tc.upToDate}, Ownership[*v1alpha1.Bucket]{}, func(error) bool { return false })
			if _, err := c.Observe(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, b.GetCondition(xpv2.TypeReady).Reason); diff != "" {
				t.Errorf("%s\nReady reason: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
