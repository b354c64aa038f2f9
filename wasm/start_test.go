//go:build js && wasm

package wasm

import (
	"strings"
	"testing"
	"time"

	"conlab/workloads"
)

func TestStartFailures(t *testing.T) {
	ctx := testCtx(t, time.Minute)
	p := newPool(t, Config{Prefix: "/missing", Size: 1})
	if err := p.Warm(ctx); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a site without worker.wasm: Warm = %v, want the 404", err)
	}
	p = newPool(t, Config{Prefix: "/stall", Size: 2, StartTimeout: 700 * time.Millisecond})
	t0 := time.Now()
	err := p.Warm(ctx)
	if err == nil || !strings.Contains(err.Error(), "did not finish their start") || time.Since(t0) > 5*time.Second {
		t.Errorf("workers that never start: Warm = %v after %v, want a start-up timeout", err, time.Since(t0))
	}
	if s := p.Stats(); s.Alive != 0 {
		t.Errorf("workers that failed to start are still counted: %+v", s)
	}
	if res, err := p.Run(ctx, workloads.Request{Workload: "countdown", Mode: Cooperative}, nil); err == nil {
		t.Errorf("Run on a pool that cannot start: %+v", res)
	}
	p.Close()
	if !waitFor(15*time.Second, func() bool { return liveWorkers(t) == 0 }) {
		t.Errorf("workers that failed to start are still alive: %v", lastCensus)
	}
}

// A server that sends worker.wasm with the wrong MIME type still works:
// the pool compiles from the bytes.
func TestWrongMIMEType(t *testing.T) {
	p := warmPool(t, Config{Prefix: "/badmime/site", Size: 1})
	mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Cooperative, Workers: 2, Params: map[string]any{"count": 1000}})
}

func TestResize(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	for _, n := range []int{-1, 65} {
		if err := p.Resize(n); err == nil {
			t.Errorf("Resize(%d) accepted", n)
		}
	}
	if err := p.Resize(1); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Size != 1 || s.Alive != 1 {
		t.Errorf("after Resize(1): %+v", s)
	}
	if err := p.Resize(3); err != nil {
		t.Fatal(err)
	}
	if !waitFor(30*time.Second, func() bool { s := p.Stats(); return s.Alive == 3 && s.Warm == 3 }) {
		t.Fatalf("after Resize(3): %+v", p.Stats())
	}
	if n := liveWorkers(t); n != 3 {
		t.Errorf("the browser has %d workers, want 3: %v", n, lastCensus)
	}
	// A run that needs more workers grows the pool and pays their start.
	res := mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Workers, Workers: 4, Params: map[string]any{"count": 4000}})
	if s := p.Stats(); s.Size != 4 || s.Alive != 4 || res.StartupUS <= 0 {
		t.Errorf("after a run on 4 workers: %+v, startup %d µs", s, res.StartupUS)
	}
}

// Start-up is reported by the run that paid it, and every worker's spans
// are on one clock.
func TestStartupAndOneClock(t *testing.T) {
	p := newPool(t, Config{Size: 2})
	req := workloads.Request{Workload: "test-sleepy", Mode: Workers, Workers: 2, Params: map[string]any{"tasks": 2, "unit": 60}}
	cold := mustRun(t, p, req)
	checkSpans(t, cold, 2)
	startup := map[int]int{}
	for _, s := range cold.Spans {
		if s.Task == -1 {
			startup[s.Lane]++
			if s.End > cold.StartupUS+1000 {
				t.Errorf("start-up span %+v ends after the start-up (%d µs)", s, cold.StartupUS)
			}
		} else if s.Start < cold.StartupUS {
			t.Errorf("task span %+v starts before the workers were ready (%d µs)", s, cold.StartupUS)
		}
	}
	if cold.StartupUS <= 0 || startup[0] < 2 || startup[1] < 2 {
		t.Errorf("cold run: startup %d µs, start-up spans per lane %v; want compile, start and warm-up", cold.StartupUS, startup)
	}
	st := p.Stats()
	if _, ok := st.FirstCallUS["countdown"]; !ok || len(st.WarmCallUS) != len(st.FirstCallUS) {
		t.Errorf("no first and warm calls of the kernels: %+v", st)
	}
	if st.CompileMS <= 0 || len(st.InstantiateMS) != 2 || len(st.StartMS) != 2 || st.WarmupMS <= 0 {
		t.Errorf("stats after a cold start: %+v", st)
	}
	t.Logf("cold start of 2 workers: %d µs; %+v", cold.StartupUS, st)

	warm := mustRun(t, p, req)
	checkSpans(t, warm, 2)
	if warm.StartupUS != 0 {
		t.Errorf("warm run paid %d µs of start-up", warm.StartupUS)
	}
	first := map[int]int64{}
	for _, s := range warm.Spans {
		if s.Task == -1 {
			t.Errorf("warm run has a start-up span %+v", s)
		}
		if v, ok := first[s.Lane]; !ok || s.Start < v {
			first[s.Lane] = s.Start
		}
	}
	// Both workers got their first task at once: on one clock their
	// first spans start together, soon after the run's start.
	if d := first[0] - first[1]; d > 30_000 || d < -30_000 || first[0] > 50_000 || first[1] > 50_000 {
		t.Errorf("first spans per lane %v µs: not on one clock", first)
	}
}
