package workloads

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// counterReq is the small counter: 2 tasks, 2 increments each,
// with a yield between read and write.
func counterReq(sync string, schedule string) Request {
	return Request{Workload: "counter", Mode: Goroutines, Workers: 2, Schedule: schedule,
		Params: map[string]any{"tasks": 2, "increments": 2, "sync": sync, "yield": true}}
}

func whats(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.What
	}
	return out
}

// The steps of a schedule are the same wherever it runs: this test runs
// natively (with -race) and in wasm under Node with the same expectations.
func TestControlledCounterLosesAnUpdate(t *testing.T) {
	res, err := Run(context.Background(), counterReq(syncNone, "0.1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"task 0: read n = 0", "task 1: read n = 0",
		"task 0: yield", "task 0: write n = 1", "task 0: read n = 1", "task 0: yield", "task 0: write n = 2",
		"task 1: yield", "task 1: write n = 1", "task 1: read n = 1", "task 1: yield", "task 1: write n = 2",
	}
	if got := whats(res.Steps); !reflect.DeepEqual(got, want) {
		t.Fatalf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Outcome != OutcomeLostUpdate || res.Check.Value != "2" || res.Check.OK {
		t.Fatalf("outcome %s, check %+v", res.Outcome, res.Check)
	}
	if res.Schedule != "0.1.0*5.1*5" {
		t.Fatalf("schedule that ran: %q", res.Schedule)
	}
	if !reflect.DeepEqual(res.Steps[0].Could, []int{0, 1}) || !reflect.DeepEqual(res.Steps[11].Could, []int{1}) {
		t.Fatalf("who could go: %v, then %v", res.Steps[0].Could, res.Steps[11].Could)
	}
	if res.Steps[8].Shared != "n = 1" {
		t.Fatalf("shared after step 9: %q", res.Steps[8].Shared)
	}
	if res.WallUS != int64(len(want))*StepUS {
		t.Fatalf("wall %d µs for %d steps", res.WallUS, len(want))
	}
	// The schedule that ran replays to the same steps and outcome.
	again, err := Run(context.Background(), counterReq(syncNone, res.Schedule), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Steps, res.Steps) || again.Outcome != res.Outcome || again.Check != res.Check || again.Schedule != res.Schedule {
		t.Fatalf("replay differs: %s %s %+v", again.Schedule, again.Outcome, again.Check)
	}
}

func TestControlledDBUpdateUnlocked(t *testing.T) {
	res, err := Run(context.Background(), Request{Workload: "dbupdate", Mode: Goroutines, Workers: 2, Schedule: "0.1",
		Params: map[string]any{"variant": dbUnlocked}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"task 0: read x = 0", "task 1: read x = 0", "task 0: wait 200 ms (x=0 in hand)", "task 0: write x = 1",
		"task 1: wait 200 ms (x=0 in hand)", "task 1: write x = 1"}
	if got := whats(res.Steps); !reflect.DeepEqual(got, want) {
		t.Fatalf("steps %q", got)
	}
	if res.Outcome != OutcomeLostUpdate || res.Check.Value != "1" {
		t.Fatalf("outcome %s, check %+v", res.Outcome, res.Check)
	}
	// The timeline counts steps: task 0 waits from its read (step 1) to
	// its write (step 4).
	var wait *Span
	for i, s := range res.Spans {
		if s.Task == 0 && s.State == Waiting {
			wait = &res.Spans[i]
		}
	}
	if wait == nil || wait.Start != 1*StepUS || wait.End != 4*StepUS {
		t.Fatalf("task 0's wait: %+v", wait)
	}
	ok, err := Run(context.Background(), Request{Workload: "dbupdate", Mode: Goroutines, Workers: 2, Schedule: "0.0.0.1",
		Params: map[string]any{"variant": dbUnlocked}}, Options{})
	if err != nil || ok.Outcome != OutcomeAllFinish || ok.Check.Value != "2" {
		t.Fatalf("one after the other: %v %+v", err, ok)
	}
}

func TestControlledDeadlock(t *testing.T) {
	res, err := Run(context.Background(), Request{Workload: "deadlock", Mode: Goroutines, Workers: 2, Schedule: "0.1"}, Options{})
	var dl *DeadlockError
	if !errors.As(err, &dl) || !dl.Scheduled {
		t.Fatalf("error %v, want a scheduled deadlock", err)
	}
	if res.Outcome != OutcomeDeadlock || res.Schedule != "0.1.0.1" || len(res.Stuck) != 2 {
		t.Fatalf("outcome %s schedule %s stuck %+v", res.Outcome, res.Schedule, res.Stuck)
	}
	if res.Stuck[0].Label != "wait for lock B (held by task 1)" || res.Stuck[1].Label != "wait for lock A (held by task 0)" {
		t.Fatalf("stuck %+v", res.Stuck)
	}
	if len(res.Next) != 2 || !res.Next[0].Wait || !res.Next[1].Wait {
		t.Fatalf("next %+v", res.Next)
	}
	if res.Steps[1].Shared != "A: task 0, B: task 1" {
		t.Fatalf("shared %q", res.Steps[1].Shared)
	}
	if !strings.Contains(res.Error, "no task can take its next step") {
		t.Fatalf("error %q", res.Error)
	}
}

func TestControlledPause(t *testing.T) {
	res, err := Run(context.Background(), counterReq(syncMutex, "0.0~stop"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomePaused || len(res.Steps) != 2 || res.Error != "" {
		t.Fatalf("%s %d steps %q", res.Outcome, len(res.Steps), res.Error)
	}
	want := []Step{
		{Lane: 0, Task: 0, What: "task 0: yield"},
		{Lane: 1, Task: 1, What: "task 1: wait for the counter's lock (held by task 0)", Wait: true},
	}
	if !reflect.DeepEqual(res.Next, want) {
		t.Fatalf("next %+v", res.Next)
	}
}

func TestControlledRules(t *testing.T) {
	rr, err := Run(context.Background(), counterReq(syncNone, "~rr"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rr.Schedule != "0.1.0.1.0.1.0.1.0.1.0.1" || rr.Outcome != OutcomeLostUpdate {
		t.Fatalf("round robin: %s %s", rr.Schedule, rr.Outcome)
	}
	first, err := Run(context.Background(), counterReq(syncNone, "~first"), Options{})
	if err != nil || first.Schedule != "0*6.1*6" || first.Outcome != OutcomeAllFinish {
		t.Fatalf("first: %v %s %s", err, first.Schedule, first.Outcome)
	}
	a, _ := Run(context.Background(), counterReq(syncNone, "~random:11"), Options{})
	b, _ := Run(context.Background(), counterReq(syncNone, "~random:11"), Options{})
	if a.Schedule != b.Schedule || !reflect.DeepEqual(a.Steps, b.Steps) {
		t.Fatalf("the same seed chose %s then %s", a.Schedule, b.Schedule)
	}
}

func TestControlledBadSchedules(t *testing.T) {
	for _, c := range []struct {
		req  Request
		want string
	}{
		{counterReq(syncMutex, "0.1"), "step 2 chooses goroutine 1, which cannot go then (it must wait: task 1: wait for the counter's lock (held by task 0))"},
		{counterReq(syncNone, "0.2"), "step 2 names goroutine 2, but this run has 2"},
		{counterReq(syncNone, "0*6.0"), "step 7 chooses goroutine 0, which cannot go then (it has finished)"},
		{counterReq(syncNone, "0.x"), `item 2 ("x")`},
	} {
		_, err := Run(context.Background(), c.req, Options{})
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != "schedule" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want a schedule error saying %q", c.req.Schedule, err, c.want)
		}
	}
}

// A sequential run has one goroutine: the schedule can only name it.
func TestControlledSequential(t *testing.T) {
	res, err := Run(context.Background(), Request{Workload: "dbupdate", Mode: Sequential, Schedule: "0*6",
		Params: map[string]any{"variant": dbUnlocked}}, Options{})
	if err != nil || res.Outcome != OutcomeAllFinish || res.Check.Value != "2" {
		t.Fatalf("%v %+v", err, res)
	}
}

// Every lesson where order matters runs step by step, and each schedule
// replays to the same steps and outcome.
func TestControlledLessonsReplay(t *testing.T) {
	for _, req := range []Request{
		counterReq(syncNone, ""), counterReq(syncMutex, ""), counterReq(syncAtomic, ""),
		{Workload: "counter", Mode: Goroutines, Workers: 2, Params: map[string]any{"tasks": 2, "increments": 3, "sync": syncNone}},
		{Workload: "dbupdate", Mode: Goroutines, Workers: 2, Params: map[string]any{"variant": dbLocked}},
		{Workload: "dbupdate", Mode: Goroutines, Workers: 2, Params: map[string]any{"variant": dbSleepFirst}},
		{Workload: "deadlock", Mode: Goroutines, Workers: 3, Params: map[string]any{"tasks": 3}},
		{Workload: "deadlock", Mode: Goroutines, Workers: 3, Params: map[string]any{"tasks": 3, "fix": fixOrdered}},
		{Workload: "semaphore", Mode: Goroutines, Workers: 4, Params: map[string]any{"tasks": 4, "limit": 2}},
		{Workload: "semaphore", Mode: Goroutines, Workers: 4, Params: map[string]any{"tasks": 4, "limit": 2, "cpu": true}},
		{Workload: "queue", Mode: Goroutines, Workers: 3, Params: map[string]any{"items": 4, "buffer": 1}},
		{Workload: "queue", Mode: Goroutines, Workers: 2, Params: map[string]any{"items": 3, "producers": 2}},
		{Workload: "pool", Mode: Goroutines, Workers: 2, Params: map[string]any{"jobs": 4, "vary": 50}},
		{Workload: "sleep", Mode: Goroutines, Workers: 3, Params: map[string]any{"tasks": 3}},
	} {
		for seed := range 3 {
			req.Schedule = "~random:" + string(rune('0'+seed))
			res, err := Run(context.Background(), req, Options{})
			if res == nil || res.Outcome == OutcomeFailed || res.Outcome == "" {
				t.Fatalf("%s %v %s: %v", req.Workload, req.Params, req.Schedule, err)
			}
			if res.Outcome == OutcomeDeadlock && req.Workload != "deadlock" || res.Outcome == OutcomeLostUpdate && req.Params["sync"] != syncNone && req.Params["variant"] != dbSleepFirst {
				t.Fatalf("%s %v %s: outcome %s (%+v)", req.Workload, req.Params, req.Schedule, res.Outcome, res.Check)
			}
			want := res.Schedule
			req.Schedule = want
			if want == "" {
				t.Fatalf("%s: no steps", req.Workload)
			}
			again, _ := Run(context.Background(), req, Options{})
			if again == nil || !reflect.DeepEqual(again.Steps, res.Steps) || again.Outcome != res.Outcome || again.Check != res.Check || again.Schedule != want {
				t.Fatalf("%s %v: %s did not replay: %+v", req.Workload, req.Params, want, again)
			}
		}
	}
}

// A run keeps working after a step-by-step run ended early: the stopped
// tasks left, and the next run starts afresh.
func TestControlledStopLeavesNothingBehind(t *testing.T) {
	for range 20 {
		if _, err := Run(context.Background(), counterReq(syncMutex, "0.0.0~stop"), Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), Request{Workload: "deadlock", Mode: Goroutines, Workers: 2, Schedule: "1"}, Options{}); err == nil {
			t.Fatal("no deadlock")
		}
	}
	res, err := Run(context.Background(), Request{Workload: "counter", Mode: Goroutines, Workers: 2, Params: map[string]any{"tasks": 2, "increments": 100, "sync": syncMutex}}, Options{})
	if err != nil || !res.Check.OK {
		t.Fatalf("%v %+v", err, res)
	}
}
