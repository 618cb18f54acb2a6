package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "Rewrite the golden charts in testdata.")

func TestNiceScale(t *testing.T) {
	cases := map[string]struct {
		reason          string
		v               float64
		wantTop, wantSt float64
	}{
		"Seconds":  {reason: "72 s: an axis to 80 in tens.", v: 72, wantTop: 80, wantSt: 10},
		"Calls":    {reason: "4.08 calls: to 4.5 in halves.", v: 4.08, wantTop: 4.5, wantSt: 0.5},
		"Exact":    {reason: "A value on a step is the top.", v: 50, wantTop: 50, wantSt: 5},
		"Zero":     {reason: "Nothing to draw: an axis to 1.", v: 0, wantTop: 1, wantSt: 0.2},
		"NotANumb": {reason: "NaN: an axis to 1.", v: math.NaN(), wantTop: 1, wantSt: 0.2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			top, step := niceScale(tc.v)
			if diff := cmp.Diff([]float64{tc.wantTop, tc.wantSt}, []float64{top, step}, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("%s\nniceScale(%v): -want +got:\n%s", tc.reason, tc.v, diff)
			}
		})
	}
}

// elements parses an SVG and counts its elements by name: it must be well-formed XML.
func elements(t *testing.T, b []byte) (map[string]int, []string) {
	t.Helper()
	count := map[string]int{}
	var texts []string
	d := xml.NewDecoder(bytes.NewReader(b))
	inText := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return count, texts
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			count[el.Name.Local]++
			inText = el.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
}

func testReport() *report {
	return &report{
		Commit: "abc1234", Date: "2026-12-07T10:00:00Z", N: 6, Runs: []figures{{}, {}},
		Summary: map[string]stat{
			"floor.b_calls_per_mr":            {3.5, 3.5, 3.5},
			"floor.b.bucket.calls_per_mr":     {4, 4, 4},
			"floor.b.queue.calls_per_mr":      {3, 3, 3},
			"S1.cloud_calls_per_mr":           {4.02, 4.01, 4.08},
			"S1.op.HeadBucket":                {1, 1, 1},
			"S1.op.CreateBucket":              {0.5, 0.5, 0.5},
			"S1.op.PutBucketTagging":          {0.5, 0.5, 0.5},
			"S1.op.GetQueueUrl":               {0.5, 0.5, 0.5},
			"S1.op.CreateQueue":               {0.5, 0.5, 0.5},
			"S1.op.GetQueueAttributes":        {0.52, 0.5, 0.55},
			"S1.op.ListQueueTags":             {0.5, 0.5, 0.5},
			"S1.bucket.cloud_calls_per_mr":    {4, 4, 4.02},
			"S1.queue.cloud_calls_per_mr":     {4.04, 4.02, 4.1},
			"SH.cloud_calls_per_mr":           {4.03, 4.03, 4.03},
			"S1.ttr_p50_s":                    {47, 37, 55},
			"S1.ttr_p99_s":                    {49, 38, 60},
			"mixed.bucket.ttr_p50_s":          {11, 10, 12},
			"mixed.topic.ttr_p50_s":           {5, 5, 5},
			"mixed.bucket.cloud_calls_per_mr": {4.2, 4.2, 4.2},
			"S2.cloud_calls_per_mr":           {1.98, 1.97, 1.99},
			"S1.makespan_s":                   {61.8, 46.9, 72.4},
		},
		TTR: []map[string]hist{
			{"S1.bucket": {0, 1, 2}, "S1.queue": {0, 0, 1, 2}, "SH.bucket": {0, 0, 0, 3}},
			{"S1.bucket": {0, 0, 0, 0, 1}, "S1.queue": {0, 0, 1}, "SH.bucket": {0, 0, 0, 1, 2}},
		},
	}
}

func TestTTRBoxes(t *testing.T) {
	r := testReport()
	want := []box{
		// Bucket: 1, 2, 2, 4 s over the two runs.
		{label: "S1 Bucket.s3", n: 4, min: 1, p25: 1, p50: 2, p75: 2, p99: 4, max: 4},
		{label: "S1 Queue.sqs", n: 4, min: 2, p25: 2, p50: 2, p75: 3, p99: 3, max: 3},
		{label: "SH Bucket.s3", n: 6, min: 3, p25: 3, p50: 3, p75: 4, p99: 4, max: 4},
	}
	if diff := cmp.Diff(want, ttrBoxes(r), cmp.AllowUnexported(box{})); diff != "" {
		t.Errorf("with counts, a box per phase and kind, the runs pooled: -want +got:\n%s", diff)
	}
	r.TTR = nil
	n := math.NaN()
	want = []box{
		{label: "S1 every kind", min: n, p25: n, p50: 47, p75: n, p99: 49, max: n},
		{label: "mixed Bucket.s3", min: n, p25: n, p50: 11, p75: n, p99: n, max: n},
		{label: "mixed Topic.pubsub", min: n, p25: n, p50: 5, p75: n, p99: n, max: n},
	}
	if diff := cmp.Diff(want, ttrBoxes(r), cmp.AllowUnexported(box{}), cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("without counts (a report older than them), what the figures hold: -want +got:\n%s", diff)
	}
}

