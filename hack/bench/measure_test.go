package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSampleSum(t *testing.T) {
	in := `# HELP stateful_kube_requests_total x
stateful_kube_requests_total{resource="buckets.s3.aws.stateful.dev/status",verb="update"} 7
stateful_kube_requests_total{resource="buckets.s3.aws.stateful.dev",verb="update"} 3
stateful_kube_requests_total{resource="secrets",verb="get"} 5
stateful_kube_requests_total{resource="events",verb="create"} 2
other_metric 9
`
	s, err := parseMetrics(strings.NewReader(in), "stateful_kube_requests_total")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		match  []string
		want   float64
	}{
		"All":      {reason: "No match sums every series of the name.", want: 17},
		"Prefix":   {reason: "A value ending in * matches by prefix: the status subresource counts.", match: []string{"resource=buckets.s3.aws.stateful.dev*", "verb=update"}, want: 10},
		"Exact":    {reason: "An exact value.", match: []string{"resource=secrets"}, want: 5},
		"Negation": {reason: "!value matches every other value.", match: []string{"resource=!events"}, want: 15},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, s.Sum("stateful_kube_requests_total", tc.match...)); diff != "" {
				t.Errorf("%s\nSum: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
	if _, ok := s["other_metric"]; ok {
		t.Error("parseMetrics kept a metric that was not asked for")
	}
	later := Sample{`stateful_kube_requests_total{resource="secrets",verb="get"}`: 8}
	if diff := cmp.Diff(3.0, later.Sub(s).Sum("stateful_kube_requests_total", "resource=secrets")); diff != "" {
		t.Errorf("Sub: -want +got:\n%s", diff)
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if diff := cmp.Diff([]float64{5, 10, 1}, []float64{quantile(xs, 0.5), quantile(xs, 0.99), quantile(xs, 0.01)}); diff != "" {
		t.Errorf("quantile: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]float64{2, 2.5}, []float64{median([]float64{1, 2, 3}), median([]float64{1, 2, 3, 4})}); diff != "" {
		t.Errorf("median: -want +got:\n%s", diff)
	}
}
