package main

import (
	"math"
	"strings"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// A hist counts resources by whole seconds to Ready: hist[i] took i seconds. Ready's lastTransitionTime and the
// creationTimestamp both have one-second resolution, so counting by second loses nothing, and a burst of any size
// is a few dozen numbers in the JSON (2,000 values per kind and run would bloat the committed figures).
type hist []int

func newHist(secs []float64) hist {
	var h hist
	for _, s := range secs {
		i := max(0, int(math.Round(s)))
		for len(h) <= i {
			h = append(h, 0)
		}
		h[i]++
	}
	return h
}

// plus is h and o pooled: the runs of a report drawn as one distribution.
func (h hist) plus(o hist) hist {
	out := make(hist, max(len(h), len(o)))
	for i := range out {
		if i < len(h) {
			out[i] += h[i]
		}
		if i < len(o) {
			out[i] += o[i]
		}
	}
	return out
}

func (h hist) n() int {
	n := 0
	for _, c := range h {
		n += c
	}
	return n
}

// quantile is the same as quantile() of the values h counts: the ⌈q·n⌉-th smallest (q 0 is the smallest).
func (h hist) quantile(q float64) float64 {
	n := h.n()
	if n == 0 {
		return math.NaN()
	}
	rank := max(1, int(math.Ceil(q*float64(n))))
	for i, c := range h {
		if rank <= c {
			return float64(i)
		}
		rank -= c
	}
	return float64(len(h) - 1)
}

// keepTTR records the time to Ready of a phase's resources, by kind, for the report's distribution chart.
func (b *bench) keepTTR(phase string, byKind map[string][]float64) {
	if b.ttr == nil {
		b.ttr = map[string]hist{}
	}
	for k, v := range byKind {
		b.ttr[phase+"."+k] = newHist(v)
	}
}

// callsByKind is the cloud calls per resource of each kind of bt, by the resource each call is about: bt's names
// are prefix-kind-number. Calls about no resource of bt (GetCallerIdentity, another batch's) are not counted.
func callsByKind(calls []harness.Call, prefix string, bt batch) map[string]float64 {
	count := map[string]int{}
	for _, c := range calls {
		if p := strings.Split(c.Bucket, "-"); len(p) == 3 && p[0] == prefix {
			count[p[1]]++
		}
	}
	out := map[string]float64{}
	for k, names := range bt {
		if len(names) > 0 {
			out[k] = float64(count[k]) / float64(len(names))
		}
	}
	return out
}
