package ui

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"conlab/workloads"
)

func TestBuildChartData(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	other := map[string]any{"count": int64(5)}
	recs := []record{
		rec("a", 0, "sequential", 1, 1000, p),
		rec("b", 1, "workers", 2, 700, p),
		rec("c", 2, "workers", 2, 520, p),
		rec("c2", 2, "workers", 2, 500, p), // the median of 700, 520, 500
		rec("d", 3, "cooperative", 2, 1010, p),
		rec("e", 4, "workers", 4, 300, other), // other parameters: not drawn
		rec("n1", 5, "sequential", 1, 200, p),
		rec("n2", 6, "goroutines", 2, 100, p),
	}
	bad := rec("f", 7, "workers", 4, 10, p)
	bad.Result.Check.OK = false
	recs = append(recs, bad)
	recorded := []workloads.Result{
		{Workload: "countdown", Mode: workloads.Goroutines, Workers: 2, Params: map[string]any{"count": float64(1000)}, WallUS: 999, Check: workloads.Check{OK: true}, Facts: workloads.Facts{Engine: "native", GOMAXPROCS: 2}},
		{Workload: "countdown", Mode: workloads.Goroutines, Workers: 4, Params: map[string]any{"count": float64(1000)}, WallUS: 60, Check: workloads.Check{OK: true}, Facts: workloads.Facts{Engine: "native", GOMAXPROCS: 4}},
		// Goroutines at GOMAXPROCS=1: not the chart's N threads.
		{Workload: "countdown", Mode: workloads.Goroutines, Workers: 4, Params: map[string]any{"count": float64(1000)}, WallUS: 5, Check: workloads.Check{OK: true}, Facts: workloads.Facts{Engine: "native", GOMAXPROCS: 1}},
	}
	d := buildChartData(recs, recorded, "countdown", p, 2)
	// The failed run is drawn (and marked): a wrong answer is evidence.
	want := map[runKey]float64{
		{serSequential, 1}: 1000, {serWorkers, 2}: 520, {serCooperative, 2}: 1010,
		{serNativeSeq, 1}: 200, {serNative, 2}: 100, {serNative, 4}: 60, {serWorkers, 4}: 10,
	}
	if len(d.Wall) != len(want) {
		t.Errorf("slots %v, want %v", d.Wall, want)
	}
	for k, v := range want {
		if d.Wall[k] != v {
			t.Errorf("slot %+v = %v, want %v", k, d.Wall[k], v)
		}
	}
	if !d.Recorded {
		t.Error("recorded figure used but not flagged")
	}
	if sl := d.Slots[runKey{serWorkers, 4}]; !sl.failed() || len(sl.Failed) != 1 || !strings.HasPrefix(sl.Failed[0], "✗") {
		t.Errorf("the failed run's slot is not marked: %+v", sl)
	}
	if d.Slots[runKey{serWorkers, 2}].failed() {
		t.Error("a slot of good runs is marked failed")
	}
	if len(d.Counts) != 2 || d.Counts[0] != 2 || d.Counts[1] != 4 {
		t.Errorf("counts %v", d.Counts)
	}
	gs := d.groups()
	if len(gs) != 3 || gs[0].Label != "sequential" || gs[1].Label != "N = 2" {
		t.Fatalf("groups %+v", gs)
	}
	if gs[0].Values[serSequential] != 1000 || gs[0].Values[serNativeSeq] != 200 || !math.IsNaN(gs[0].Values[serWorkers]) {
		t.Errorf("sequential group %v", gs[0].Values)
	}
	sp := d.speedups()
	// workers: 1000/520 at N=2; native: 200/100 at 2, 200/60 at 4.
	if len(sp[1]) != 1 || math.Abs(sp[1][0].Speedup-1000.0/520) > 1e-9 {
		t.Errorf("workers speed-up %v", sp[1])
	}
	if len(sp[3]) != 2 || sp[3][0].Speedup != 2 || math.Abs(sp[3][1].Speedup-200.0/60) > 1e-9 {
		t.Errorf("native speed-up %v", sp[3])
	}
	for _, s := range []string{d.wallSummary(), d.speedSummary()} {
		if !strings.Contains(s, "N = 2") && !strings.Contains(s, "N=2") {
			t.Errorf("summary lacks the worker counts: %s", s)
		}
	}
	if s := d.speedSummary(); !strings.Contains(s, "1.92× at N=2 (efficiency 96%)") {
		t.Errorf("speed summary %q", s)
	}

	none := buildChartData(nil, nil, "countdown", p, 2)
	if !none.empty() || none.speedSummary() == "" || none.wallSummary() != "No runs yet." {
		t.Errorf("empty data %+v", none)
	}
}

