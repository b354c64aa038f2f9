package ui

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"conlab/app/charts"
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
	case workloads.Cooperative:
		return serCooperative, true
	case workloads.Workers:
		return serWorkers, true
	case workloads.Main:
		return serMain, true
	}
	return 0, false
}

// chartData is what the charts show for one workload and parameter set.
type chartData struct {
	Wall     map[runKey]float64 // µs, per slot: the median of its latest successful runs
	Counts   []int              // worker counts with a parallel run
	Recorded bool               // some native figures come from the recorded file
	Cores    int                // the browser's cores, for the ideal line
	// CPUBound says the work needs a core per lane, so the ideal speed-up
	// stops at the core count; waiting work overlaps on any number.
	CPUBound bool
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

// idealCores is the core count the ideal line stops at: the real one for
// computing lessons, none (the largest N) for waiting ones.
func (d chartData) idealCores() int {
	if d.CPUBound {
		return d.Cores
	}
	n := 1
	for _, c := range d.Counts {
		n = max(n, c)
	}
	return n
}

// idealText names the ideal line.
func (d chartData) idealText() string {
	if d.CPUBound {
		return fmt.Sprintf("ideal (%d cores)", d.Cores)
	}
	return "ideal (N×: waiting needs no core)"
}

// medianOf is how many of a slot's latest runs its bar is the median of:
// a shared machine's speed swings from second to second (by up to 2x on
// the 2-core VM the lab was built on), so running Run all again steadies
// the bars instead of replacing them, and old runs still age out.
const medianOf = 5

// buildChartData takes, for every slot, the median of the latest
// successful runs (up to medianOf) of the workload with exactly these
// parameters; recorded native results fill the native slots that no live
// run filled.
func buildChartData(recs []record, recorded []workloads.Result, workload string, params map[string]any, cores int) chartData {
	key := paramsKey(workload, params)
	d := chartData{Wall: map[runKey]float64{}, Cores: max(cores, 1)}
	walls := map[runKey][]float64{} // per slot, its latest runs, oldest first
	put := func(r *workloads.Result) bool {
		if r.Workload != workload || r.Error != "" || !r.Check.OK || r.WallUS <= 0 || paramsKey(r.Workload, r.Params) != key {
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
		walls[k] = append(walls[k], float64(r.WallUS))
		if len(walls[k]) > medianOf {
			walls[k] = walls[k][1:]
		}
		return true
	}
	for i := range recs { // oldest first: the latest runs are kept
		put(&recs[i].Result)
	}
	for i := range recorded {
		r := &recorded[i]
		s, ok := seriesOf(r)
		if !ok {
			continue
		}
		n := r.Workers
		if s == serNativeSeq {
			n = 1
		}
		if _, have := walls[runKey{s, n}]; !have && put(r) {
			d.Recorded = true
		}
	}
	for k, v := range walls {
		d.Wall[k] = median(v)
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
	var gs []charts.Group
	seq := make([]float64, numSeries)
	for i := range seq {
		seq[i] = nan
	}
	seq[serSequential], seq[serNativeSeq] = val(serSequential, 1), val(serNativeSeq, 1)
	if present(seq[serSequential]) || present(seq[serNativeSeq]) {
		gs = append(gs, charts.Group{Label: "sequential", Values: seq})
	}
	for _, n := range d.Counts {
		vs := make([]float64, numSeries)
		for i := range vs {
			vs[i] = nan
		}
		for _, s := range []int{serCooperative, serWorkers, serMain, serNative} {
			vs[s] = val(s, n)
		}
		gs = append(gs, charts.Group{Label: fmt.Sprintf("N = %d", n), Values: vs})
	}
	return gs
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
		if !ok {
			continue
		}
		for _, n := range d.Counts {
			if v, ok := d.Wall[runKey{s, n}]; ok {
				out[i] = append(out[i], charts.SpeedPoint{N: n, Speedup: b / v})
			}
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
	for _, g := range d.groups() {
		var vs []string
		for s, v := range g.Values {
			if present(v) {
				vs = append(vs, fmt.Sprintf("%s %s", seriesInfo[s].Name, charts.FormatMicros(v)))
			}
		}
		parts = append(parts, g.Label+": "+strings.Join(vs, ", "))
	}
	if len(parts) == 0 {
		return "No runs yet."
	}
	return fmt.Sprintf("Wall time per mode, each the median of its latest runs (up to %d). ", medianOf) + strings.Join(parts, ". ") + "."
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
	ideal := fmt.Sprintf("ideal up to %d cores", d.Cores)
	if !d.CPUBound {
		ideal = "ideal N times faster with N workers, since waiting needs no core"
	}
	return "Speed-up against the sequential run; " + ideal + ". " + strings.Join(parts, ". ") + "."
}
