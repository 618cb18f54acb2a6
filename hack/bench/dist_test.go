package main

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

func TestHist(t *testing.T) {
	cases := map[string]struct {
		reason string
		secs   []float64
		want   hist
	}{
		"BySecond": {reason: "Each value counts at its whole second.", secs: []float64{0, 2, 2, 3}, want: hist{1, 0, 2, 1}},
		"Rounded":  {reason: "A value off a whole second (it should not be: both timestamps are whole seconds) counts at the nearest.", secs: []float64{1.4, 1.6}, want: hist{0, 1, 1}},
		"Negative": {reason: "A clock step cannot make a negative time: it counts at 0.", secs: []float64{-1}, want: hist{1}},
		"Empty":    {reason: "No values, no counts.", want: nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, newHist(tc.secs)); diff != "" {
				t.Errorf("%s\nnewHist: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// The chart's quantiles of the counts must be the report's quantiles of the values they count.
func TestHistQuantileIsQuantile(t *testing.T) {
	secs := []float64{3, 5, 5, 6, 9, 9, 9, 12, 40, 41}
	h := newHist(secs)
	for _, q := range []float64{0.01, 0.25, 0.5, 0.75, 0.99, 1} {
		if diff := cmp.Diff(quantile(secs, q), h.quantile(q)); diff != "" {
			t.Errorf("quantile %v: -values +counts:\n%s", q, diff)
		}
	}
	if diff := cmp.Diff(3.0, h.quantile(0)); diff != "" {
		t.Errorf("quantile 0 is the smallest: -want +got:\n%s", diff)
	}
	if !math.IsNaN(hist(nil).quantile(0.5)) {
		t.Error("the quantile of no values is not NaN")
	}
}

func TestHistPlus(t *testing.T) {
	if diff := cmp.Diff(hist{1, 3, 1}, hist{1, 1}.plus(hist{0, 2, 1})); diff != "" {
		t.Errorf("plus pools two runs, the longer's tail kept: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff(hist{2}, hist(nil).plus(hist{2})); diff != "" {
		t.Errorf("plus onto nothing: -want +got:\n%s", diff)
	}
}

func TestCallsByKind(t *testing.T) {
	bt := batch{"bucket": {"calm-bucket-00000", "calm-bucket-00002"}, "queue": {"calm-queue-00001"}}
	calls := []harness.Call{
		{Operation: "HeadBucket", Bucket: "calm-bucket-00000"},
		{Operation: "CreateBucket", Bucket: "calm-bucket-00000"},
		{Operation: "HeadBucket", Bucket: "calm-bucket-00002"},
		{Operation: "GetQueueUrl", Bucket: "calm-queue-00001"},
		// Another batch's, and a call about no resource: neither counts.
		{Operation: "HeadBucket", Bucket: "bench-bucket-00000"},
		{Operation: "GetCallerIdentity"},
	}
	want := map[string]float64{"bucket": 1.5, "queue": 1}
	if diff := cmp.Diff(want, callsByKind(calls, "calm", bt)); diff != "" {
		t.Errorf("callsByKind: -want +got:\n%s", diff)
	}
}
