//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/workloads"
)

func TestNewPoolRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Prefix: "course/lab"},
		{Prefix: "//evil.example/lab"},
		{Prefix: "/lab?x=1"},
		{Size: -1},
		{Size: 65},
		{StartTimeout: -time.Second},
		{Watchdog: -time.Second},
		{Watchdog: time.Hour},
	} {
		if p, err := NewPool(cfg); err == nil {
			p.Close()
			t.Errorf("NewPool(%+v) accepted a bad config", cfg)
		}
	}
	p := newPool(t, Config{Prefix: "/course/week3/lab/"})
	if p.script != "/course/week3/lab/web/worker.js" || p.wasmURL != "/course/week3/lab/web/worker.wasm" {
		t.Errorf("prefix: script %q, wasm %q", p.script, p.wasmURL)
	}
	if got, want := newPool(t, Config{}).Stats().Size, min(HardwareConcurrency(), 64); got != want {
		t.Errorf("default size %d, want hardwareConcurrency %d", got, want)
	}
}

func TestRunRejectsBadRequests(t *testing.T) {
	p := newPool(t, Config{Size: 1})
	ctx := testCtx(t, time.Minute)
	for _, req := range []workloads.Request{
		{Workload: "nope", Mode: workloads.Sequential},
		{Workload: "countdown", Mode: "threads"},
		{Workload: "countdown", Mode: Workers, Workers: 65},
		{Workload: "countdown", Mode: Cooperative, Params: map[string]any{"count": -1}},
		{Workload: "countdown", Mode: Cooperative, Params: map[string]any{"cuont": 5}},
		{Workload: "deadlock", Mode: Workers, Workers: 2},
	} {
		res, err := p.Run(ctx, req, nil)
		var pe *workloads.ParamError
		var ue *workloads.UnsupportedError
		if res != nil || !(errors.As(err, &pe) || errors.As(err, &ue)) {
			t.Errorf("Run(%+v) = %v, %v; want a nil result and a ParamError or UnsupportedError", req, res, err)
		}
	}
	// Validation happens before anything starts.
	if s := p.Stats(); s.Alive != 0 || s.CompileMS != 0 {
		t.Errorf("bad requests started workers: %+v", s)
	}
}

// Every workload of the catalog checks out in every browser mode it
// supports, with spans on the run's lanes and clock.
func TestQuickRunsInEveryMode(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	type mode struct {
		m workloads.Mode
		n int
	}
	modes := []mode{{workloads.Sequential, 1}, {Cooperative, 3}, {Workers, 1}, {Workers, 3}, {Main, 2}}
	for _, w := range workloads.All() {
		if w.Quick == nil {
			continue
		}
		for _, md := range modes {
			if ok, _ := Supports(w, md.m); !ok {
				continue
			}
			name := fmt.Sprintf("%s/%s/%d", w.ID, md.m, md.n)
			res, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: w.ID, Mode: md.m, Workers: md.n, Params: w.Quick}, nil)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if !res.Check.OK {
				t.Errorf("%s: check failed: %+v", name, res.Check)
			}
			lanes := 1
			if md.m != workloads.Sequential {
				lanes = md.n
			}
			checkSpans(t, res, lanes)
			wantEngine := "wasm-worker"
			if md.m == Main {
				wantEngine = "wasm-page"
			}
			if res.Facts.Engine != wantEngine || res.Facts.GOARCH != "wasm" || res.Mode != md.m || res.Workers != md.n {
				t.Errorf("%s: result says %s/%d on %+v", name, res.Mode, res.Workers, res.Facts)
			}
		}
	}
}

// timePair runs a and b alternately, rounds times each, and returns the
// fastest wall time of each: the machine is shared, and noise only ever
// adds time.
func timePair(t *testing.T, p *Pool, a, b workloads.Request, rounds int) (int64, int64) {
	t.Helper()
	var ta, tb []int64
	for range rounds {
		ta = append(ta, mustRun(t, p, a).WallUS)
		tb = append(tb, mustRun(t, p, b).WallUS)
	}
	return minOf(ta), minOf(tb)
}

