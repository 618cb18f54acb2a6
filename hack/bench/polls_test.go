package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

func TestPollGaps(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	minute := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ops := map[string]bool{"HeadBucket": true, "GetQueueAttributes": true}
	cases := map[string]struct {
		reason      string
		calls       []harness.Call
		names       []string
		wantLongest time.Duration
		wantLate    int
	}{
		"Regular": {
			reason: "Polls every 10 minutes over 21 minutes: the longest gap is the 10 between polls, none late.",
			calls: []harness.Call{
				{Operation: "HeadBucket", Bucket: "a", At: minute(5)}, {Operation: "HeadBucket", Bucket: "a", At: minute(15)},
				{Operation: "GetQueueAttributes", Bucket: "q", At: minute(2)}, {Operation: "GetQueueAttributes", Bucket: "q", At: minute(12)},
			},
			names:       []string{"a", "q"},
			wantLongest: 10 * time.Minute,
		},
		"NeverPolled": {
			reason:      "A resource with no poll in the window went unobserved for all of it.",
			calls:       []harness.Call{{Operation: "HeadBucket", Bucket: "a", At: minute(5)}, {Operation: "HeadBucket", Bucket: "a", At: minute(15)}},
			names:       []string{"a", "gone"},
			wantLongest: 21 * time.Minute,
			wantLate:    1,
		},
		"StoppedPolling": {
			reason:      "The time from the last poll to the window's end counts: a resource no longer polled is late.",
			calls:       []harness.Call{{Operation: "HeadBucket", Bucket: "a", At: minute(1)}, {Operation: "HeadBucket", Bucket: "a", At: minute(3)}},
			names:       []string{"a"},
			wantLongest: 18 * time.Minute,
			wantLate:    1,
		},
		"OtherCallsAreNotPolls": {
			reason: "Only the poll operation counts, and only inside the window.",
			calls: []harness.Call{
				{Operation: "GetBucketTagging", Bucket: "a", At: minute(10)},
				{Operation: "HeadBucket", Bucket: "a", At: minute(-1)},
				{Operation: "HeadBucket", Bucket: "a", At: minute(11)},
			},
			names:       []string{"a"},
			wantLongest: 11 * time.Minute,
			wantLate:    1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			longest, late := pollGaps(tc.calls, ops, tc.names, minute(0), minute(21), 11*time.Minute-time.Second)
			if diff := cmp.Diff(tc.wantLongest, longest); diff != "" {
				t.Errorf("%s\nlongest gap: -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantLate, late); diff != "" {
				t.Errorf("%s\nlate: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
