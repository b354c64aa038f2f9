package workloads

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestCountdownModes(t *testing.T) {
	for _, mode := range []Mode{Sequential, Goroutines} {
		for _, n := range []int{1, 2, 3, 7} {
			res, err := Run(context.Background(), Request{Workload: "countdown", Mode: mode, Workers: n, Params: map[string]any{"count": 1_000_003}}, Options{})
			if err != nil {
				t.Fatalf("%s/%d: %v", mode, n, err)
			}
			if !res.Check.OK || res.Check.Value != "1000003" {
				t.Errorf("%s/%d: check %+v", mode, n, res.Check)
			}
			lanes := map[int]bool{}
			for _, s := range res.Spans {
				lanes[s.Lane] = true
				if s.End < s.Start {
					t.Errorf("span ends before it starts: %+v", s)
				}
			}
			want := 1
			if mode == Goroutines {
				want = n
			}
			if len(lanes) > want {
				t.Errorf("%s/%d: %d lanes, want at most %d", mode, n, len(lanes), want)
			}
		}
	}
}

func TestRequestErrors(t *testing.T) {
	cases := []struct {
		req   Request
		field string
	}{
		{Request{Workload: "nope"}, "workload"},
		{Request{Workload: "countdown", Mode: "fast"}, "mode"},
		{Request{Workload: "countdown", Workers: 65}, "workers"},
		{Request{Workload: "countdown", Workers: -1}, "workers"},
		{Request{Workload: "countdown", Params: map[string]any{"count": 0.0}}, "count"},
		{Request{Workload: "countdown", Params: map[string]any{"count": 1.5}}, "count"},
		{Request{Workload: "countdown", Params: map[string]any{"count": "many"}}, "count"},
		{Request{Workload: "countdown", Params: map[string]any{"cuont": 5.0}}, "cuont"},
		{Request{Workload: "countdown", TimeoutMS: -5}, "timeout_ms"},
	}
	for _, c := range cases {
		_, err := Run(context.Background(), c.req, Options{})
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%+v: got %v, want a ParamError on %s", c.req, err, c.field)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, Request{Workload: "countdown", Mode: Goroutines, Workers: 2}, Options{})
	if !errors.Is(err, context.Canceled) || res == nil || res.Error == "" {
		t.Fatalf("got %v, %+v", err, res)
	}
}

// stubborn is a task that ignores its context for a while.
type stubborn struct{ d time.Duration }

func (s stubborn) Run(t *T, i int) (uint64, error) {
	time.Sleep(s.d)
	t.Phase("still going", Running)
	return 1, nil
}

// A run that is cancelled gives up on a task that ignores its context
// (after a second), and that task, finishing later, must not touch what
// the run returned: go test -race catches it if it does.
func TestAbandonedTaskLeavesResultAlone(t *testing.T) {
	job, err := Prepare(Request{Workload: "countdown", Mode: Goroutines, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	job.Plan = &Plan{Tasks: []string{"stubborn 0", "stubborn 1"}, New: func() Instance { return stubborn{1200 * time.Millisecond} },
		Combine: func(Outputs) Check { return Check{OK: true} }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	res, err := job.Run(ctx, Options{})
	if err == nil || res == nil || res.Error == "" {
		t.Fatalf("got %v, %+v", err, res)
	}
	spans := len(res.Spans)
	time.Sleep(400 * time.Millisecond) // the tasks end meanwhile
	if len(res.Spans) != spans {
		t.Errorf("the result changed after Run returned")
	}
}

// A check that recomputes the run (multiply's does) must not count in the
// wall time: the lesson compares the work, and the native baseline with
// the browser's engines.
func TestWallExcludesCheck(t *testing.T) {
	job, err := Prepare(Request{Workload: "countdown", Mode: Goroutines, Workers: 2, Params: map[string]any{"count": 10}})
	if err != nil {
		t.Fatal(err)
	}
	const checkTime = 200 * time.Millisecond
	combine := job.Plan.Combine
	job.Plan.Combine = func(o Outputs) Check {
		time.Sleep(checkTime)
		return combine(o)
	}
	res, err := job.Run(context.Background(), Options{})
	if err != nil || !res.Check.OK {
		t.Fatalf("got %v, %+v", err, res)
	}
	if res.CheckUS < checkTime.Microseconds() || res.WallUS >= checkTime.Microseconds() {
		t.Errorf("wall %d µs, check %d µs: want the %v check outside the wall", res.WallUS, res.CheckUS, checkTime)
	}
}

func TestTimeout(t *testing.T) {
	// Also in wasm, where nothing preempts the loop: T.Err reads the clock.
	res, err := Run(context.Background(), Request{Workload: "countdown", Params: map[string]any{"count": int64(20_000_000_000)}, TimeoutMS: 50}, Options{})
	if !errors.Is(err, ErrTimeout) || res.Error == "" {
		t.Fatalf("got %v", err)
	}
}

func TestResultJSON(t *testing.T) {
	res, err := Run(context.Background(), Request{Workload: "countdown", Params: map[string]any{"count": 10}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Check != res.Check || len(back.Spans) != len(res.Spans) || back.Facts.GoVersion == "" {
		t.Errorf("round trip changed the result: %s", b)
	}
}
