package workloads

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// replays runs f's schedule as a request and checks it ends as f said.
func replays(t *testing.T, req Request, f *Found) *Result {
	t.Helper()
	req.Schedule = f.Schedule
	res, _ := Run(context.Background(), req, Options{})
	if res == nil || res.Outcome != f.Outcome || !reflect.DeepEqual(res.Steps, f.Result.Steps) || res.Schedule != f.Result.Schedule {
		t.Fatalf("schedule %s did not replay to %s: %+v", f.Schedule, f.Outcome, res)
	}
	return res
}

func TestFindCounterLostUpdate(t *testing.T) {
	req := counterReq(syncNone, "")
	f, err := Find(context.Background(), req, OutcomeLostUpdate, FindOptions{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Task 1 reads first; then task 0, by the rule, reads the same 0.
	if !f.Found || f.Schedule != "1" || f.Checked != 2 {
		t.Fatalf("%+v", f)
	}
	if f.Result.Check.Value != "2" || f.Result.Steps[0].What != "task 1: read n = 0" || f.Result.Steps[1].What != "task 0: read n = 0" {
		t.Fatalf("%+v", f.Result)
	}
	replays(t, req, f)
}

// With the mutex no schedule loses an update, and the search has checked
// them all.
func TestFindCounterMutexNoLostUpdate(t *testing.T) {
	f, err := Find(context.Background(), counterReq(syncMutex, ""), OutcomeLostUpdate, FindOptions{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Who takes the lock at each of the 4 critical sections, the first
	// task finishing its two before the other's second: 6 orders.
	if f.Found || !f.Exhaustive || f.Checked != 6 {
		t.Fatalf("%+v", f)
	}
}

// The search checks every interleaving exactly once: two tasks of 6 steps
// each (read, yield, write, twice) interleave in C(12, 6) = 924 ways, and
// none of them deadlocks.
func TestFindChecksEveryInterleavingOnce(t *testing.T) {
	f, err := Find(context.Background(), counterReq(syncNone, ""), OutcomeDeadlock, FindOptions{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Found || !f.Exhaustive || f.Checked != 924 {
		t.Fatalf("%+v", f)
	}
}

func TestFindDeadlockShortest(t *testing.T) {
	req := Request{Workload: "deadlock", Mode: Goroutines, Workers: 2}
	f, err := Find(context.Background(), req, OutcomeDeadlock, FindOptions{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The rule alone lets task 0 take both locks; one choice, task 1
	// first, deadlocks: each takes one lock and pauses (4 steps, the
	// fewest that can deadlock), then waits for the other's.
	if !f.Found || f.Schedule != "1" || f.Result.Schedule != "1.0.0.1" || len(f.Result.Steps) != 4 || len(f.Result.Stuck) != 2 {
		t.Fatalf("%+v %+v", f, f.Result)
	}
	replays(t, req, f)
	req.Schedule = "~first"
	if res, err := Run(context.Background(), req, Options{}); err != nil || res.Outcome != OutcomeAllFinish {
		t.Fatalf("the empty schedule: %v", err)
	}

	// Three tasks need two choices; no single one deadlocks.
	req = Request{Workload: "deadlock", Mode: Goroutines, Workers: 3, Params: map[string]any{"tasks": 3}}
	f, err = Find(context.Background(), req, OutcomeDeadlock, FindOptions{}, Options{})
	if err != nil || !f.Found || len(f.Result.Steps) != 6 {
		t.Fatalf("%v %+v", err, f)
	}
	if s, _ := ParseSchedule(f.Schedule); len(s.Choices) != 2 {
		t.Fatalf("schedule %s", f.Schedule)
	}
	for g := range 3 {
		req.Schedule = string(rune('0' + g))
		if res, _ := Run(context.Background(), req, Options{}); res.Outcome == OutcomeDeadlock {
			t.Fatalf("%s deadlocks: a shorter schedule than %s", req.Schedule, f.Schedule)
		}
	}
	req.Schedule = ""
	replays(t, req, f)

	// Taking the locks in order, nothing deadlocks.
	req.Params["fix"] = fixOrdered
	f, err = Find(context.Background(), req, OutcomeDeadlock, FindOptions{}, Options{})
	if err != nil || f.Found || !f.Exhaustive {
		t.Fatalf("%v %+v", err, f)
	}
}

// Beyond the runs an exhaustive search may take, seeded random schedules
// are tried, and a schedule found that way is cut to its shortest form.
func TestFindRandom(t *testing.T) {
	req := Request{Workload: "counter", Mode: Goroutines, Workers: 3, Params: map[string]any{"tasks": 3, "increments": 3, "sync": syncMutex, "yield": true}}
	f, err := Find(context.Background(), req, OutcomeLostUpdate, FindOptions{MaxRuns: 40}, Options{})
	if err != nil || f.Found || f.Exhaustive || f.Checked != 40 {
		t.Fatalf("%v %+v", err, f)
	}
	req = Request{Workload: "counter", Mode: Goroutines, Workers: 3, Params: map[string]any{"tasks": 3, "increments": 3, "sync": syncNone}}
	for seed := range uint64(20) {
		// One run for the exhaustive part (the rule's own, which loses
		// nothing), one random.
		f, err := Find(context.Background(), req, OutcomeLostUpdate, FindOptions{MaxRuns: 2, Seed: seed}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if f.Found {
			if f.Checked != 2 || f.Exhaustive {
				t.Fatalf("%+v", f)
			}
			replays(t, req, f)
			return
		}
	}
	t.Fatal("no random schedule of 20 lost an update")
}

func TestFindBadRequests(t *testing.T) {
	_, err := Find(context.Background(), counterReq(syncNone, ""), "crash", FindOptions{}, Options{})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Field != "outcome" {
		t.Fatalf("%v", err)
	}
	_, err = Find(context.Background(), Request{Workload: "counter", Mode: "workers"}, OutcomeDeadlock, FindOptions{}, Options{})
	if !errors.As(err, &pe) || pe.Field != "mode" {
		t.Fatalf("%v", err)
	}
}
