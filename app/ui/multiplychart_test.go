package ui

import (
	"context"
	"strings"
	"testing"

	"conlab/workloads"
)

// multiplyRecord runs the multiply lesson natively and files the result as
// a run of mode (a browser mode when mode is not native).
func multiplyRecord(t *testing.T, id, set string, mode Mode, workers int, params map[string]any) record {
	t.Helper()
	req := workloads.Request{Workload: "multiply", Mode: workloads.Goroutines, Workers: workers, Params: params}
	if mode == modeSequential {
		req.Mode = workloads.Sequential
	}
	res, err := workloads.Run(context.Background(), req, workloads.Options{})
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case modeNative:
		res.Facts.GOMAXPROCS = res.Workers
	case modeSequential:
		res.Facts.Engine = "browser"
	default:
		res.Mode, res.Facts.Engine = workloads.Mode(mode), "browser"
	}
	res.Spans = nil
	return record{ID: id, Set: set, Mode: mode, Result: *res}
}

// The multiply lesson compares its methods on one chart: every method's
// runs with the same size and seed, whatever method the form shows, the
// failed ones marked; the fastest is named; the classic lesson's figures
// are drawn apart and labelled as reported, not measured; and the
// misleading speed-up chart of one method against itself is gone.
func TestMultiplyMethodChart(t *testing.T) {
	params := func(method string, size int64) map[string]any {
		return map[string]any{"method": method, "size": size, "seed": int64(1)}
	}
	recs := []record{
		multiplyRecord(t, "a", "s1", modeSequential, 1, params("loop", 20_000)),
		multiplyRecord(t, "b", "s1", modeWorkers, 1, params("loop", 20_000)),
		multiplyRecord(t, "c", "s2", modeSequential, 1, params("chunks", 20_000)),
		multiplyRecord(t, "d", "s2", modeWorkers, 2, params("chunks", 20_000)),
		multiplyRecord(t, "e", "s3", modeWorkers, 2, params("shared", 20_000)),
		// Another array size: not on this chart.
		multiplyRecord(t, "f", "s4", modeWorkers, 2, params("chunks", 30_000)),
	}
	for _, r := range recs[:5] {
		if r.Result.Error != "" || !r.Result.Check.OK {
			t.Fatalf("%s: %s %+v", r.Result.Params["method"], r.Result.Error, r.Result.Check)
		}
	}
	// The chart's order and verdict follow the medians, whatever this
	// machine's timings were: set them.
	walls := map[string]int64{"a": 4_000, "b": 3_000, "c": 9_000, "d": 6_000, "e": 300_000, "f": 1}
	for i := range recs {
		recs[i].Result.WallUS = walls[recs[i].ID]
	}
	// In a page that is not cross-origin isolated the shared method ends
	// with an error: drawn, marked, never the fastest.
	failed := recs[4]
	failed.ID, failed.Set = "g", "s5"
	failed.Result.Error, failed.Result.WallUS = workloads.ErrNoSharedMemory.Error(), 50
	failed.Result.Workers = 4
	recs = append(recs, failed)

	bars := multiplyBars(recs, nil, params("loop", 20_000), 2)
	var got []string
	for _, b := range bars {
		got = append(got, b.Method+" "+b.config())
	}
	want := "loop sequential|loop workers × 1|chunks sequential|chunks workers × 2|shared workers × 2|shared workers × 4"
	if strings.Join(got, "|") != want {
		t.Fatalf("bars:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if !bars[5].Slot.failed() || bars[4].Slot.failed() {
		t.Errorf("failures: %+v", bars)
	}
	verdict := multiplyVerdict(bars)
	mustContain(t, verdict, "Fastest: one loop, workers × 1 (3 ms).", "Copied chunks at its best (workers × 2) is 2.0× slower.",
		"Shared memory, element by element at its best (workers × 2) is 100× slower.")

	svg := multiplySVG("m", bars, 700)
	mustContain(t, svg, `id="m"`, "One loop", "Copied chunks", "Shared memory, element by element", "bar-failed", "✗",
		"vectorised library (NumPy)", "14 ms (reported)", "6.17 s (reported)", "not measured here", "logarithmic")
	if n := strings.Count(svg, `data-method="chunks"`); n != 2 {
		t.Errorf("%d chunks bars, want 2 (the other array size is not drawn)", n)
	}
	if rawDuration.MatchString(svg) || rawDuration.MatchString(verdict) {
		t.Error("a raw Go duration on the chart")
	}

	// The form shows one method; the chart shows them all, and the page
	// no longer draws a speed-up of one method against itself.
	l := newTestLab(t, "/?workload=multiply&method=chunks&size=20000&seed=1")
	l.recs = recs
	doc := render(l.chartsSection())
	mustContain(t, doc, "chart-methods", "Fastest: one loop", "not measured here")
	mustNotContain(t, doc, "chart-speed", "Speed-up over the sequential run", "Not yet run")
	// With only the loop run, the page says which methods are missing.
	l.recs = recs[:2]
	mustContain(t, render(l.chartsSection()), "Not yet run with this array size and seed: chunks, shared")
	// A method with no run of its own still shows the others' comparison.
	l = newTestLab(t, "/?workload=multiply&method=shared&size=20000&seed=1")
	l.recs = recs[:4]
	mustContain(t, render(l.chartsSection()), "No runs with these parameters yet", "chart-methods", "Fastest: one loop")
}
