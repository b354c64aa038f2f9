//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"conlab/workloads"
)

// How a run fails, and what the pool keeps: a task's panic, a crashed
// worker, a cancel, a deadlock, a deadline.

// A panicking task is that task's error; the worker that ran it stays
// usable and the next run succeeds.
func TestPanicIsATaskError(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	ids := func() []int {
		p.mu.Lock()
		defer p.mu.Unlock()
		var s []int
		for _, w := range p.workers {
			s = append(s, w.id)
		}
		return s
	}
	before := fmt.Sprint(ids())
	for _, m := range []workloads.Mode{workloads.Sequential, Cooperative, Workers, Main} {
		res, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: "test-panic", Mode: m, Workers: 2, Params: map[string]any{"tasks": 4, "panic": 1}}, nil)
		if err == nil || !strings.Contains(err.Error(), "task 1 panicked") || !strings.Contains(err.Error(), "nil map") {
			t.Errorf("%s: error %v, want task 1's panic", m, err)
		}
		if res == nil || res.Error == "" {
			t.Errorf("%s: result %+v, want one with the error", m, res)
		}
		mustRun(t, p, workloads.Request{Workload: "countdown", Mode: m, Workers: 2, Params: map[string]any{"count": 1000}})
	}
	if after := fmt.Sprint(ids()); after != before {
		t.Errorf("workers %s were replaced by %s: a panic must not cost the worker", before, after)
	}
}

// A task that kills its worker's Go program (a fatal error no recover
// catches) fails the run with what the program said; the pool replaces
// the worker and the next run succeeds.
func TestCrashedWorkerIsReplaced(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	for _, m := range []workloads.Mode{Cooperative, Workers} {
		res, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: "test-crash", Mode: m, Workers: 2}, nil)
		if err == nil || !strings.Contains(err.Error(), "exited with code 2") || !strings.Contains(err.Error(), "stack") || res == nil {
			t.Errorf("%s: %v, want the worker's crash", m, err)
		}
		t.Logf("%s: %v", m, err)
		if !waitFor(30*time.Second, func() bool { s := p.Stats(); return s.Alive == 2 && s.Warm == 2 }) {
			t.Fatalf("%s: the crashed worker was not replaced: %+v", m, p.Stats())
		}
		mustRun(t, p, workloads.Request{Workload: "countdown", Mode: m, Workers: 2, Params: map[string]any{"count": 1000}})
	}
	if _, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: "test-crash", Mode: Main}, nil); err == nil {
		t.Error("test-crash ran on the page")
	}
}

// Cancelling a run terminates the workers running it; the pool replaces
// them and no extra worker stays alive.
func TestCancelReplacesWorkers(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	if !waitFor(10*time.Second, func() bool { return liveWorkers(t) == 2 }) {
		t.Fatalf("%d workers alive before the test, want 2", liveWorkers(t))
	}
	huge := map[string]any{"count": 20_000_000_000}
	for _, m := range []workloads.Mode{Workers, Cooperative, workloads.Sequential} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		t0 := time.Now()
		res, err := p.Run(ctx, workloads.Request{Workload: "countdown", Mode: m, Workers: 2, Params: huge}, nil)
		took := time.Since(t0)
		if !errors.Is(err, context.Canceled) || res == nil || res.Error == "" {
			t.Fatalf("%s: Run = %+v, %v; want a result with the cancellation", m, res, err)
		}
		if took > 3*time.Second {
			t.Errorf("%s: a cancelled run took %v to end", m, took)
		}
		ok := waitFor(30*time.Second, func() bool {
			s := p.Stats()
			return s.Alive == 2 && s.Warm == 2 && s.Busy == 0 && liveWorkers(t) == 2
		})
		if !ok {
			t.Fatalf("%s: after the cancel: pool %+v, browser has %d workers; want 2 warm workers and no other", m, p.Stats(), liveWorkers(t))
		}
		mustRun(t, p, workloads.Request{Workload: "countdown", Mode: m, Workers: 2, Params: map[string]any{"count": 1000}})
	}
}

// A run whose tasks all wait on each other ends with a deadlock error
// naming them, within the watchdog's bound, and the pool works on.
func TestDeadlockIsReported(t *testing.T) {
	const watchdog = 300 * time.Millisecond
	p := warmPool(t, Config{Size: 2, Watchdog: watchdog})
	type c struct {
		req  workloads.Request
		want string
	}
	cases := []c{
		{workloads.Request{Workload: "test-hang", Mode: Cooperative, Workers: 2}, "0 1"},
		{workloads.Request{Workload: "test-hang", Mode: Workers, Workers: 2}, "0 1"},
		{workloads.Request{Workload: "test-hang", Mode: Main, Workers: 3, Params: map[string]any{"tasks": 3}}, "0 1 2"},
	}
	if _, err := workloads.Lookup("deadlock"); err == nil {
		cases = append(cases, c{workloads.Request{Workload: "deadlock", Mode: Cooperative, Workers: 2, Params: map[string]any{"fix": "none", "hold": 20}}, "0 1"})
	}
	for _, tc := range cases {
		name := tc.req.Workload + "/" + string(tc.req.Mode)
		t0 := time.Now()
		res, err := p.Run(testCtx(t, time.Minute), tc.req, nil)
		took := time.Since(t0)
		var dl *workloads.DeadlockError
		if !errors.As(err, &dl) {
			t.Errorf("%s: error %v, want a deadlock", name, err)
			continue
		}
		var got []string
		for _, s := range dl.Stuck {
			got = append(got, fmt.Sprint(s.Task))
		}
		if strings.Join(got, " ") != tc.want || res == nil || len(res.Stuck) != len(dl.Stuck) || !strings.Contains(res.Error, "deadlock") {
			t.Errorf("%s: stuck %v (result %+v), want tasks %s", name, got, res, tc.want)
		}
		if took > watchdog+3*time.Second {
			t.Errorf("%s: the deadlock took %v to report (watchdog %v)", name, took, watchdog)
		}
		t.Logf("%s: %v after %v", name, err, took)
	}
	for _, m := range []workloads.Mode{Workers, Cooperative} {
		mustRun(t, p, workloads.Request{Workload: "countdown", Mode: m, Workers: 2, Params: map[string]any{"count": 1000}})
	}
	if s := p.Stats(); s.Alive != 2 {
		t.Errorf("after the deadlocks: %+v", s)
	}
}

// A run past its deadline ends with ErrTimeout soon after it, and the pool
// works on.
func TestDeadline(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	for _, m := range []workloads.Mode{Cooperative, Workers} {
		t0 := time.Now()
		res, err := p.Run(testCtx(t, time.Minute), workloads.Request{Workload: "countdown", Mode: m, Workers: 2, TimeoutMS: 300, Params: map[string]any{"count": 20_000_000_000}}, nil)
		took := time.Since(t0)
		if !errors.Is(err, workloads.ErrTimeout) || res == nil || !strings.Contains(res.Error, "deadline") {
			t.Errorf("%s: %v, %+v; want the deadline error", m, err, res)
		}
		// Workers stop their tasks at the deadline themselves; a worker
		// busy in a cooperative run is terminated after a grace.
		if took > 2*time.Second {
			t.Errorf("%s: a 300 ms deadline took %v", m, took)
		}
		t.Logf("%s: %v after %v", m, err, took)
		if m == Workers && len(res.Spans) < 2 {
			t.Errorf("workers: the timed-out tasks' spans are missing: %+v", res.Spans)
		}
		mustRun(t, p, workloads.Request{Workload: "countdown", Mode: m, Workers: 2, Params: map[string]any{"count": 1000}})
	}
}
