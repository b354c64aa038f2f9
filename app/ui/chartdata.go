package ui

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"conlab/app/charts"
	"conlab/wasm"
	"conlab/workloads"
)

// The series of the wall-time chart, in legend order.
const (
	serSequential = iota
	serCooperative
	serWorkers
	serMain
	serNativeSeq
	serNative
	numSeries
)

// seriesInfo names and styles each series (the class picks its colour and
// pattern in app.css, so the chart reads in light and dark themes and
// without colour).
var seriesInfo = [numSeries]struct{ Name, Class string }{
	serSequential:  {"sequential", "s-seq"},
	serCooperative: {"cooperative", "s-coop"},
	serWorkers:     {"workers", "s-work"},
	serMain:        {"main thread", "s-main"},
	serNativeSeq:   {"native, GOMAXPROCS=1", "s-nseq"},
	serNative:      {"native, GOMAXPROCS=N", "s-nat"},
}

// speedSeries are the series of the speed-up chart.
var speedSeries = []int{serCooperative, serWorkers, serMain, serNative}

// runKey identifies a slot of the charts: a series at a worker count.
type runKey struct {
	Series  int
	Workers int
}

// seriesOf returns the chart series of a result.
func seriesOf(r *workloads.Result) (int, bool) {
	if r.Facts.Engine == "native" {
		switch {
		case r.Mode == workloads.Sequential:
			return serNativeSeq, true
		case r.Facts.GOMAXPROCS == r.Workers:
			return serNative, true
		}
		// Goroutines at a GOMAXPROCS other than N (the baseline also
		// records GOMAXPROCS=1) are not the chart's "N threads".
		return 0, false
	}
	switch r.Mode {
	case workloads.Sequential:
		return serSequential, true
	case wasm.Cooperative:
		return serCooperative, true
	case wasm.Workers:
		return serWorkers, true
	case wasm.Main:
		return serMain, true
	}
	return 0, false
}

// chartData is what the charts show for one workload and parameter set.
type chartData struct {
	Wall     map[runKey]float64 // µs, per slot: the median of its rounds
	Slots    map[runKey]slot    // per slot: its median, range and failures
	Counts   []int              // worker counts with a parallel run
	Recorded bool               // some native figures come from the recorded file
	Cores    int                // the browser's cores, for the ideal line
	// CPUBound says the work needs a core per lane, so the ideal speed-up
	// stops at the core count; waiting work overlaps on any number.
	CPUBound bool
	// Limit is the best speed-up the lesson's tasks allow at each worker
	// count (bound.go).
	Limit speedBound
}

// liveNative reports whether some native figure is a live run.
func (d chartData) liveNative() bool {
	for _, s := range d.Slots {
		if s.Source != "" && s.Source != sourceRecorded && !strings.HasPrefix(s.Source, sourceRecorded) {
			return true
		}
	}
	return false
}

// cpuBound reports whether a kind of lesson computes (its speed-up is
// bounded by the cores) rather than waits.
func cpuBound(k workloads.Kind) bool {
	switch k {
	case workloads.CPU, workloads.CPUMemory, workloads.DataParallel, workloads.UI:
		return true
	}
	return false
}

// trustReported returns d with the ideal line at the reported cores
// when a browser run beat the measured ones by more than a fifth: the
// parallelism control ran while the page itself was busy starting (it
// measured 1 of 2 cores on a quiet machine, and workers then ran 1.58
// times faster than one), so the measure, not the runs, was low.
func (d chartData) trustReported(reported int) chartData {
	if !d.CPUBound || reported <= d.Cores {
		return d
	}
	for i, pts := range d.speedups() {
		if speedSeries[i] == serNative {
			continue
		}
		for _, p := range pts {
			if p.Speedup > 1.2*float64(d.Cores) {
				d.Cores = reported
				return d
			}
		}
	}
	return d
}

// medianOf bounds the runs a slot takes from rows saved without a run
// set (by an earlier version of the lab): its bar is the median of their
// latest medianOf.
const medianOf = 5