// A slot's bar is the median of its latest medianOf runs: one slow run
// does not move it, and old runs age out.
func TestChartMedian(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	var recs []record
	for i, w := range []int64{9000, 100, 400, 380, 2000, 420} {
		recs = append(recs, rec(string(rune('a'+i)), i, "sequential", 1, w, p))
	}
	d := buildChartData(recs, nil, "countdown", p, 2)
	// The first run (9000) aged out: the median of 100, 400, 380, 2000,
	// 420 (with it, the median of six would be 410).
	if got := d.Wall[runKey{serSequential, 1}]; got != 400 {
		t.Errorf("median %v, want 400", got)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of an even count = %v, want 2.5", m)
	}
}

// The charts' SVG escapes text, draws a bar per slot and a point per
// speed-up, and carries its text alternative.
func TestChartSVG(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	d := buildChartData([]record{
		rec("a", 0, "sequential", 1, 1000, p),
		rec("b", 1, "workers", 2, 500, p),
		rec("c", 2, "cooperative", 2, 1000, p),
	}, nil, "countdown", p, 2)
	d.CPUBound = true
	wall := wallSVG("w", d, 600)
	if n := strings.Count(wall, `<g class="bar `); n != 3 {
		t.Errorf("%d bars, want 3", n)
	}
	mustContain(t, wall, `role="img"`, `aria-labelledby="w-t w-d"`, "<desc id=\"w-d\">Wall time per mode, each the median of its rounds.", "workers, N = 2: 500 µs")
	speed := speedSVG("s", d, 600)
	if n := strings.Count(speed, "<circle"); n != 2 {
		t.Errorf("%d speed-up points, want 2", n)
	}
	mustContain(t, speed, "ideal (2 cores)", "100%", "50%", `class="ideal"`)

	spans := []workloads.Span{
		{Lane: 0, Task: 0, Label: `<script>alert("x")</script>`, State: workloads.Running, Start: 0, End: 900},
		{Lane: 1, Task: -1, Label: "start", State: workloads.Startup, Start: 0, End: 100},
		{Lane: 1, Task: 1, Label: "sleep 1 s", State: workloads.Waiting, Start: 100, End: 1000},
	}
	name := func(i int) string { return "worker " + string(rune('0'+i)) }
	lay := timelineGeom(spans, chartsFull(1000), 700)
	tl := timelineSVG("t", spans, lay, name, "T", timelineSummary(spans, name))
	mustNotContain(t, tl, "<script>")
	mustContain(t, tl, "&lt;script&gt;", "worker 0", "worker 1", `class="span st-startup"`, `class="span st-waiting"`, `tabindex="0"`, "worker start-up",
		"2 lanes (worker 0 to worker 1), 2 tasks, 3 spans", "At most 2 tasks were active")
}

// Waiting lessons are not bounded by the cores: their ideal line is N.
func TestIdealLine(t *testing.T) {
	d := chartData{Cores: 2, Counts: []int{1, 8}, CPUBound: true}
	if d.idealCores() != 2 || !strings.Contains(d.idealText(), "2 cores") {
		t.Errorf("CPU: %d %q", d.idealCores(), d.idealText())
	}
	d.CPUBound = false
	if d.idealCores() != 8 || !strings.Contains(d.idealText(), "waiting needs no core") {
		t.Errorf("I/O: %d %q", d.idealCores(), d.idealText())
	}
	if !cpuBound(workloads.CPU) || cpuBound(workloads.IO) {
		t.Error("cpuBound")
	}
}

