//go:build js && wasm

package wasm

import (
	"testing"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"
)

// tidy says whether w owes no collection now, without waiting.
func tidy(w *worker) bool {
	select {
	case <-w.litter.tidy():
		return true
	default:
		return false
	}
}

// After every run it answers, in every mode, a worker collects the run's
// garbage and says so; the next run waits for it.
func TestWorkersCollectAfterRuns(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	ctx := testCtx(t, 2*time.Minute)
	// Chunks: a workers-mode run of 2 has a task for each worker.
	params := map[string]any{"method": "chunks", "size": 400_000}
	for _, c := range []struct {
		mode    workloads.Mode
		workers int
		used    int
	}{{Sequential, 1, 1}, {Cooperative, 2, 1}, {Workers, 2, 2}} {
		p.mu.Lock()
		ws := append([]*worker(nil), p.workers...)
		p.mu.Unlock()
		before := p.clock.Now()
		mustRun(t, p, workloads.Request{Workload: "multiply", Mode: c.mode, Workers: c.workers, Params: params})
		if err := p.awaitCollected(ctx); err != nil {
			t.Fatal(err)
		}
		for i, w := range ws[:c.used] {
			got := w.litter.lastCollected()
			if !tidy(w) || got.StartUS < before || got.EndUS < got.StartUS {
				t.Errorf("%s ×%d: worker %d tidy %v, last collection %+v (the run began at %d µs)", c.mode, c.workers, i, tidy(w), got, before)
			}
		}
	}
	if st := p.Stats(); len(st.CollectMS) != 2 {
		t.Errorf("Stats.CollectMS %v, want one per worker", st.CollectMS)
	}
}

// A run waits until no worker of the pool owes a collection; a worker that
// never reports one is stuck, and replaced.
func TestRunWaitsForCollection(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	p.mu.Lock()
	w0, w1 := p.workers[0], p.workers[1]
	p.mu.Unlock()
	// Play the workers' part: both answered a run (not the real one) and
	// have not collected yet.
	w0.litter.note(&jsenv.Message{Kind: proto.KResult, Body: &proto.Result{ID: 1 << 40}})
	w1.litter.note(&jsenv.Message{Kind: proto.KTaskDone, Body: &proto.TaskDone{ID: 1<<40 + 1}})
	w1.litter.note(&jsenv.Message{Kind: proto.KTaskDone, Body: &proto.TaskDone{ID: 1<<40 + 1}})
	done := make(chan *workloads.Result, 1)
	go func() {
		res, err := p.Run(testCtx(t, 2*time.Minute), workloads.Request{Workload: "countdown", Mode: Sequential, Params: map[string]any{"count": 1000}}, nil)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	wait := func(what string) {
		select {
		case <-done:
			t.Fatalf("the run ended while %s", what)
		case <-time.After(300 * time.Millisecond):
		}
	}
	wait("both workers owed a collection")
	w0.litter.note(&jsenv.Message{Kind: proto.KCollected, Body: &proto.Collected{ID: 1 << 40, StartUS: 1, EndUS: 2}})
	wait("the other worker owed a collection")
	w1.litter.note(&jsenv.Message{Kind: proto.KCollected, Body: &proto.Collected{ID: 1<<40 + 1, StartUS: 1, EndUS: 2}})
	select {
	case res := <-done:
		if res == nil || !res.Check.OK {
			t.Fatalf("the run after the collections: %+v", res)
		}
	case <-time.After(time.Minute):
		t.Fatal("the run did not start once both workers had collected")
	}

	// A worker that never says it collected is stuck: the run goes on
	// without it after collectWait.
	w0.litter.note(&jsenv.Message{Kind: proto.KResult, Body: &proto.Result{ID: 1<<40 + 2}})
	p.mu.Lock()
	p.collectWait = 200 * time.Millisecond
	p.mu.Unlock()
	mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Sequential, Params: map[string]any{"count": 1000}})
	if !w0.dead.Load() {
		t.Error("a worker that never collected was kept")
	}
}

// Settling ends once the workers it primed have collected the garbage of
// their untimed runs: the first timed run finds every core free.
func TestSettleRunEndsCollected(t *testing.T) {
	p := newPool(t, Config{Size: 2})
	rep, err := p.SettleRun(testCtx(t, 2*time.Minute), 2, workloads.Request{Workload: "multiply", Params: map[string]any{"method": "loop", "size": 400_000}})
	if err != nil || rep.PrimeRuns == 0 {
		t.Fatalf("SettleRun: %+v, %v", rep, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.workers {
		if !tidy(w) {
			t.Errorf("worker %d still owes a collection when SettleRun returns", i)
		}
		if w.litter.lastCollected().ID == 0 {
			t.Errorf("worker %d never said it collected", i)
		}
	}
}
