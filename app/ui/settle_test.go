package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"conlab/wasm"
	"conlab/workloads"
)

// seq is a sequential run of workload with its defaults.
func seq(workload string) workloads.Request {
	return workloads.Request{Workload: workload, Mode: workloads.Sequential}
}

// A run declaring more memory than the runs made ready for makes the page
// and the workers ready again (the workers run it once, untimed); a
// smaller one does not.
func TestSettlerBiggerRun(t *testing.T) {
	fb := &fakeBrowser{}
	var st settler
	ctx := context.Background()
	small := workloads.Request{Workload: "multiply", Mode: workloads.Sequential, Params: map[string]any{"size": 1000}}
	big := workloads.Request{Workload: "multiply", Mode: wasm.Workers, Workers: 2, Params: map[string]any{"size": 4_000_000}}
	var said []string
	wait := func(s string) { said = append(said, s) }
	if got, err := st.settle(ctx, fb, small, 2, wait); err != nil || len(got) != 2 {
		t.Fatalf("first: %+v %v", got, err)
	}
	if got, err := st.settle(ctx, fb, big, 2, wait); err != nil || len(got) != 2 {
		t.Fatalf("a bigger run: %+v %v", got, err)
	}
	if !strings.Contains(said[len(said)-1], "then two untimed runs each at this size") {
		t.Errorf("said %q", said)
	}
	if got, _ := st.settle(ctx, fb, small, 2, nil); len(got) != 0 {
		t.Errorf("a smaller run after a bigger one: %+v", got)
	}
	if !slices.Equal(fb.settles, []int{0, 2, 0, 2}) {
		t.Errorf("calibrations %v", fb.settles)
	}
}

// The page settles once; workers settle again only for more of them.
func TestSettlerOnce(t *testing.T) {
	fb := &fakeBrowser{}
	var st settler
	var said []string
	wait := func(s string) { said = append(said, s) }
	ctx := context.Background()
	if got, err := st.settle(ctx, fb, seq("countdown"), 2, wait); err != nil || len(got) != 2 {
		t.Fatalf("first: %+v %v", got, err)
	}
	if len(said) != 2 || !strings.HasPrefix(said[0], "Waiting for the browser to finish compiling…") || !strings.Contains(said[1], "2 workers") {
		t.Errorf("said %q", said)
	}
	if got, _ := st.settle(ctx, fb, seq("countdown"), 1, wait); len(got) != 0 {
		t.Errorf("settled already: %+v", got)
	}
	if got, _ := st.settle(ctx, fb, seq("countdown"), 4, nil); len(got) != 1 || got[0].Where != "4 workers" {
		t.Errorf("more workers: %+v", got)
	}
	// Another lesson's kernel settles anew, in the page and the workers.
	if got, _ := st.settle(ctx, fb, seq("sumsquares"), 1, nil); len(got) != 2 {
		t.Errorf("another kernel: %+v", got)
	}
	if !slices.Equal(fb.settles, []int{0, 2, 4, 0, 1}) || len(st.settled()) != 5 {
		t.Errorf("calibrations %v, log %+v", fb.settles, st.settled())
	}
	if want := []string{"countdown", "countdown", "countdown", "sumsquares", "sumsquares"}; !slices.Equal(fb.kernels, want) {
		t.Errorf("calibrated kernels %v, want %v", fb.kernels, want)
	}
	if got := (Settling{Where: "2 workers", Took: 10e9}).String(); got != "2 workers: still unsteady after 10.0 s: the machine is busy, timings may vary" {
		t.Errorf("unsettled: %q", got)
	}
	if got := (Settling{Where: "the page", Took: 250e6, Settled: true, Reps: 3}).String(); got != "the page: settled after 250 ms (3 calibration runs)" {
		t.Errorf("settled: %q", got)
	}
	if got := (Settling{Where: "4 workers", Took: 3200e6, Settled: true, Together: 1.94, Of: 2}).String(); got != "4 workers: settled after 3.2 s; side by side, 2 of them ran as 1.9 threads at once" {
		t.Errorf("settled together: %q", got)
	}
	if got := (Settling{Where: "2 workers", Took: 10e9, Together: 1.02, Of: 2}).String(); got != "2 workers: still unsteady after 10.0 s; side by side, 2 of them ran as 1.0 threads at once: the machine is busy, timings may vary" {
		t.Errorf("not together: %q", got)
	}
	// A failed calibration is reported, and tried again next time.
	bad := &fakeBrowser{settleErr: errors.New("no pool")}
	var st2 settler
	if _, err := st2.settle(ctx, bad, seq("countdown"), 1, nil); err == nil || st2.page["countdown"] != 0 {
		t.Errorf("failure: %v, page settled %v", err, st2.page)
	}
}

// The lab's first run waits for settled timings, in the page and in as
// many workers as its widest run; later runs do not wait again, and
// native-only runs never do.
func TestRunSettlesFirst(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown&count=20000&modes=sequential,workers&workers=1,2&rounds=1")
	fb := &fakeBrowser{}
	l.browser = fb
	l.native = nativeInfo{Source: nativeNone}
	l.runAll(ctx)
	eng.ConsumeAll()
	if !slices.Equal(fb.settles, []int{0, 2}) || len(l.settled) != 2 {
		t.Fatalf("calibrations %v, settled %+v", fb.settles, l.settled)
	}
	mustContain(t, render(l), "Settling before the first timed run", "the page: settled after", "2 workers: settled after")
	l.runOne(ctx)
	eng.ConsumeAll()
	if len(fb.settles) != 2 {
		t.Errorf("the second run calibrated again: %v", fb.settles)
	}
	l2 := newTestLab(t, "/?workload=countdown&count=20000&modes=native&workers=1")
	fb2 := &fakeBrowser{}
	l2.browser = fb2
	l2.nclient = liveServer()
	l2.native = l2.nclient.probe(context.Background())
	l2.runAll(ctx)
	eng.ConsumeAll()
	if len(fb2.settles) != 0 {
		t.Errorf("a native run calibrated the browser: %v", fb2.settles)
	}
}