// buildChartData takes, for every slot, the runs of the latest run set
// (one Run all and its rounds, or one Run) that ran it, with exactly
// these parameters: its bar is their median, its whisker their range.
// Runs whose check failed or that ended in an error are drawn too, and
// marked: a lost update is the lesson. Recorded native results fill the
// native slots that no live run filled.
func buildChartData(recs []record, recorded []workloads.Result, workload string, params map[string]any, cores int) chartData {
	key := paramsKey(workload, params)
	d := chartData{Wall: map[runKey]float64{}, Slots: map[runKey]slot{}, Cores: max(cores, 1)}
	type runs struct {
		set     string
		walls   []float64
		failed  []string
		errored int
		shared  int // runs that answered other requests too
	}
	slots := map[runKey]*runs{}
	put := func(r *workloads.Result, set string) bool {
		// A stepped run's clock counts steps, not time.
		if r.Workload != workload || r.WallUS <= 0 || r.Schedule != "" || paramsKey(r.Workload, r.Params) != key {
			return false
		}
		s, ok := seriesOf(r)
		if !ok {
			return false
		}
		n := r.Workers
		if s == serSequential || s == serNativeSeq {
			n = 1
		}
		k := runKey{s, n}
		cur := slots[k]
		if cur == nil || cur.set != set {
			cur = &runs{set: set}
			slots[k] = cur
		}
		cur.walls = append(cur.walls, float64(r.WallUS))
		if r.Shared > 1 {
			cur.shared++
		}
		switch {
		case r.Error != "":
			cur.errored++
		case !r.Check.OK:
			cur.failed = append(cur.failed, failNote(r))
		}
		if set == "" && len(cur.walls) > medianOf {
			cur.walls = cur.walls[1:]
		}
		return true
	}
	for i := range recs { // oldest first: the latest set wins
		put(&recs[i].Result, recs[i].Set)
	}
	for i := range recorded {
		r := &recorded[i]
		s, ok := seriesOf(r)
		if !ok || r.Error != "" || !r.Check.OK {
			continue
		}
		n := r.Workers
		if s == serNativeSeq {
			n = 1
		}
		if _, have := slots[runKey{s, n}]; !have && put(r, "recorded") {
			d.Recorded = true
		}
	}
	for k, v := range slots {
		sl := summarize(v.walls)
		sl.Failed, sl.Errored = slices.Compact(v.failed), v.errored
		// The rounds of a run set ran in this order.
		if v.set != "" && v.set != "recorded" {
			sl.FirstSlow = firstSlow(v.walls)
		}
		if k.Series == serNative || k.Series == serNativeSeq {
			switch {
			case v.set == "recorded":
				sl.Source = sourceRecorded
			case v.shared > 0:
				sl.Source = fmt.Sprintf("live; %d of %d runs shared with other students' identical requests", v.shared, len(v.walls))
			default:
				sl.Source = sourceLive
			}
		}
		d.Slots[k] = sl
		d.Wall[k] = sl.Median
	}
	seen := map[int]bool{}
	for k := range d.Wall {
		if k.Series != serSequential && k.Series != serNativeSeq && !seen[k.Workers] {
			seen[k.Workers] = true
			d.Counts = append(d.Counts, k.Workers)
		}
	}
	slices.Sort(d.Counts)
	return d
}

// groupNumber writes a whole number in groups of three digits
// (workloads.GroupDigits): a check's value and expected value are plain
// numbers for the exports; any other text is returned as it is.
func groupNumber(s string) string {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(n, 10) == s {
		return workloads.GroupDigits(n)
	}
	return s
}

// failHead says what a failed check found: "✗ 1, expected 2".
func failHead(c workloads.Check) string {
	return fmt.Sprintf("✗ %s, expected %s", groupNumber(c.Value), groupNumber(c.Expected))
}

// failNote says what a failed check found, and its note: "✗ 1, expected
// 2 (the note)".
func failNote(r *workloads.Result) string {
	s := failHead(r.Check)
	if r.Check.Note != "" {
		s += " (" + r.Check.Note + ")"
	}
	return s
}

// median returns the median of xs (the mean of the middle two for an
// even count); xs is not changed.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

// empty reports whether there is nothing to draw.
func (d chartData) empty() bool { return len(d.Wall) == 0 }

// groups returns the wall-time chart's groups: the sequential runs, then
// one group per worker count.
func (d chartData) groups() []charts.Group {
	nan := math.NaN()
	val := func(s, n int) float64 {
		if v, ok := d.Wall[runKey{s, n}]; ok {
			return v
		}
		return nan
	}
	group := func(label string, n int, series ...int) charts.Group {
		g := charts.Group{Label: label, Values: make([]float64, numSeries), Low: make([]float64, numSeries), High: make([]float64, numSeries)}
		for i := range g.Values {
			g.Values[i], g.Low[i], g.High[i] = nan, nan, nan
		}
		for _, s := range series {
			g.Values[s] = val(s, n)
			if sl, ok := d.Slots[runKey{s, n}]; ok && sl.Runs > 1 {
				g.Low[s], g.High[s] = sl.Min, sl.Max
			}
		}
		return g
	}
	var gs []charts.Group
	seq := group("sequential", 1, serSequential, serNativeSeq)
	if present(seq.Values[serSequential]) || present(seq.Values[serNativeSeq]) {
		gs = append(gs, seq)
	}
	for _, n := range d.Counts {
		gs = append(gs, group(fmt.Sprintf("N = %d", n), n, serCooperative, serWorkers, serMain, serNative))
	}
	return gs
}

// groupCounts returns the worker count of each group of groups(), in
// order: 1 for the sequential group.
func (d chartData) groupCounts() []int {
	var ns []int
	if _, ok := d.Wall[runKey{serSequential, 1}]; ok {
		ns = append(ns, 1)
	} else if _, ok := d.Wall[runKey{serNativeSeq, 1}]; ok {
		ns = append(ns, 1)
	}
	return append(ns, d.Counts...)
}

// slotAt returns the slot of series in group gi of groups().
func (d chartData) slotAt(gi, series int) (slot, bool) {
	ns := d.groupCounts()
	if gi < 0 || gi >= len(ns) {
		return slot{}, false
	}
	s, ok := d.Slots[runKey{series, ns[gi]}]
	return s, ok
}

