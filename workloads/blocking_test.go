package workloads

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

const blockingUnitMS = 30

// runBlocking runs the blocking lesson with 5 tasks (task k sleeps k+1
// units) and task 2 busy-waiting 4 units, and returns the busy-wait's
// span and the ends of the other tasks' sleeps.
func runBlocking(t *testing.T, mode Mode, n int, blocker int) (res *Result, busy Span, sleepEnds map[int]int64) {
	t.Helper()
	p := map[string]any{"tasks": 5, "unit": blockingUnitMS, "blocker": blocker, "block": 4}
	res, err := Run(context.Background(), Request{Workload: "blocking", Mode: mode, Workers: n, Params: p}, Options{Env: testEnv(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Check.OK {
		t.Fatalf("check %+v", res.Check)
	}
	sleepEnds = map[int]int64{}
	for _, s := range res.Spans {
		switch {
		case strings.HasPrefix(s.Label, "busy-wait"):
			busy = s
		case s.State == Waiting:
			sleepEnds[s.Task] = s.End
		}
	}
	return res, busy, sleepEnds
}

// endedDuring counts the sleeps that ended while the busy-wait held its
// thread, with a margin for scheduling noise.
func endedDuring(busy Span, ends map[int]int64) int {
	const margin = 5_000 // µs
	n := 0
	for _, e := range ends {
		if e > busy.Start+margin && e < busy.End-margin {
			n++
		}
	}
	return n
}

func TestBlockingSpans(t *testing.T) {
	_, busy, ends := runBlocking(t, Goroutines, 5, 2)
	if busy.Task != 2 || busy.State != Running || busy.End-busy.Start < 4*blockingUnitMS*1000 {
		t.Errorf("busy-wait span %+v, want task 2 running for at least 4 units", busy)
	}
	if len(ends) != 4 {
		t.Errorf("sleeps of %d tasks, want the 4 others", len(ends))
	}
}

// In one thread with no preemption (wasm: the cooperative mode), nothing
// else runs while the busy-wait spins: tasks 0 and 1, whose sleeps (1 and 2
// units) are due during the 4-unit busy-wait, finish only after it.
// Natively another thread runs them, and even on one thread (GOMAXPROCS=1)
// Go preempts the spinning goroutine: they finish on time.
func TestBlockingStall(t *testing.T) {
	if runtime.GOOS == "js" {
		_, busy, ends := runBlocking(t, Goroutines, 5, 2)
		t.Logf("cooperative: busy-wait %d..%d µs; sleeps ended at %v", busy.Start, busy.End, ends)
		if k := endedDuring(busy, ends); k != 0 {
			t.Errorf("cooperative: %d sleeps ended during the busy-wait %+v, want none (the stall): %v", k, busy, ends)
		}
		for task := range 2 {
			if ends[task] < busy.End {
				t.Errorf("cooperative: task %d finished at %d µs, before the busy-wait ended at %d", task, ends[task], busy.End)
			}
		}
		return
	}
	// A busy machine can keep the process off the CPU through the whole
	// window in which the sleeps are due, which looks like a stall: but a
	// stall shows in every attempt, load in few. So the test fails only
	// when no attempt sees the sleeps end during the busy-wait.
	const attempts = 10
	for _, procs := range []int{1, 2} {
		for attempt := 1; ; attempt++ {
			prev := runtime.GOMAXPROCS(procs)
			_, busy, ends := runBlocking(t, Goroutines, 5, 2)
			runtime.GOMAXPROCS(prev)
			t.Logf("GOMAXPROCS=%d, attempt %d: busy-wait %d..%d µs; sleeps ended at %v", procs, attempt, busy.Start, busy.End, ends)
			k := endedDuring(busy, ends)
			if k >= 2 {
				break
			}
			if attempt == attempts {
				t.Errorf("GOMAXPROCS=%d: in none of %d attempts did tasks 0 and 1 both finish during the busy-wait (the last: %d did, busy-wait %+v, sleeps ended at %v): a stall", procs, attempts, k, busy, ends)
				break
			}
		}
	}
}

// Without a blocker (the control run) the tasks overlap as in the sleep
// lesson: the run takes about the longest sleep, in every engine.
func TestBlockingControl(t *testing.T) {
	res, _, _ := runBlocking(t, Goroutines, 5, -1)
	longest := int64(5 * blockingUnitMS * 1000)
	if res.WallUS < longest || res.WallUS > 2*longest {
		t.Errorf("control run took %d µs, want about the longest sleep %d", res.WallUS, longest)
	}
	seq, _, _ := runBlocking(t, Sequential, 1, 2)
	if sum := int64((1 + 2 + 4 + 4 + 5) * blockingUnitMS * 1000); seq.WallUS < sum {
		t.Errorf("sequential took %d µs, less than the sum %d", seq.WallUS, sum)
	}
}

func TestBlockingBadBlocker(t *testing.T) {
	_, err := Run(context.Background(), Request{Workload: "blocking", Params: map[string]any{"tasks": 3, "blocker": 3}}, Options{})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Field != "blocker" {
		t.Fatalf("got %v, want a ParamError on blocker", err)
	}
}