// The lab measures parallelism once timings have settled: a browser that
// reports 4 cores on 2 says "reports 4 cores, measured 2", and the ideal
// line stops at 2. A busy first measurement is bettered by later ones.
func TestMeasuredParallelism(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown&count=2000000&modes=sequential,workers&workers=1,2,4&rounds=1")
	l.facts.Cores = 4
	fb := &fakeBrowser{parallel: 1.2} // a busy moment
	l.browser = fb
	l.native = nativeInfo{Source: nativeNone}
	l.runAll(ctx)
	eng.ConsumeAll()
	if l.cores() != 1 || !strings.Contains(l.coresText(), "reports 4 cores, measured 1") {
		t.Errorf("after a busy measurement: cores %d, %q", l.cores(), l.coresText())
	}
	fb.mu.Lock()
	fb.parallel = 1.96
	fb.mu.Unlock()
	l.runAll(ctx)
	eng.ConsumeAll()
	if l.cores() != 2 || l.coresText() != "reports 4 cores, measured 2" {
		t.Errorf("after a quiet measurement: cores %d, %q", l.cores(), l.coresText())
	}
	// The runs went on this process's threads, as fast as the machine
	// let them: the chart is judged on runs as fast as 2 cores allow.
	p, _ := l.currentParams()
	l.recs = []record{rec("a", 0, "sequential", 1, 1000, p), rec("b", 1, "workers", 1, 1000, p), rec("c", 2, "workers", 2, 540, p), rec("d", 3, "workers", 4, 520, p)}
	doc := render(l)
	mustContain(t, doc, "reports 4 cores, measured 2", "ideal (2 cores)", "the ideal line uses the measured 2")
	// Measurements stop once they reach the threads that tried, or after
	// maxMeasures.
	st := l.settler
	for range 5 {
		st.settle(context.Background(), fb, seq("countdown"), 1, nil)
	}
	if st.measures != maxMeasures {
		t.Errorf("%d measurements, want at most %d", st.measures, maxMeasures)
	}
	if measuredCores(0, 4) != 0 || measuredCores(7.9, 4) != 4 || measuredCores(0.4, 4) != 1 || measuredCores(1.49, 2) != 1 {
		t.Error("measuredCores")
	}
}

// The environment panel names the cores the ideal line uses: when runs
// beat the measured cores, the chart draws the reported ones, and the
// panel says why rather than claiming the measured figure.
func TestMeasuredTextFollowsTheChart(t *testing.T) {
	l := newTestLab(t, "/?workload=countdown&count=2000000&modes=sequential,workers&workers=1,2&rounds=1")
	l.facts.Cores = 2
	l.parallel, l.parK = 1, 2 // measured 1 core of 2
	p, ok := l.currentParams()
	if !ok {
		t.Fatal("the form's parameters do not parse")
	}
	l.recs = []record{rec("a", 0, "sequential", 1, 1000, p), rec("b", 1, "workers", 1, 1000, p), rec("c", 2, "workers", 2, 600, p)}
	if got := l.idealCores(); got != 2 {
		t.Fatalf("workers × 2 ran 1.67× faster with 1 core measured: ideal at %d cores, want the 2 reported", got)
	}
	doc := render(l)
	mustContain(t, doc, "ideal (2 cores)", "the ideal line uses the 2 the browser reports")
	mustNotContain(t, doc, "uses the measured 1")
	// Runs within the measure: the ideal line and the panel keep it.
	// (The lab never edits a result in place: a new slice.)
	l.recs = []record{l.recs[0], l.recs[1], rec("c", 2, "workers", 2, 950, p)}
	doc = render(l)
	mustContain(t, doc, "ideal (1 core)", "the ideal line uses the measured 1")
}

// A host's first run settles as many workers as the machine runs at
// once, whatever its mode, so that its later runs in workers do not each
// come right after their workers' settling; more workers settle when a
// run asks for more.
func TestSettleHostSettlesTheCores(t *testing.T) {
	fb := &fakeBrowser{} // a pool of 2
	var st settler
	ctx := context.Background()
	for _, req := range []workloads.Request{
		seq("countdown"),
		{Workload: "countdown", Mode: wasm.Cooperative, Workers: 2},
		{Workload: "countdown", Mode: wasm.Workers, Workers: 1},
		{Workload: "countdown", Mode: wasm.Workers, Workers: 2},
		{Workload: "countdown", Mode: wasm.Workers, Workers: 4},
	} {
		if _, err := st.settleHost(ctx, fb, req); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(fb.settles, []int{0, 2, 4}) {
		t.Errorf("calibrations %v, want the page and 2 workers at the first run, 4 workers at the run of 4", fb.settles)
	}
	if got := hostLanes(wasm.Stats{Size: 4, MeasuredCores: 2}); got != 2 {
		t.Errorf("hostLanes of a pool of 4 on 2 measured cores = %d, want 2", got)
	}
}
