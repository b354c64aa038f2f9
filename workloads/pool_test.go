package workloads

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
)

func poolWorking(s Span) bool { return strings.Contains(s.Label, ": work ") }

// The lesson's pool: 4 lanes, 10 one-second jobs, four at a time, three
// seconds in all; exact on a fake clock.
func TestPoolFourAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runOK(t, Request{Workload: "pool", Mode: Goroutines, Workers: 4,
			Params: map[string]any{"jobs": 10, "duration": 1000}})
		if !res.Check.OK || res.Check.Value != "10 of 10 jobs done" {
			t.Fatalf("check %+v", res.Check)
		}
		if res.WallUS != 3_000_000 {
			t.Errorf("wall %d µs, want 3 s (4 + 4 + 2 jobs)", res.WallUS)
		}
		if got := maxTasksAtOnce(res.Spans, poolWorking); got != 4 {
			t.Errorf("%d jobs at once, want 4", got)
		}
		starts := map[int64]int{}
		for _, s := range res.Spans {
			if poolWorking(s) {
				starts[s.Start/1000]++
			}
		}
		if starts[0] != 4 || starts[1000] != 4 || starts[2000] != 2 || len(starts) != 3 {
			t.Errorf("jobs started at (ms → count) %v, want waves of 4, 4, 2", starts)
		}
	})
}

// Jobs of different lengths finish in their own order, which the check
// reports; one lane runs them in turn, taking the sum of their lengths.
func TestPoolCompletionOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		params := map[string]any{"jobs": 8, "duration": 100, "vary": 60}
		res := runOK(t, Request{Workload: "pool", Mode: Goroutines, Workers: 8, Params: params})
		order := strings.Fields(strings.TrimPrefix(res.Check.Note, "completion order: "))
		if !res.Check.OK || len(order) != 8 {
			t.Fatalf("check %+v", res.Check)
		}
		// All eight start together, so they finish shortest first.
		byLength := []int{0, 1, 2, 3, 4, 5, 6, 7}
		slices.SortStableFunc(byLength, func(a, b int) int { return int(jobVariation(a, 60) - jobVariation(b, 60)) })
		var want []string
		for _, i := range byLength {
			want = append(want, strconv.Itoa(i))
		}
		if strings.Join(order, " ") != strings.Join(want, " ") {
			t.Errorf("completion order %v, want shortest first %v", order, want)
		}
		if strings.Join(order, " ") == "0 1 2 3 4 5 6 7" {
			t.Errorf("varied jobs should not finish in submission order")
		}

		seq := runOK(t, Request{Workload: "pool", Mode: Sequential, Workers: 8, Params: params})
		var total int64
		for i := range 8 {
			total += 100 * (100 + jobVariation(i, 60)) / 100
		}
		if !seq.Check.OK || seq.WallUS != total*1000 || seq.Check.Note != "completion order: 0 1 2 3 4 5 6 7" {
			t.Errorf("one lane: %+v after %d µs, want %d ms in submission order", seq.Check, seq.WallUS, total)
		}
	})
}

// In the workers mode each worker is its own memory: jobs are independent,
// and the workers' counts add up.
func TestPoolWorkers(t *testing.T) {
	c, err := simulateWorkersRun(t, Request{Workload: "pool", Workers: 3, Params: map[string]any{"jobs": 7, "duration": 2}}, 3, defaultEnv())
	if err != nil || !c.OK {
		t.Fatalf("%v %+v", err, c)
	}
}

// CPU-bound jobs overlap only on real threads.
func TestPoolCPUParallel(t *testing.T) {
	if runtime.GOOS == "js" || runtime.NumCPU() < 2 {
		t.Skip("needs two threads")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	res := runOK(t, Request{Workload: "pool", Mode: Goroutines, Workers: 2,
		Params: map[string]any{"jobs": 4, "duration": 30, "cpu": true}})
	if !res.Check.OK {
		t.Fatalf("%+v", res.Check)
	}
	if got := maxTasksAtOnce(res.Spans, poolWorking); got != 2 {
		t.Errorf("%d CPU jobs at once on 2 threads, want 2", got)
	}
	for _, s := range res.Spans {
		if poolWorking(s) && s.State != Running {
			t.Errorf("a CPU job is running, not %s: %+v", s.State, s)
		}
	}
}

// In one wasm thread CPU-bound jobs never overlap, however many lanes: a
// goroutine busy on the CPU is never switched out.
func TestPoolCPUCooperative(t *testing.T) {
	if runtime.GOOS != "js" {
		t.Skip("natively the runtime preempts busy goroutines; the cooperative mode is wasm's")
	}
	res := runOK(t, Request{Workload: "pool", Mode: Goroutines, Workers: 4,
		Params: map[string]any{"jobs": 4, "duration": 20, "cpu": true}})
	if got := maxTasksAtOnce(res.Spans, poolWorking); !res.Check.OK || got != 1 {
		t.Errorf("%d CPU jobs at once in one thread, want 1 (%+v)", got, res.Check)
	}
	if res.WallUS < 80_000 {
		t.Errorf("4 CPU jobs of 20 ms took %d µs in one thread, want at least their sum", res.WallUS)
	}
}

func TestPoolCheck(t *testing.T) {
	if c := poolCheck(Outputs{Values: []uint64{5, 3, 9}, Finals: []uint64{2, 1}}, 3); !c.OK || c.Note != "completion order: 1 0 2" {
		t.Errorf("good: %+v", c)
	}
	if c := poolCheck(Outputs{Values: []uint64{5, 0, 9}, Finals: []uint64{2}}, 3); c.OK || c.Value != "2 of 3 jobs done" {
		t.Errorf("missing job: %+v", c)
	}
	if c := poolCheck(Outputs{Values: []uint64{5, 3, 9}, Finals: []uint64{2, 2}}, 3); c.OK || !strings.Contains(c.Note, "counted 4") {
		t.Errorf("counted twice: %+v", c)
	}
}
