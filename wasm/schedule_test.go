//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"conlab/workloads"
)

// A schedule runs step by step in the browser's cooperative engine, in a
// worker and on the page, with the same steps and outcome as the engine
// gives anywhere (the workloads tests hold it to the same expectations
// natively).
func TestScheduleReplaysInTheBrowser(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	counter := map[string]any{"tasks": 2, "increments": 2, "sync": "none", "yield": true}
	for _, tc := range []struct {
		req      workloads.Request
		schedule string
		outcome  string
		value    string
	}{
		{workloads.Request{Workload: "counter", Workers: 2, Params: counter, Schedule: "0.1"}, "0.1.0*5.1*5", workloads.OutcomeLostUpdate, "2"},
		{workloads.Request{Workload: "counter", Workers: 2, Params: counter, Schedule: "~first"}, "0*6.1*6", workloads.OutcomeAllFinish, "4"},
		{workloads.Request{Workload: "dbupdate", Workers: 2, Params: map[string]any{"variant": "unlocked"}, Schedule: "0.1"}, "0.1.0.0.1.1", workloads.OutcomeLostUpdate, "1"},
		{workloads.Request{Workload: "deadlock", Workers: 2, Schedule: "1"}, "1.0.0.1", workloads.OutcomeDeadlock, ""},
	} {
		var want *workloads.Result
		for _, m := range []workloads.Mode{Cooperative, Main} {
			req := tc.req
			req.Mode = m
			name := req.Workload + "/" + string(m) + "/" + req.Schedule
			res, err := p.Run(testCtx(t, time.Minute), req, nil)
			if res == nil {
				t.Fatalf("%s: %v", name, err)
			}
			var dl *workloads.DeadlockError
			if tc.outcome == workloads.OutcomeDeadlock && (!errors.As(err, &dl) || !dl.Scheduled || len(res.Stuck) != 2) {
				t.Errorf("%s: error %v, stuck %+v", name, err, res.Stuck)
			} else if tc.outcome != workloads.OutcomeDeadlock && err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if res.Schedule != tc.schedule || res.Outcome != tc.outcome || res.Check.Value != tc.value || res.WallUS != int64(len(res.Steps))*workloads.StepUS {
				t.Errorf("%s: schedule %s outcome %s value %q wall %d µs for %d steps", name, res.Schedule, res.Outcome, res.Check.Value, res.WallUS, len(res.Steps))
			}
			if n := len(res.Steps); n == 0 || res.Steps[n-1].Shared == "" {
				t.Errorf("%s: no shared values after the steps: %+v", name, res.Steps)
			}
			if want == nil {
				want = res
			} else if !reflect.DeepEqual(res.Steps, want.Steps) || !reflect.DeepEqual(res.Spans, want.Spans) {
				t.Errorf("%s: the page and the worker stepped differently:\n%+v\n%+v", name, res.Steps, want.Steps)
			}
			// The schedule that ran replays to the same steps.
			req.Schedule = res.Schedule
			again, _ := p.Run(testCtx(t, time.Minute), req, nil)
			if again == nil || !reflect.DeepEqual(again.Steps, res.Steps) || again.Outcome != res.Outcome {
				t.Errorf("%s: the replay of %s differs: %+v", name, res.Schedule, again)
			}
		}
	}
}

// The search runs in the browser too.
func TestFindInTheBrowser(t *testing.T) {
	req := workloads.Request{Workload: "counter", Mode: workloads.Goroutines, Workers: 2,
		Params: map[string]any{"tasks": 2, "increments": 2, "sync": "mutex", "yield": true}}
	f, err := workloads.Find(context.Background(), req, workloads.OutcomeLostUpdate, workloads.FindOptions{}, workloads.Options{})
	if err != nil || f.Found || !f.Exhaustive || f.Checked != 6 {
		t.Fatalf("%v %+v", err, f)
	}
	req = workloads.Request{Workload: "deadlock", Mode: workloads.Goroutines, Workers: 2}
	f, err = workloads.Find(context.Background(), req, workloads.OutcomeDeadlock, workloads.FindOptions{}, workloads.Options{})
	if err != nil || !f.Found || f.Schedule != "1" || f.Result.Schedule != "1.0.0.1" {
		t.Fatalf("%v %+v", err, f)
	}
}
