package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"sort"
	"strings"
)

// The report's two charts, SVG written by hand: no plotting dependency for two charts, and the same figures always
// give the same bytes, so a re-drawn chart shows in a diff only when its figures changed.

// svgPaths are the charts' files beside the report's JSON: BENCHMARKS.json gives BENCHMARKS-ttr.svg and
// BENCHMARKS-calls.svg, so that a run written elsewhere (-json /tmp/b.json) leaves the committed charts alone.
func svgPaths(jsonPath string) (ttr, calls string) {
	base := strings.TrimSuffix(jsonPath, ".json")
	return base + "-ttr.svg", base + "-calls.svg"
}

// writeSVGs draws r's charts beside jsonPath.
func (r *report) writeSVGs(jsonPath string) error {
	ttr, calls := svgPaths(jsonPath)
	foot := fmt.Sprintf("commit %s, %s, N=%d, %d run(s)", r.Commit, r.Date, r.N, len(r.Runs))
	if err := os.WriteFile(ttr, drawBoxes("Time to Ready per kind, s", ttrCaption(r), foot, ttrBoxes(r)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(calls, drawBars("Cloud calls per MR to Ready, against floor (b)",
		"S1 by operation, medians over runs (whisker: min–max). Floor (b): the minimal SDK call sequence per resource.\n"+
			"Dashed: the target, 1.5 × floor (b). SH: the other tenant's burst beside a hostile tenant.",
		foot, callBars(r)), 0o644)
}

// readReport reads a report the bench wrote (-draw-only).
func readReport(path string) (*report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := &report{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// A box is one row of the time-to-Ready chart: a distribution's quantiles, NaN where the report does not hold
// them (one written before the per-second counts has only p50 and p99 figures).
type box struct {
	label                        string
	n                            int // resources counted; 0 when unknown
	min, p25, p50, p75, p99, max float64
}

func boxOf(label string, h hist) box {
	return box{label: label, n: h.n(), min: h.quantile(0), p25: h.quantile(0.25), p50: h.quantile(0.5),
		p75: h.quantile(0.75), p99: h.quantile(0.99), max: h.quantile(1)}
}

func nan() float64 { return math.NaN() }

// kindLabel is a kind's short name in a chart: Bucket.s3, Topic.pubsub.
func kindLabel(name string) string {
	for _, k := range mixedKinds {
		if k.name == name {
			return k.gvk.Kind + "." + strings.SplitN(k.gvk.Group, ".", 2)[0]
		}
	}
	return name
}

// chartPhases are the phases whose time to Ready is drawn, in order, with their rows' label.
var chartPhases = []struct{ id, what string }{
	{"S1", "S1"}, {"SH", "SH"}, {"mixed", "mixed"},
}

// ttrBoxes are the rows r can draw: each phase's time to Ready by kind, its runs pooled. A report without the
// per-second counts gives what its figures hold: S1's p50 and p99 over every kind, the mixed burst's p50 by kind
// (the median over runs).
func ttrBoxes(r *report) []box {
	pooledRuns := map[string]hist{}
	for _, run := range r.TTR {
		for id, h := range run {
			pooledRuns[id] = pooledRuns[id].plus(h)
		}
	}
	var rows []box
	for _, p := range chartPhases {
		for _, k := range mixedKinds {
			if h, ok := pooledRuns[p.id+"."+k.name]; ok && h.n() > 0 {
				rows = append(rows, boxOf(p.what+" "+kindLabel(k.name), h))
			}
		}
	}
	if len(rows) > 0 {
		return rows
	}
	med := func(id string) float64 {
		if s, ok := r.Summary[id]; ok {
			return s.Median
		}
		return nan()
	}
	if _, ok := r.Summary["S1.ttr_p50_s"]; ok {
		rows = append(rows, box{label: "S1 every kind", min: nan(), p25: nan(), p50: med("S1.ttr_p50_s"), p75: nan(), p99: med("S1.ttr_p99_s"), max: nan()})
	}
	for _, k := range mixedKinds {
		if _, ok := r.Summary["mixed."+k.name+".ttr_p50_s"]; ok {
			label, p50 := "mixed "+kindLabel(k.name), med("mixed."+k.name+".ttr_p50_s")
			rows = append(rows, box{label: label, min: nan(), p25: nan(), p50: p50, p75: nan(), p99: nan(), max: nan()})
		}
	}
	return rows
}

func ttrCaption(r *report) string {
	if len(r.TTR) > 0 {
		return "Ready's lastTransitionTime − creationTimestamp per MR (1 s resolution), runs pooled: box p25–p75, bar p50, whiskers min–max, ◆ p99.\n" +
			"SH: S1's burst again, beside a hostile tenant (see the scenario)."
	}
	return "This report holds no per-MR distribution, only medians over runs of what it has: bar p50, ◆ p99.\n" +
		"S1 pools every kind; the mixed burst has a p50 by kind."
}

// A bar is one row of the cloud-calls chart: stacked segments (operations, or one), the spread over runs as a
// whisker (NaN: none), and marks (the target).
type bar struct {
	label  string
	segs   []seg
	lo, hi float64
	marks  []float64
	// colour, when set, is the whole bar's, left out of the legend (its row's label says what it is); otherwise
	// each segment has its name's colour, in the legend.
	colour string
}

type seg struct {
	name string
	v    float64
}

func (b bar) total() float64 {
	t := 0.0
	for _, s := range b.segs {
		t += s.v
	}
	return t
}

// callBars are S1's cloud calls per MR against floor (b): every kind together (by operation), then each kind
// against its own floor when the report has them, and the calm tenant of SH.
func callBars(r *report) []bar {
	get := func(id string) (stat, bool) { s, ok := r.Summary[id]; return s, ok }
	var rows []bar
	target := func(floor string) []float64 {
		if s, ok := get(floor); ok {
			return []float64{1.5 * s.Median}
		}
		return nil
	}
	if s, ok := get("S1.cloud_calls_per_mr"); ok {
		var ops []string
		for id := range r.Summary {
			if strings.HasPrefix(id, "S1.op.") {
				ops = append(ops, id)
			}
		}
		sort.Strings(ops)
		b := bar{label: "S1 every kind", lo: s.Min, hi: s.Max, marks: target("floor.b_calls_per_mr")}
		for _, id := range ops {
			b.segs = append(b.segs, seg{strings.TrimPrefix(id, "S1.op."), r.Summary[id].Median})
		}
		if len(b.segs) == 0 {
			b.segs, b.colour = []seg{{"S1", s.Median}}, s1Colour
		}
		rows = append(rows, b)
	}
	if s, ok := get("floor.b_calls_per_mr"); ok {
		rows = append(rows, bar{label: "floor (b) every kind", segs: []seg{{"floor (b)", s.Median}}, lo: nan(), hi: nan(), colour: floorGrey})
	}
	for _, k := range mixedKinds {
		s, ok := get("S1." + k.name + ".cloud_calls_per_mr")
		if !ok {
			continue
		}
		rows = append(rows, bar{label: "S1 " + kindLabel(k.name), segs: []seg{{"S1", s.Median}}, lo: s.Min, hi: s.Max,
			marks: target("floor.b." + k.name + ".calls_per_mr"), colour: s1Colour})
		if fl, ok := get("floor.b." + k.name + ".calls_per_mr"); ok {
			rows = append(rows, bar{label: "floor (b) " + kindLabel(k.name), segs: []seg{{"floor (b)", fl.Median}}, lo: nan(), hi: nan(), colour: floorGrey})
		}
	}
	if s, ok := get("SH.cloud_calls_per_mr"); ok {
		rows = append(rows, bar{label: "SH every kind (calm tenant)", segs: []seg{{"SH", s.Median}}, lo: s.Min, hi: s.Max,
			marks: target("floor.b_calls_per_mr"), colour: shColour})
	}
	return rows
}

// The charts' geometry, px.
const (
	chartWidth = 900
	labelWidth = 200 // the rows' labels, left of the plot
	valueWidth = 240 // the rows' values, right of it
	rowHeight  = 24
	headHeight = 70 // title and two lines of caption
	axisHeight = 34
)

// palette colours the operations (twelve: S1 has nine), and the quartile boxes.
var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
	"#17becf", "#bcbd22", "#1f77b4"}

// The colours of whole bars: floor (b), S1 by kind, SH.
const floorGrey, s1Colour, shColour = "#9d9d9d", "#3b4a5a", "#8c6bb1"

// niceScale is an axis from 0 to top in steps of step (1, 2 or 5 × 10^k), top ≥ v, at most ten steps.
func niceScale(v float64) (top, step float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		return 1, 0.2
	}
	mag := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{0.1, 0.2, 0.5, 1, 2, 5, 10} {
		step = m * mag
		if top = math.Ceil(v/step-1e-9) * step; top/step <= 10 {
			return top, step
		}
	}
	return top, step
}

// f1 formats a coordinate: one decimal, the same bytes for the same value.
func f1(v float64) string { return fmt.Sprintf("%.1f", v) }

type svg struct {
	bytes.Buffer
	top, step float64
}

func newSVG(title, caption string, rows int, maxV float64) *svg {
	s := &svg{}
	s.top, s.step = niceScale(maxV)
	h := headHeight + rows*rowHeight + axisHeight + 40
	fmt.Fprintf(s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, h, chartWidth, h)
	fmt.Fprintf(s, "<title>%s</title>\n", html.EscapeString(title))
	fmt.Fprintf(s, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, h)
	fmt.Fprintf(s, `<text x="10" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	for i, line := range strings.SplitN(caption, "\n", 2) {
		fmt.Fprintf(s, `<text x="10" y="%d" font-size="11" fill="#555555">%s</text>`+"\n", 40+i*14, html.EscapeString(line))
	}
	return s
}

// x is value v's position on the plot.
func (s *svg) x(v float64) float64 {
	return labelWidth + (chartWidth-labelWidth-valueWidth)*math.Min(v, s.top)/s.top
}

func (s *svg) axis(rows int) {
	y0, y1 := float64(headHeight), float64(headHeight+rows*rowHeight)
	for v := 0.0; v <= s.top+s.step/2; v += s.step {
		x := f1(s.x(v))
		fmt.Fprintf(s, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e3e3e3"/>`+"\n", x, f1(y0), x, f1(y1))
		fmt.Fprintf(s, `<text x="%s" y="%s" text-anchor="middle" fill="#555555">%s</text>`+"\n", x, f1(y1+16), num(v))
	}
}

func (s *svg) label(i int, text string) float64 {
	y := float64(headHeight + i*rowHeight)
	fmt.Fprintf(s, `<text x="%d" y="%s" text-anchor="end">%s</text>`+"\n", labelWidth-10, f1(y+rowHeight/2+4), html.EscapeString(text))
	return y
}

func (s *svg) value(y float64, text string) {
	fmt.Fprintf(s, `<text x="%d" y="%s" fill="#333333">%s</text>`+"\n", chartWidth-valueWidth+10, f1(y+rowHeight/2+4), html.EscapeString(text))
}

func (s *svg) foot(y int, text string) {
	fmt.Fprintf(s, `<text x="10" y="%d" font-size="10" fill="#777777">%s</text>`+"\n", y, html.EscapeString(text))
}

func (s *svg) end() []byte {
	_, _ = s.WriteString("</svg>\n") // A bytes.Buffer's write never fails.
	return s.Bytes()
}

func known(v float64) bool { return !math.IsNaN(v) }

// drawBoxes draws one box per row (see box): what is unknown is left out.
func drawBoxes(title, caption, foot string, rows []box) []byte {
	maxV := 0.0
	for _, b := range rows {
		for _, v := range []float64{b.max, b.p99, b.p75, b.p50} {
			if known(v) {
				maxV = math.Max(maxV, v)
			}
		}
	}
	s := newSVG(title, caption, len(rows), maxV)
	s.axis(len(rows))
	for i, b := range rows {
		y := s.label(i, b.label)
		mid := y + rowHeight/2
		c := palette[0]
		if known(b.min) && known(b.max) {
			fmt.Fprintf(s, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`+"\n", f1(s.x(b.min)), f1(mid), f1(s.x(b.max)), f1(mid), c)
			for _, v := range []float64{b.min, b.max} {
				fmt.Fprintf(s, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`+"\n", f1(s.x(v)), f1(mid-4), f1(s.x(v)), f1(mid+4), c)
			}
		}
		if known(b.p25) && known(b.p75) {
			fmt.Fprintf(s, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" fill-opacity="0.35" stroke="%s"/>`+"\n",
				f1(s.x(b.p25)), f1(mid-7), f1(math.Max(1, s.x(b.p75)-s.x(b.p25))), "14", c, c)
		}
		if known(b.p50) {
			fmt.Fprintf(s, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#1f3b57" stroke-width="3"/>`+"\n",
				f1(s.x(b.p50)), f1(mid-8), f1(s.x(b.p50)), f1(mid+8))
		}
		if known(b.p99) {
			x := s.x(b.p99)
			fmt.Fprintf(s, `<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="%s"/>`+"\n",
				f1(x), f1(mid-5), f1(x+5), f1(mid), f1(x), f1(mid+5), f1(x-5), f1(mid), palette[3])
		}
		var parts []string
		if known(b.p50) {
			parts = append(parts, "p50 "+num(b.p50))
		}
		if known(b.p99) {
			parts = append(parts, "p99 "+num(b.p99))
		}
		if known(b.max) {
			parts = append(parts, "max "+num(b.max))
		}
		if b.n > 0 {
			parts = append(parts, fmt.Sprintf("n %d", b.n))
		}
		s.value(y, strings.Join(parts, " · "))
	}
	s.foot(headHeight+len(rows)*rowHeight+axisHeight+20, foot)
	return s.end()
}

