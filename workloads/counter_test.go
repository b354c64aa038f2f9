package workloads

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// cellsEnv is the platform's Env with a chosen shared memory: the same
// cells for every simulated worker, or none (a page that is not isolated).
type cellsEnv struct {
	Env
	cells Shared
}

func (e cellsEnv) Shared(int) Shared { return e.cells }

// simulateWorkersRun runs a job the way the browser's workers mode does:
// one Runner (one memory) per worker, each running its share of the tasks
// one after another, every worker at the same time; then it combines the
// task values and each worker's Final.
func simulateWorkersRun(t *testing.T, req Request, workers int, env Env) (Check, error) {
	t.Helper()
	req.Mode = Sequential // in each worker
	job, err := Prepare(req)
	if err != nil {
		return Check{}, err
	}
	n := len(job.Plan.Tasks)
	out := Outputs{Values: make([]uint64, n), Finals: make([]uint64, workers)}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := NewRunner(job, env, env.Now())
			for i := w; i < n; i += workers {
				var in []byte
				if job.Plan.Input != nil {
					in = job.Plan.Input(i)
				}
				tr := r.RunTask(context.Background(), 0, i, in)
				if tr.Err != "" {
					errs[w] = errors.New(tr.Err)
					return
				}
				out.Values[i] = tr.Value
			}
			out.Finals[w], _ = r.Final()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Check{}, err
	}
	return job.Combine(out), nil
}

func runOK(t *testing.T, req Request) *Result {
	t.Helper()
	res, err := Run(context.Background(), req, Options{})
	if err != nil {
		t.Fatalf("%+v: %v", req, err)
	}
	return res
}

// With a mutex, an atomic add or shared atomics the count is exact in every
// mode, yielding or not.
func TestCounterSynchronisedIsExact(t *testing.T) {
	for _, s := range []string{syncMutex, syncAtomic, syncShared} {
		for _, yield := range []bool{false, true} {
			params := map[string]any{"tasks": 6, "increments": 3000, "sync": s, "yield": yield}
			for _, mode := range Modes {
				for _, n := range []int{1, 2, 4} {
					res := runOK(t, Request{Workload: "counter", Mode: mode, Workers: n, Params: params})
					if !res.Check.OK || res.Check.Value != "18000" {
						t.Errorf("%s yield=%v %s/%d: %+v", s, yield, mode, n, res.Check)
					}
				}
			}
		}
	}
}

// In the workers mode each worker counts in its own memory and the page adds
// the counts, so even the unsynchronised counter is exact; a shared counter
// is one cell seen by all.
func TestCounterWorkers(t *testing.T) {
	for _, s := range []string{syncNone, syncMutex, syncAtomic, syncShared} {
		for _, workers := range []int{1, 3} {
			env := cellsEnv{Env: defaultEnv(), cells: make(Int32s, 1)}
			c, err := simulateWorkersRun(t, Request{Workload: "counter", Workers: workers,
				Params: map[string]any{"tasks": 7, "increments": 5000, "sync": s}}, workers, env)
			if err != nil {
				t.Fatalf("%s/%d: %v", s, workers, err)
			}
			if !c.OK || c.Value != "35000" {
				t.Errorf("%s/%d workers: %+v", s, workers, c)
			}
			if s != syncShared && workers > 1 && !strings.Contains(c.Note, "counted alone") {
				t.Errorf("%s/%d workers: the note should say each worker counted alone: %q", s, workers, c.Note)
			}
			if s == syncShared && env.cells.Load(0) != 35000 {
				t.Errorf("shared cell = %d, want 35000", env.cells.Load(0))
			}
		}
	}
}

// Without shared memory the shared variant fails with a reason, not a
// wrong count.
func TestCounterSharedUnavailable(t *testing.T) {
	_, err := simulateWorkersRun(t, Request{Workload: "counter", Workers: 2,
		Params: map[string]any{"tasks": 2, "increments": 10, "sync": syncShared}}, 2, cellsEnv{Env: defaultEnv()})
	if err == nil || !strings.Contains(err.Error(), "cross-origin isolated") {
		t.Fatalf("got %v, want an error explaining that shared memory needs isolation", err)
	}
}

func TestCounterSharedTooLarge(t *testing.T) {
	_, err := Prepare(Request{Workload: "counter", Params: map[string]any{"tasks": 10_000, "increments": 1_000_000, "sync": syncShared}})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Field != "increments" || !strings.Contains(pe.Msg, "32 bits") {
		t.Fatalf("got %v, want a ParamError on increments about 32 bits", err)
	}
	if _, err := Prepare(Request{Workload: "counter", Params: map[string]any{"tasks": 10_000, "increments": 1_000_000, "sync": syncAtomic}}); err != nil {
		t.Fatalf("a large atomic count must be allowed: %v", err)
	}
}