// The ideal line trusts the cores the browser reports when a browser run
// beat the measured ones: the measure was low, not the runs high.
func TestTrustReportedCores(t *testing.T) {
	d := chartData{Wall: map[runKey]float64{{serSequential, 1}: 570, {serWorkers, 2}: 360, {serCooperative, 2}: 560, {serNativeSeq, 1}: 160, {serNative, 2}: 40},
		Counts: []int{2}, Cores: 1, CPUBound: true}
	if got := d.trustReported(2).Cores; got != 2 {
		t.Errorf("workers 1.58× faster with 1 measured core: ideal at %d cores, want the 2 reported", got)
	}
	d.Wall[runKey{serWorkers, 2}] = 540 // 1.06×: within the measure
	if got := d.trustReported(2).Cores; got != 1 {
		t.Errorf("no browser run beat 1 core (native 4× does not count): ideal at %d cores, want 1", got)
	}
	d.Wall[runKey{serWorkers, 2}] = 300
	if got := d.trustReported(1).Cores; got != 1 {
		t.Errorf("reported 1: ideal at %d cores", got)
	}
	d.CPUBound = false
	if got := d.trustReported(2).Cores; got != 1 {
		t.Errorf("a waiting lesson: ideal cores %d changed", got)
	}
}

// The speed-up chart's x axis spans every worker count that ran, passed
// or failed: dbupdate's unlocked runs lose the update at N = 2 and 4, and
// its axis stopped at N = 1 under a label "best possible: 2× at N = 4".
// Each failed N is marked ✗ on the axis, saying why it has no point.
func TestSpeedAxisSpansFailedRuns(t *testing.T) {
	p := map[string]any{"variant": "unlocked"}
	var recs []record
	add := func(mode string, n int, wall int64, ok bool) {
		r := rec(fmt.Sprint(len(recs)), len(recs), mode, n, wall, p)
		r.Result.Workload = "dbupdate"
		if !ok {
			r.Result.Check = workloads.Check{Value: "1", Expected: "2", Note: "lost update"}
		}
		recs = append(recs, r)
	}
	add("sequential", 1, 407_000, true)
	add("cooperative", 1, 406_000, true)
	for _, n := range []int{2, 4} {
		add("cooperative", n, 203_000, false)
		add("goroutines", n, 201_000, false)
	}
	d := buildChartData(recs, nil, "dbupdate", p, 2)
	d.Limit = lessonBound("dbupdate", p)
	svg := speedSVG("s", d, 460)
	var ticks []string
	for _, m := range regexp.MustCompile(`class="tick" text-anchor="middle">([^<]*)<`).FindAllStringSubmatch(svg, -1) {
		ticks = append(ticks, m[1])
	}
	if !slices.Equal(ticks, []string{"1", "2", "4"}) {
		t.Errorf("x ticks %v, want 1, 2 and 4: the failed runs' N too", ticks)
	}
	mustContain(t, svg, "best possible: 2× at N = 4", "N = 2: cooperative, native, GOMAXPROCS=N did the work wrong")
	if n := strings.Count(svg, `class="flag-mark"`); n != 2 {
		t.Errorf("%d ✗ marks, want one at N = 2 and one at N = 4:\n%s", n, svg)
	}
	if c := d.speedCaption(); !strings.Contains(c, "✗ on the axis: runs at that N did the work wrong") {
		t.Errorf("the caption does not explain the ✗ marks: %q", c)
	}
	ok := chartData{Wall: map[runKey]float64{{serSequential, 1}: 1000, {serCooperative, 2}: 500}, Counts: []int{2}, Cores: 2}
	if c := ok.speedCaption(); strings.Contains(c, "✗") {
		t.Errorf("no run did the work wrong, yet the caption speaks of ✗: %q", c)
	}
}
