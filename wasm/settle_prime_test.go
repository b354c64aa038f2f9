//go:build js && wasm

package wasm

import (
	"testing"
	"time"

	"conlab/workloads"
)

// SettleRun settles the workers on the run's kernel, then primes each
// with two untimed runs; a run declaring no more memory primes none again,
// a bigger one primes them anew, and the page's memory grows once per
// size.
func TestSettleRun(t *testing.T) {
	p := newPool(t, Config{Size: 2})
	ctx := testCtx(t, 2*time.Minute)
	req := func(size int) workloads.Request {
		return workloads.Request{Workload: "multiply", Mode: Workers, Workers: 2, Params: map[string]any{"method": "loop", "size": size}}
	}
	if _, err := p.SettleRun(ctx, -1, req(1000)); err == nil {
		t.Error("SettleRun(-1) succeeded")
	}
	if _, err := p.SettleRun(ctx, 2, workloads.Request{Workload: "multiply", Params: map[string]any{"size": -5}}); err == nil {
		t.Error("SettleRun of a bad request succeeded")
	}
	rep, err := p.SettleRun(ctx, 2, req(200_000))
	t.Logf("settled and primed: %+v", rep)
	if err != nil || rep.Workers != 2 || rep.Primed != 2 || rep.PrimeRuns != 5 || rep.PrimeMS <= 0 || rep.MS < rep.PrimeMS {
		t.Fatalf("SettleRun(2, multiply 200,000): %+v, %v", rep, err)
	}
	if again, err := p.SettleRun(ctx, 2, req(100_000)); err != nil || again.Workers != 0 || again.Primed != 0 {
		t.Errorf("SettleRun with a smaller run: %+v, %v; want nothing to do", again, err)
	}
	if bigger, err := p.SettleRun(ctx, 2, req(400_000)); err != nil || bigger.Workers != 0 || bigger.Primed != 2 || bigger.PrimeRuns != 5 {
		t.Errorf("SettleRun with a bigger run: %+v, %v; want both primed again, none settled", bigger, err)
	}
	// The primed workers still run correctly.
	res, err := p.Run(ctx, req(400_000), nil)
	if err != nil || !res.Check.OK {
		t.Fatalf("a run after priming: %v, %+v", err, res)
	}
	took, _, err := p.SettlePageRun(ctx, req(400_000))
	if err != nil || took <= 0 {
		t.Errorf("SettlePageRun: %v, %v", took, err)
	}
	p.mu.Lock()
	heap := p.pageHeap
	p.mu.Unlock()
	if heap < 400_000*24 {
		t.Errorf("the page's heap grew by %d bytes for a run declaring more", heap)
	}
}