func TestCallBars(t *testing.T) {
	rows := callBars(testReport())
	var labels []string
	for _, b := range rows {
		labels = append(labels, b.label+" "+num(b.total()))
	}
	want := []string{
		"S1 every kind 4.02", "floor (b) every kind 3.50",
		"S1 Bucket.s3 4", "floor (b) Bucket.s3 4", "S1 Queue.sqs 4.04", "floor (b) Queue.sqs 3",
		"SH every kind (calm tenant) 4.03",
	}
	if diff := cmp.Diff(want, labels); diff != "" {
		t.Errorf("callBars: S1 against floor (b), together and by kind: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]float64{5.25}, rows[0].marks); diff != "" {
		t.Errorf("the target is 1.5 × floor (b): -want +got:\n%s", diff)
	}
	if diff := cmp.Diff(7, len(rows[0].segs)); diff != "" {
		t.Errorf("S1 every kind is stacked by operation: -want +got:\n%s", diff)
	}
}

func TestDraw(t *testing.T) {
	r := testReport()
	old := testReport()
	old.TTR = nil
	cases := map[string]struct {
		reason string
		draw   func() []byte
		// want counts some elements: one box (rect) per row with quartiles, one p99 diamond (path) per row with
		// a p99, a bar segment (rect) per operation, ...
		want      map[string]int
		wantTexts []string
	}{
		"Boxes": {
			reason: "Three rows with every quantile: a box, a p99 diamond and three whisker lines each.",
			draw: func() []byte {
				return drawBoxes("Time to Ready per kind, s", ttrCaption(r), "commit abc1234", ttrBoxes(r))
			},
			want:      map[string]int{"svg": 1, "rect": 1 + 3, "path": 3},
			wantTexts: []string{"S1 Bucket.s3", "p50 2 · p99 4 · max 4 · n 4", "commit abc1234"},
		},
		"BoxesWithoutCounts": {
			reason:    "A report without counts: no boxes, a diamond only where a p99 is known.",
			draw:      func() []byte { return drawBoxes("t", ttrCaption(old), "f", ttrBoxes(old)) },
			want:      map[string]int{"svg": 1, "rect": 1, "path": 1},
			wantTexts: []string{"S1 every kind", "p50 47 · p99 49", "mixed Topic.pubsub", "p50 5"},
		},
		"Bars": {
			reason: "Seven operations stacked, six more bars, and a legend square per operation (the other bars' labels say what they are).",
			draw:   func() []byte { return drawBars("t", "c", "f", callBars(r)) },
			// The background, 7 + 6 bar segments, a legend square for each of the 7 operations.
			want:      map[string]int{"svg": 1, "rect": 1 + 13 + 7},
			wantTexts: []string{"S1 every kind", "4.02", "floor (b) every kind", "3.50", "HeadBucket"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := tc.draw()
			if !bytes.Equal(got, tc.draw()) {
				t.Fatal("two drawings of the same figures differ")
			}
			count, texts := elements(t, got)
			for el, n := range tc.want {
				if diff := cmp.Diff(n, count[el]); diff != "" {
					t.Errorf("%s\n<%s> elements: -want +got:\n%s", tc.reason, el, diff)
				}
			}
			for _, w := range tc.wantTexts {
				found := false
				for _, tx := range texts {
					found = found || tx == w
				}
				if !found {
					t.Errorf("%s\nno text %q among %q", tc.reason, w, texts)
				}
			}
			golden := filepath.Join("testdata", strings.ToLower(name)+".svg")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./hack/bench -run TestDraw -update writes it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s: the chart differs from %s (look at both; -update rewrites it): -want +got:\n%s", name, golden, diff)
			}
		})
	}
}

func TestSVGPaths(t *testing.T) {
	ttr, calls := svgPaths("docs/benchmarks/BENCHMARKS.json")
	if diff := cmp.Diff([]string{"docs/benchmarks/BENCHMARKS-ttr.svg", "docs/benchmarks/BENCHMARKS-calls.svg"}, []string{ttr, calls}); diff != "" {
		t.Errorf("the charts go beside the JSON, named after it: -want +got:\n%s", diff)
	}
}