// The check explains lost updates in numbers, and does not confuse them
// with tasks that did not run.
func TestCounterCheckNotes(t *testing.T) {
	c := counterCheck(Outputs{Values: []uint64{50, 50}, Finals: []uint64{73}}, 100, false)
	if c.OK || c.Value != "73" || c.Expected != "100" || c.Note != "27 of 100 updates lost: tasks overwrote each other's writes" {
		t.Errorf("lost updates: %+v", c)
	}
	c = counterCheck(Outputs{Values: []uint64{50, 0}, Finals: []uint64{50}}, 100, false)
	if c.OK || !strings.Contains(c.Note, "reported 50 increments") {
		t.Errorf("missing task: %+v", c)
	}
	c = counterCheck(Outputs{Values: []uint64{50, 50}, Finals: []uint64{60, 100}}, 100, true)
	if !c.OK {
		t.Errorf("shared: the latest reading is the count: %+v", c)
	}
	c = counterCheck(Outputs{Values: []uint64{50, 50}}, 100, false)
	if c.OK {
		t.Errorf("no finals must not pass: %+v", c)
	}
}

// A cancelled counting run stops promptly.
func TestCounterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := Run(ctx, Request{Workload: "counter", Mode: Goroutines, Workers: 2,
		Params: map[string]any{"tasks": 10_000, "increments": 1_000_000, "sync": syncMutex, "yield": true}}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the run cancelled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

// go run -race finds the data race of the unsynchronised counter: the
// lesson's claim, checked with the real tool on a tiny program.
func TestCounterRaceDetector(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with -race (about 10-30 s); skipped with -short")
	}
	if runtime.GOOS == "js" {
		t.Skip("the race detector does not run on js/wasm")
	}
	goTool := goToolPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "run", "-race", "./testdata/racecounter")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("want the race detector's non-zero exit, got %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "WARNING: DATA RACE") || !strings.Contains(string(out), "counter.go") {
		t.Fatalf("the race detector did not report the counter's race:\n%s", out)
	}
	if !strings.Contains(string(out), "counter: ") {
		t.Errorf("the program should still finish and print its count:\n%s", out)
	}
}

// A mutex makes the shared counter exact, however many goroutines add to it.
func ExampleRun_counter() {
	res, err := Run(context.Background(), Request{
		Workload: "counter", Mode: Goroutines, Workers: 4,
		Params: map[string]any{"tasks": 8, "increments": 1000, "sync": "mutex"},
	}, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Check.Value, res.Check.OK, res.Check.Note)
	// Output: 8000 true every update counted
}

// Every lane waits at the start line before it counts: no lane counts
// before the last lane has arrived. That is what lets a run on two cores
// lose updates at all (without it the first lane often counted alone).
func TestCounterLanesStartTogether(t *testing.T) {
	for _, lanes := range []int{2, 4} {
		res := runOK(t, Request{Workload: "counter", Mode: Goroutines, Workers: lanes,
			Params: map[string]any{"tasks": 40, "increments": 20_000, "sync": syncAtomic}})
		arrived := map[int]int64{}  // lane -> start of its first span
		released := map[int]int64{} // waiting lane -> end of its wait
		for _, s := range res.Spans {
			if _, ok := arrived[s.Lane]; !ok {
				arrived[s.Lane] = s.Start
			}
			if s.State == Blocked && strings.Contains(s.Label, "start line") {
				released[s.Lane] = s.End
			}
		}
		if len(arrived) != lanes || len(released) < lanes-1 {
			t.Fatalf("%d lanes: %d lanes ran, %d waited at the start line", lanes, len(arrived), len(released))
		}
		var last int64
		for _, a := range arrived {
			last = max(last, a)
		}
		for l, r := range released {
			if r < last {
				t.Errorf("%d lanes: lane %d left the line at %d µs, before the last lane arrived at %d µs", lanes, l, r, last)
			}
		}
	}
	// One lane (and a worker's memory) never waits.
	res := runOK(t, Request{Workload: "counter", Mode: Sequential,
		Params: map[string]any{"tasks": 3, "increments": 10, "sync": syncNone}})
	for _, s := range res.Spans {
		if s.State == Blocked {
			t.Errorf("sequential run waited: %+v", s)
		}
	}
	if res.Check.Note != "every update counted" {
		t.Errorf("one lane has nothing to race: %q", res.Check.Note)
	}
}
