package managedkind

import (
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
)

func TestRecordChanges(t *testing.T) {
	synced := func(gen int64) modifier {
		return func(b *v1alpha1.Bucket) { b.SetConditions(xpv2.ReconcileSuccess().WithObservedGeneration(gen)) }
	}
	ready := func(c xpv2.Condition) modifier { return func(b *v1alpha1.Bucket) { b.SetConditions(c) } }
	cases := map[string]struct {
		reason string
		mods   []modifier
		want   string
	}{
		"Drift":      {reason: "A Ready resource whose spec has not changed since its last sync drifted.", mods: []modifier{synced(1), ready(xpv2.Available())}, want: string(ReasonDrift)},
		"SpecChange": {reason: "A newer generation than the last sync is a spec change.", mods: []modifier{synced(0), ready(xpv2.Available())}, want: string(ReasonChange)},
		"AfterCreate": {
			reason: "Settings applied right after the create (the runtime just wrote Synced for this generation) are not drift.",
			mods:   []modifier{synced(1), ready(xpv2.Creating())}, want: string(ReasonCompleting),
		},
		"AfterCreateLaggingRead": {
			reason: "A read that lags the create's status write (no Ready condition yet, the create recorded) is still the create.",
			mods:   []modifier{created}, want: string(ReasonCompleting),
		},
		"AdoptedFirstUpdate": {
			reason: "With no Ready condition and no create of its own, the first update of an adopted resource is a spec change.",
			want:   string(ReasonChange),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := &awstest.Recorder{}
			RecordChanges(r, bucket(tc.mods...), []string{"timeToLive"})
			if len(r.Events) != 1 {
				t.Fatalf("%s\nwant one event, got %d", tc.reason, len(r.Events))
			}
			if diff := cmp.Diff(tc.want, string(r.Events[0].Reason)); diff != "" {
				t.Errorf("%s\nevent reason: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