// drawBars draws one stacked bar per row (see bar), with a legend of the segments' names.
func drawBars(title, caption, foot string, rows []bar) []byte {
	maxV := 0.0
	colour := map[string]string{}
	var names []string
	for _, b := range rows {
		maxV = math.Max(maxV, b.total())
		for _, v := range append([]float64{b.hi}, b.marks...) {
			if known(v) {
				maxV = math.Max(maxV, v)
			}
		}
		for _, sg := range b.segs {
			if _, ok := colour[sg.name]; !ok && b.colour == "" {
				colour[sg.name] = palette[len(names)%len(palette)]
				names = append(names, sg.name)
			}
		}
	}
	// The legend: five names a line.
	legendLines := (len(names) + 4) / 5
	s := newSVG(title, caption, len(rows)+legendLines, maxV)
	s.axis(len(rows))
	for i, b := range rows {
		y := s.label(i, b.label)
		x := s.x(0)
		for _, sg := range b.segs {
			c := colour[sg.name]
			if b.colour != "" {
				c = b.colour
			}
			w := s.x(sg.v) - s.x(0)
			fmt.Fprintf(s, `<rect x="%s" y="%s" width="%s" height="%d" fill="%s"><title>%s %s</title></rect>`+"\n",
				f1(x), f1(y+5), f1(w), rowHeight-10, c, html.EscapeString(sg.name), num(sg.v))
			x += w
		}
		if known(b.lo) && known(b.hi) && b.hi > b.lo {
			mid := y + rowHeight/2
			fmt.Fprintf(s, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#222222"/>`+"\n", f1(s.x(b.lo)), f1(mid), f1(s.x(b.hi)), f1(mid))
		}
		for _, m := range b.marks {
			fmt.Fprintf(s, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" stroke-dasharray="3,2"/>`+"\n",
				f1(s.x(m)), f1(y+1), f1(s.x(m)), f1(y+rowHeight-1), palette[3])
		}
		s.value(y, num(b.total()))
	}
	ly := headHeight + len(rows)*rowHeight + axisHeight
	for i, n := range names {
		x, y := 10+(i%5)*160, ly+(i/5)*rowHeight
		fmt.Fprintf(s, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`+"\n", x, y, colour[n])
		fmt.Fprintf(s, `<text x="%d" y="%d">%s</text>`+"\n", x+16, y+10, html.EscapeString(n))
	}
	s.foot(ly+legendLines*rowHeight+20, foot)
	return s.end()
}