// slotText describes a slot beyond its median: its range, and why it is
// flagged (the rounds disagree; a check failed; a run ended in error).
func (s slot) slotText() string {
	var parts []string
	if s.Source != "" {
		parts = append(parts, s.Source)
	}
	if s.Runs > 1 {
		parts = append(parts, s.spreadText())
	}
	if s.busy() {
		parts = append(parts, s.flagText())
	}
	if s.shortNoise() {
		parts = append(parts, shortText)
	}
	parts = append(parts, s.Failed...)
	if s.Errored > 0 {
		parts = append(parts, fmt.Sprintf("✗ %d of %s ended with an error", s.Errored, count(s.Runs, "run")))
	}
	return strings.Join(parts, "; ")
}

func present(v float64) bool { return !math.IsNaN(v) && v >= 0 }

// speedups returns, per speed-up series, the speed-up at each worker
// count against its own side's sequential run: browser modes against the
// browser's sequential mode, native against native at GOMAXPROCS=1.
func (d chartData) speedups() [][]charts.SpeedPoint {
	out := make([][]charts.SpeedPoint, len(speedSeries))
	for i, s := range speedSeries {
		base := serSequential
		if s == serNative {
			base = serNativeSeq
		}
		b, ok := d.Wall[runKey{base, 1}]
		if !ok || d.Slots[runKey{base, 1}].failed() {
			continue
		}
		for _, n := range d.Counts {
			// A run that ended in an error (a deadlock, a timeout) or
			// whose check failed did not do the work right: the wall
			// chart shows it, marked; a wrong answer has no speed-up.
			if v, ok := d.Wall[runKey{s, n}]; ok && !d.Slots[runKey{s, n}].failed() {
				out[i] = append(out[i], charts.SpeedPoint{N: n, Speedup: b / v})
			}
		}
	}
	return out
}

// wrongRuns names the speed-up series whose runs at N did the work wrong
// (a check failed, or a run ended in an error).
type wrongRuns struct {
	N      int
	Series []string
}

// text says why N has no speed-up point for those series.
func (w wrongRuns) text() string {
	return fmt.Sprintf("N = %d: %s did the work wrong (✗ on the wall chart): a wrong answer has no speed-up", w.N, strings.Join(w.Series, ", "))
}

// wrongAt returns, for each worker count of the chart, the speed-up
// series whose runs did the work wrong there; none where all did it right.
func (d chartData) wrongAt() []wrongRuns {
	var out []wrongRuns
	for _, n := range d.Counts {
		w := wrongRuns{N: n}
		for _, s := range speedSeries {
			if sl, ok := d.Slots[runKey{s, n}]; ok && sl.failed() {
				w.Series = append(w.Series, seriesInfo[s].Name)
			}
		}
		if len(w.Series) > 0 {
			out = append(out, w)
		}
	}
	return out
}

// hasSpeedups reports whether any speed-up can be drawn.
func (d chartData) hasSpeedups() bool {
	for _, s := range d.speedups() {
		if len(s) > 0 {
			return true
		}
	}
	return false
}

// wallSummary is the wall-time chart's text alternative: one sentence per
// group, so a screen reader hears the comparison the bars show.
func (d chartData) wallSummary() string {
	var parts []string
	for gi, g := range d.groups() {
		var vs []string
		for s, v := range g.Values {
			if present(v) {
				t := fmt.Sprintf("%s %s", seriesInfo[s].Name, charts.FormatMicros(v))
				if sl, ok := d.slotAt(gi, s); ok {
					if more := sl.slotText(); more != "" {
						t += " (" + more + ")"
					}
				}
				vs = append(vs, t)
			}
		}
		parts = append(parts, g.Label+": "+strings.Join(vs, ", "))
	}
	if len(parts) == 0 {
		return "No runs yet."
	}
	return "Wall time per mode, each the median of its rounds. " + strings.Join(parts, ". ") + "."
}

// speedSummary is the speed-up chart's text alternative.
func (d chartData) speedSummary() string {
	var parts []string
	for i, pts := range d.speedups() {
		if len(pts) == 0 {
			continue
		}
		var vs []string
		for _, p := range pts {
			vs = append(vs, fmt.Sprintf("%.2f× at N=%d (efficiency %.0f%%)", p.Speedup, p.N, 100*p.Speedup/float64(p.N)))
		}
		parts = append(parts, seriesInfo[speedSeries[i]].Name+": "+strings.Join(vs, ", "))
	}
	if len(parts) == 0 {
		return "No speed-up yet: run the sequential mode and a parallel mode."
	}
	for _, w := range d.wrongAt() {
		parts = append(parts, w.text())
	}
	ideal := fmt.Sprintf("ideal up to %s", count(d.Cores, "core"))
	switch {
	case d.bounded():
		ideal = d.boundNote()
	case !d.computesOnCores():
		ideal = "ideal N times faster with N workers, since waiting needs no core"
	}
	return "Speed-up against the sequential run; " + ideal + ". " + strings.Join(parts, ". ") + "."
}
