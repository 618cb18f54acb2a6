package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestHostilePlan(t *testing.T) {
	type way struct{ api, mode, kind string }
	count := func(plan []hostileMR) map[way]int {
		out := map[way]int{}
		for _, m := range plan {
			out[way{m.api, m.mode, m.k.name}]++
		}
		return out
	}
	all := func(n int) map[way]int {
		out := map[way]int{}
		for _, m := range []string{"endless", "tarpit", "redirect"} {
			for _, w := range []way{{"aws", m, "bucket"}, {"aws", m, "queue"}, {"vault", m, "bucket"}, {"gcs", m, "gcsbucket"}} {
				out[w] = n
			}
		}
		return out
	}
	cases := map[string]struct {
		reason string
		k      int
		want   map[way]int
	}{
		"EveryWayOnce": {reason: "Twelve resources: each way (API × mode) once.", k: 12, want: all(1)},
		"EvenShares":   {reason: "Forty-eight: four each.", k: 48, want: all(4)},
		"FewTouchEveryMode": {reason: "Three resources still meet every mode.", k: 3,
			want: map[way]int{{"aws", "endless", "bucket"}: 1, {"aws", "tarpit", "bucket"}: 1, {"aws", "redirect", "bucket"}: 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			plan := hostilePlan(tc.k)
			if diff := cmp.Diff(tc.want, count(plan)); diff != "" {
				t.Errorf("%s\nhostilePlan: -want +got:\n%s", tc.reason, diff)
			}
			seen := map[string]bool{}
			for _, m := range plan {
				if seen[m.name] || len(m.name) > 63 {
					t.Errorf("name %q is repeated or too long for an S3 bucket", m.name)
				}
				seen[m.name] = true
				if m.configName != m.api+"-"+m.mode {
					t.Errorf("%s uses config %q, not the one of its API and mode", m.name, m.configName)
				}
			}
		})
	}
}

func TestHostileState(t *testing.T) {
	u := unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": []any{
		map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": "anything"},
	}}}}
	if diff := cmp.Diff("Ready=- Synced=False/ReconcileError", hostileState(u)); diff != "" {
		t.Errorf("hostileState: a missing condition shows as -; the message is not part of the state: -want +got:\n%s", diff)
	}
}

func TestSummarize(t *testing.T) {
	const fail, ready = "Ready=- Synced=False/ReconcileError", "Ready=True/Available Synced=True/ReconcileSuccess"
	cases := map[string]struct {
		reason        string
		before, after map[string]string
		want          hostileSummary
	}{
		"Stable": {
			reason: "Resources failing the same way before and after: nothing to report.",
			before: map[string]string{"a": fail, "b": fail}, after: map[string]string{"a": fail, "b": fail},
			want: hostileSummary{states: map[string]int{fail: 2}},
		},
		"Ready": {
			reason: "A hostile resource that became Ready is counted, and does not show its failure.",
			before: map[string]string{"a": fail}, after: map[string]string{"a": ready},
			want: hostileSummary{ready: 1, notFailing: 1, states: map[string]int{ready: 1}},
		},
		"Changed": {
			reason: "A resource failing before and after, but in another state, changed reason.",
			before: map[string]string{"a": fail}, after: map[string]string{"a": "Ready=False/Creating Synced=False/ReconcileError"},
			want: hostileSummary{changed: 1, states: map[string]int{"Ready=False/Creating Synced=False/ReconcileError": 1}},
		},
		"LateFailure": {
			reason: "A resource not yet failing when the burst began has not changed reason by failing later.",
			before: map[string]string{"a": "Ready=- Synced=-"}, after: map[string]string{"a": fail},
			want: hostileSummary{states: map[string]int{fail: 1}},
		},
		"NeverFailed": {
			reason: "A resource that never showed a failure is counted at the end.",
			before: map[string]string{"a": "Ready=- Synced=-"}, after: map[string]string{"a": "Ready=- Synced=-"},
			want: hostileSummary{notFailing: 1, states: map[string]int{"Ready=- Synced=-": 1}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, summarize(tc.before, tc.after), cmp.AllowUnexported(hostileSummary{})); diff != "" {
				t.Errorf("%s\nsummarize: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