func minOf(xs []int64) int64 {
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

// Cooperative goroutines share one thread: CPU-bound work is no faster
// than running it sequentially (the GIL lesson). Both run on one thread,
// so the control is the sequential run against itself: each attempt
// alternates sequential and cooperative runs, and when the sequential
// runs of the attempt disagree among themselves by more than the
// tolerance, the machine's load changed under the attempt and it is not
// judged. With no attempt judged, the test skips with the figures.
func TestCooperativeCPUIsLikeSequential(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	params := map[string]any{"count": 60_000_000}
	seq := workloads.Request{Workload: "countdown", Mode: workloads.Sequential, Params: params}
	coop := workloads.Request{Workload: "countdown", Mode: Cooperative, Workers: 4, Params: params}
	const lo, hi = 0.8, 1.25
	judged := 0
	var ratio float64
	for attempt := 1; attempt <= 4; attempt++ {
		var ss, cs []int64
		for range 3 {
			ss = append(ss, mustRun(t, p, seq).WallUS)
			cs = append(cs, mustRun(t, p, coop).WallUS)
		}
		ss = append(ss, mustRun(t, p, seq).WallUS)
		control := float64(slices.Max(ss)) / float64(max(slices.Min(ss), 1))
		ratio = float64(slices.Min(cs)) / float64(max(slices.Min(ss), 1))
		t.Logf("attempt %d: sequential %v µs (control: slowest/fastest %.2f), cooperative (4 goroutines) %v µs: best over best %.2f", attempt, ss, control, cs, ratio)
		if control > hi {
			continue // the machine's load changed under the attempt
		}
		judged++
		if ratio >= lo && ratio <= hi {
			return
		}
	}
	if judged == 0 {
		t.Skipf("could not judge: in every attempt the sequential runs disagreed among themselves by more than %.2f× (the machine is busy; see the figures)", hi)
	}
	t.Errorf("cooperative/sequential = %.2f, want %.2f to %.2f (in %d attempts whose sequential runs agreed among themselves)", ratio, lo, hi, judged)
}

// Two workers are two threads: CPU-bound work runs about twice as fast as
// on one (the multiprocessing lesson). That the pool runs the two tasks at
// once is checked on the timeline, which does not depend on the machine.
// The speed-up does: the machine may be shared. So a control experiment,
// two plain JavaScript workers spinning, measures what parallelism the
// browser can get right before and right after each attempt; the test
// fails only when both show two free cores and the pool still does not
// gain from them. With no attempt bracketed so, it skips. (One control
// before the attempt was not enough: the machine lost a core during an
// attempt that followed a control of 1.70, and the pool measured 0.96.)
func TestWorkersRunInParallel(t *testing.T) {
	if HardwareConcurrency() < 2 {
		t.Skip("this browser reports one core")
	}
	p := warmPool(t, Config{Size: 2})
	params := map[string]any{"count": 120_000_000}
	one := workloads.Request{Workload: "countdown", Mode: Workers, Workers: 1, Params: params}
	two := workloads.Request{Workload: "countdown", Mode: Workers, Workers: 2, Params: params}
	if n := maxOverlap(mustRun(t, p, two).Spans, workloads.Running); n != 2 {
		t.Fatalf("at most %d tasks run at once on the timeline of 2 workers, want 2", n)
	}
	free := false
	before := jsParallelism(t)
	for attempt := 1; attempt <= 6; attempt++ {
		t1, t2 := timePair(t, p, one, two, 3)
		after := jsParallelism(t)
		speedup := float64(t1) / float64(t2)
		t.Logf("attempt %d: JavaScript control speed-up %.2f before, %.2f after; pool: 1 worker %d µs, 2 workers %d µs: speed-up %.2f", attempt, before, after, t1, t2, speedup)
		if speedup > 1.3 {
			return
		}
		if min(before, after) >= 1.6 {
			free = true
			if attempt >= 3 {
				t.Fatalf("the browser ran two plain workers %.2f and %.2f times as fast as one, just before and after, but the pool only %.2f times: want > 1.3", before, after, speedup)
			}
		}
		before = after
	}
	if !free {
		t.Skip("the machine had no free second core throughout any attempt (see the control speed-ups)")
	}
	t.Error("the pool never ran 2 workers more than 1.3 times as fast as 1")
}

// jsParallelism is the machine's parallelism right now (see jsenv.Parallelism).
func jsParallelism(t *testing.T) float64 {
	t.Helper()
	f, err := jsenv.Parallelism(testCtx(t, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Sleeping tasks overlap in one thread: a cooperative run takes as long
// as the longest sleep, a sequential one their sum (the asyncio lesson).
// The timelines and the lower bounds hold however busy the machine is (no
// sleep ends early). The upper bounds need a machine that runs the worker
// as soon as its timers fire: an attempt that misses them is judged only
// when the JavaScript parallelism control, measured right before and
// right after it, shows two free cores. A miss is retried; the test fails
// when every attempt misses and one of them was judged, and says it
// could not judge the timing when none was.
func TestSleepOverlapsCooperatively(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	type c struct {
		id             string
		params         map[string]any
		longest, total time.Duration
	}
	cases := []c{{"test-sleepy", map[string]any{"tasks": 5, "unit": 40}, 200 * time.Millisecond, 600 * time.Millisecond}}
	if _, err := workloads.Lookup("sleep"); err == nil {
		cases = append(cases, c{"sleep", map[string]any{"tasks": 5, "unit": 40}, 200 * time.Millisecond, 600 * time.Millisecond})
	}
	const slackCoop, slackSeq = 250 * time.Millisecond, 400 * time.Millisecond
	for _, tc := range cases {
		var misses []string
		quiet := 0
		for attempt := 1; attempt <= 3; attempt++ {
			before := jsParallelism(t)
			coop := mustRun(t, p, workloads.Request{Workload: tc.id, Mode: Cooperative, Workers: 5, Params: tc.params})
			seq := mustRun(t, p, workloads.Request{Workload: tc.id, Mode: workloads.Sequential, Params: tc.params})
			wc, ws := time.Duration(coop.WallUS)*time.Microsecond, time.Duration(seq.WallUS)*time.Microsecond
			t.Logf("%s, attempt %d: cooperative %v (longest sleep %v), sequential %v (sum %v)", tc.id, attempt, wc, tc.longest, ws, tc.total)
			if wc < tc.longest {
				t.Errorf("%s: cooperative took %v, less than the longest sleep, %v", tc.id, wc, tc.longest)
			}
			if ws < tc.total {
				t.Errorf("%s: sequential took %v, less than the sum of the sleeps, %v", tc.id, ws, tc.total)
			}
			if n := maxOverlap(coop.Spans, workloads.Waiting); n < 5 {
				t.Errorf("%s: at most %d sleeps overlap on the cooperative timeline, want 5", tc.id, n)
			}
			if n := maxOverlap(seq.Spans, workloads.Waiting); n != 1 {
				t.Errorf("%s: %d sleeps overlap on the sequential timeline, want 1", tc.id, n)
			}
			if wc <= tc.longest+slackCoop && ws <= tc.total+slackSeq {
				misses = nil
				break
			}
			after := jsParallelism(t)
			miss := fmt.Sprintf("attempt %d: cooperative %v (want at most %v), sequential %v (want at most %v); JavaScript control %.2f before, %.2f after",
				attempt, wc, tc.longest+slackCoop, ws, tc.total+slackSeq, before, after)
			if min(before, after) >= 1.6 {
				quiet++
				miss += " (quiet)"
			}
			misses = append(misses, miss)
		}
		switch {
		case len(misses) > 0 && quiet > 0:
			t.Errorf("%s: slower than its sleeps allow in every attempt, %d of them on a quiet machine:\n%s", tc.id, quiet, strings.Join(misses, "\n"))
		case len(misses) > 0:
			t.Logf("%s: could not judge the upper bounds, the machine was busy in every attempt:\n%s", tc.id, strings.Join(misses, "\n"))
		}
	}
}

// maxOverlap is the largest number of spans in state s at one instant.
func maxOverlap(spans []workloads.Span, s workloads.State) int {
	best := 0
	for _, a := range spans {
		if a.State != s {
			continue
		}
		n := 0
		for _, b := range spans {
			if b.State == s && b.Start <= a.Start && a.Start < b.End {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// The wall time ends with the last task, in every mode, as natively: a
// check that recomputes the run (multiply's) is reported apart.
func TestWallExcludesCheck(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	const check = 400 // ms; the tasks sleep 1 and 2 ms
	for _, m := range []workloads.Mode{workloads.Sequential, Cooperative, Workers, Main} {
		res := mustRun(t, p, workloads.Request{Workload: "test-sleepy", Mode: m, Workers: 2, Params: map[string]any{"tasks": 2, "unit": 1, "check": check}})
		if res.CheckUS < check*1000 || res.WallUS >= check*1000 {
			t.Errorf("%s: wall %d µs, check %d µs: want the %d ms check outside the wall", m, res.WallUS, res.CheckUS, check)
		}
	}
}

// Payloads travel to the workers and back, the copying is on the
// timeline, and each worker's instance reports its Final.
func TestWorkersPayloadsAndFinals(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	params := map[string]any{"tasks": 5, "size": 200_000}
	res := mustRun(t, p, workloads.Request{Workload: "test-bytes", Mode: Workers, Workers: 3, Params: params})
	checkSpans(t, res, 3)
	copies := 0
	for _, s := range res.Spans {
		if strings.HasPrefix(s.Label, "copy input to worker: 195.3 KB") {
			copies++
		}
	}
	if copies == 0 {
		t.Errorf("no copy spans on the timeline: %+v", res.Spans)
	}
	mustRun(t, p, workloads.Request{Workload: "test-bytes", Mode: Cooperative, Workers: 3, Params: params})
}

// Shared memory between workers needs a cross-origin isolated page;
// without one the run says why.
func TestSharedMemory(t *testing.T) {
	if _, err := workloads.Lookup("counter"); err != nil {
		t.Skip("no counter workload")
	}
	p := warmPool(t, Config{Size: 2})
	req := workloads.Request{Workload: "counter", Mode: Workers, Workers: 2, Params: map[string]any{"tasks": 4, "increments": 2000, "sync": "shared"}}
	res, err := p.Run(testCtx(t, time.Minute), req, nil)
	if Isolated() {
		if err != nil || !res.Check.OK {
			t.Fatalf("isolated page: %v %+v", err, res)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "cross-origin isolated") {
		t.Errorf("page not isolated: %v, want the reason shared memory is unavailable", err)
	}
	if p.Stats().Isolated {
		t.Error("Stats says isolated")
	}
}

func TestProgress(t *testing.T) {
	p := newPool(t, Config{Size: 2})
	var stages []string
	spans := 0
	last := Progress{}
	res, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: "test-sleepy", Mode: Workers, Workers: 2, Params: map[string]any{"tasks": 4, "unit": 20}}, func(pr Progress) {
		if len(stages) == 0 || stages[len(stages)-1] != pr.Stage {
			stages = append(stages, pr.Stage)
		}
		if pr.Span != nil {
			spans++
		}
		last = pr
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(stages, " "); got != "compiling starting warming running done" {
		t.Errorf("stages %q", got)
	}
	if last.Done != 4 || last.Total != 4 || spans == 0 || spans > len(res.Spans) {
		t.Errorf("last progress %+v, %d spans reported live of %d", last, spans, len(res.Spans))
	}
	// A whole run inside one worker, or on the page, reports its tasks as
	// they finish too.
	for _, m := range []workloads.Mode{Cooperative, Main} {
		var dones []int
		_, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: "test-sleepy", Mode: m, Workers: 4, Params: map[string]any{"tasks": 4, "unit": 80}}, func(pr Progress) {
			if len(dones) == 0 || dones[len(dones)-1] != pr.Done {
				dones = append(dones, pr.Done)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(dones) < 3 || dones[len(dones)-1] != 4 {
			t.Errorf("%s: tasks done as reported: %v, want a count rising to 4", m, dones)
		}
	}
}

func TestClose(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	p.Close()
	if _, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: "countdown"}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v", err)
	}
	if err := p.Warm(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Warm after Close: %v", err)
	}
	if s := p.Stats(); s.Alive != 0 {
		t.Errorf("after Close: %+v", s)
	}
	if !waitFor(10*time.Second, func() bool { return liveWorkers(t) == 0 }) {
		t.Errorf("after Close the browser still has %d workers: %v", liveWorkers(t), lastCensus)
	}
}
