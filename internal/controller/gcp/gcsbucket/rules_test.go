package gcsbucket

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
)

func TestLifecycleInSync(t *testing.T) {
	spec := []v1alpha1.LifecycleRule{
		{Action: v1alpha1.LifecycleAction{Type: "Delete"}, Condition: v1alpha1.LifecycleCondition{AgeDays: ptr.To[int64](30), MatchesPrefix: []string{"tmp/", "cache/"}}},
		{Action: v1alpha1.LifecycleAction{Type: "SetStorageClass", StorageClass: ptr.To("COLDLINE")}, Condition: v1alpha1.LifecycleCondition{AgeDays: ptr.To[int64](0), IsLive: ptr.To(false)}},
	}
	want, err := Lifecycle(spec)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		got    storage.Lifecycle
		same   bool
	}{
		"Reordered": {
			reason: "Rules in another order, prefixes in another order, an age of zero reported without the all-objects flag: the same rules.",
			got: storage.Lifecycle{Rules: []storage.LifecycleRule{
				{Action: storage.LifecycleAction{Type: "SetStorageClass", StorageClass: "COLDLINE"}, Condition: storage.LifecycleCondition{AllObjects: true, Liveness: storage.Archived}},
				{Action: storage.LifecycleAction{Type: "Delete"}, Condition: storage.LifecycleCondition{AgeInDays: 30, MatchesPrefix: []string{"cache/", "tmp/"}}},
			}},
			same: true,
		},
		"AgeDiffers": {
			reason: "Another age is another rule.",
			got: storage.Lifecycle{Rules: []storage.LifecycleRule{
				{Action: storage.LifecycleAction{Type: "Delete"}, Condition: storage.LifecycleCondition{AgeInDays: 31, MatchesPrefix: []string{"tmp/", "cache/"}}},
				{Action: storage.LifecycleAction{Type: "SetStorageClass", StorageClass: "COLDLINE"}, Condition: storage.LifecycleCondition{AllObjects: true, Liveness: storage.Archived}},
			}},
		},
		"Missing": {reason: "A rule fewer differs.", got: storage.Lifecycle{Rules: want.Rules[:1]}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := lifecycleInSync(want, tc.got); got != tc.same {
				t.Errorf("%s\nin sync: %t", tc.reason, got)
			}
		})
	}
}

func TestCORSInSync(t *testing.T) {
	want := CORS([]v1alpha1.CORS{{Origins: []string{"https://a", "https://b"}, Methods: []string{"GET", "HEAD"}, MaxAgeSeconds: ptr.To[int64](3600)}})
	if !corsInSync(want, []storage.CORS{{Origins: []string{"https://b", "https://a"}, Methods: []string{"HEAD", "GET"}, MaxAge: time.Hour}}) {
		t.Error("origins and methods are sets: reordered is in sync")
	}
	if corsInSync(want, []storage.CORS{{Origins: []string{"https://a"}, Methods: []string{"GET", "HEAD"}, MaxAge: time.Hour}}) {
		t.Error("an origin fewer differs")
	}
}

func TestRetention(t *testing.T) {
	unlocked := &storage.RetentionPolicy{RetentionPeriod: 24 * time.Hour}
	locked := &storage.RetentionPolicy{RetentionPeriod: 24 * time.Hour, IsLocked: true}
	cases := map[string]struct {
		reason   string
		spec     *v1alpha1.RetentionPolicy
		observed *storage.RetentionPolicy
		want     []string
		errHas   string
	}{
		"Unmanaged":         {reason: "Unset, the policy is not compared.", observed: unlocked},
		"InSync":            {reason: "86400s is 24h.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h")}, observed: unlocked},
		"Longer":            {reason: "Another period is a PATCH.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("48h")}, observed: unlocked, want: []string{"retentionPolicy"}},
		"Remove":            {reason: "{} removes an unlocked policy.", spec: &v1alpha1.RetentionPolicy{}, observed: unlocked, want: []string{"retentionPolicy"}},
		"LockWhenRight":     {reason: "The lock is asked for once the period is what the spec says.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h"), Locked: ptr.To(true)}, observed: unlocked, want: []string{fieldLock}},
		"PeriodFirst":       {reason: "A lock and a period change: the period first, the lock on a later observation.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("48h"), Locked: ptr.To(true)}, observed: unlocked, want: []string{"retentionPolicy"}},
		"LockedInSync":      {reason: "Locked already: nothing to do, no second lock.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h"), Locked: ptr.To(true)}, observed: locked},
		"LockedUnset":       {reason: "Locked, the spec silent on locking: in sync.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h")}, observed: locked},
		"LockedGrow":        {reason: "A locked policy may grow.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("72h")}, observed: locked, want: []string{"retentionPolicy"}},
		"LockedShorten":     {reason: "A locked policy cannot be shortened: an error naming the field, no call.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("1h")}, observed: locked, errHas: "can only grow"},
		"LockedUnlock":      {reason: "A locked policy cannot be unlocked.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h"), Locked: ptr.To(false)}, observed: locked, errHas: "cannot be false"},
		"LockedRemove":      {reason: "A locked policy cannot be removed.", spec: &v1alpha1.RetentionPolicy{}, observed: locked, errHas: "cannot be removed"},
		"FractionalRefused": {reason: "Whole seconds only.", spec: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("1500ms")}, errHas: "whole seconds"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l, err := Changes(v1alpha1.BucketParameters{Location: "EU", RetentionPolicy: tc.spec}, &storage.BucketAttrs{Location: "EU", RetentionPolicy: tc.observed}, nil, nil, nil)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, l.Fields(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
