//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"testing"
	"time"

	"conlab/workloads"
)

// Finding 6 of the hostile-load probe: after one run on 64 workers, 64 Web
// Workers stayed alive until the page closed. The workers a run grew the
// pool by end once the pool has been idle for IdleShrink.
func TestPoolShrinksWhenIdle(t *testing.T) {
	p := warmPool(t, Config{Size: 1, IdleShrink: 700 * time.Millisecond})
	mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Workers, Workers: 4, Params: map[string]any{"count": 1000}})
	if st := p.Stats(); st.Alive != 4 || st.Size != 4 {
		t.Fatalf("after a run on 4 workers: %+v, want 4 alive", st)
	}
	// A run soon after keeps them: the idle period starts again.
	time.Sleep(300 * time.Millisecond)
	mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Workers, Workers: 2, Params: map[string]any{"count": 1000}})
	time.Sleep(400 * time.Millisecond)
	if st := p.Stats(); st.Alive != 4 {
		t.Fatalf("400 ms after the last run (idle period 700 ms): %+v, want 4 alive still", st)
	}
	if !waitFor(10*time.Second, func() bool { s := p.Stats(); return s.Alive == 1 && s.Size == 1 }) {
		t.Fatalf("the idle pool did not shrink back to 1: %+v", p.Stats())
	}
	if !waitFor(10*time.Second, func() bool { return liveWorkers(t) == 1 }) {
		t.Fatalf("the browser still has %d workers alive (%v), want 1", liveWorkers(t), lastCensus)
	}
	mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Workers, Workers: 2, Params: map[string]any{"count": 1000}})
}

// Cancelling a run ends the workers it grew the pool by, at once: they are
// not replaced.
func TestCancelShrinksThePool(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	huge := map[string]any{"count": 20_000_000_000}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	_, err := p.Run(ctx, workloads.Request{Workload: "countdown", Mode: Workers, Workers: 4, Params: huge}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want the cancellation", err)
	}
	ok := waitFor(30*time.Second, func() bool {
		s := p.Stats()
		return s.Size == 1 && s.Alive == 1 && s.Warm == 1 && liveWorkers(t) == 1
	})
	if !ok {
		t.Fatalf("after the cancel: pool %+v, browser has %d workers (%v); want 1", p.Stats(), liveWorkers(t), lastCensus)
	}
}
