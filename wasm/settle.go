//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/wasm/internal/settle"
	"conlab/workloads"
)

// DefaultSettleCap bounds a Settle call's settling (not the start of the
// workers it may need first, which Config.StartTimeout bounds).
const DefaultSettleCap = settle.DefaultCap

// Settle makes sure timings have settled in the first n workers of the
// pool (n = 0: the pool's size) before a timed run uses them. It starts
// and warms up the workers the pool lacks (as Warm does; the pool grows to
// n), then every one of the n that has not settled yet repeats a
// calibration pass (each CPU kernel once, with its quick parameters)
// round after round, each round at least 10 ms long, until two
// consecutive rounds take times within 10 % of each other, or
// DefaultSettleCap (10 s) passes. The workers settle at the same time,
// in parallel, as they run.
//
// A browser compiles a function several times as it runs and may go on
// compiling in the background for seconds after the page loads
// (JavaScriptCore does for about 8 s): Warm alone makes the first calls
// cheap but does not wait for that, Settle does, on every engine.
//
// A worker that settled stays settled: a later call settles only the
// workers started since (growth, replacements), and returns at once when
// there are none. A worker that reaches the cap without two agreeing
// rounds is not an error: it counts as settled but not in
// SettleReport.Settled, and Stats says so. Settle takes the pool's turn:
// it waits for a run going on and no run starts while it settles.
// Cancelling ctx ends it with ctx's error; the workers then finish their
// round on their own and stay usable.
func (p *Pool) Settle(ctx context.Context, n int) (SettleReport, error) {
	t0 := time.Now()
	var rep SettleReport
	if n < 0 || n > workloads.MaxWorkers {
		return rep, fmt.Errorf("wasm: Settle of %d workers; allowed: 0 (the pool's size) to %d", n, workloads.MaxWorkers)
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if err := p.beginTurn(ctx); err != nil {
		return rep, err
	}
	defer p.endTurn()
	p.measureCores(ctx)
	p.mu.Lock()
	if n == 0 {
		n = p.size
	}
	p.prune()
	have := min(len(p.workers), n)
	p.mu.Unlock()
	if need := n - have; need > 0 {
		if _, err := p.start(ctx, need, p.clock.Now(), func(Progress) {}); err != nil {
			return rep, err
		}
	}
	p.mu.Lock()
	p.prune()
	if len(p.workers) < n {
		p.mu.Unlock()
		return rep, errors.New("wasm: workers stopped while settling")
	}
	p.size = max(p.size, n)
	var ws []*worker
	for _, w := range p.workers[:n] {
		if !w.settled {
			ws = append(ws, w)
		}
	}
	p.mu.Unlock()
	if len(ws) == 0 {
		rep.MS = float64(time.Since(t0)) / float64(time.Millisecond)
		return rep, nil
	}
	box := newMailbox()
	for _, w := range ws {
		w.box.Store(box)
	}
	defer func() {
		for _, w := range ws {
			w.box.Store(nil)
		}
	}()
	id := p.newID()
	limit := DefaultSettleCap
	for _, w := range ws {
		msg := &proto.Warm{ID: id, Workloads: p.kernels, SettleMS: float64(limit.Milliseconds())}
		if err := w.js.Post(msg, nil, nil); err != nil {
			p.retire(w)
			return rep, fmt.Errorf("wasm: asking worker %d to settle: %w", w.id, err)
		}
	}
	// A worker stops at the cap by itself; past that and a grace, it is
	// stuck.
	deadline := time.Now().Add(limit + p.cfg.StartTimeout)
	pending := map[*worker]bool{}
	for _, w := range ws {
		pending[w] = true
	}
	for len(pending) > 0 {
		e, err := box.next(ctx, time.Until(deadline))
		if errors.Is(err, errSilent) {
			var bad []*worker
			for w := range pending {
				bad = append(bad, w)
			}
			p.retire(bad...)
			return rep, fmt.Errorf("wasm: %d worker(s) did not finish settling within %v", len(bad), limit+p.cfg.StartTimeout)
		}
		if err != nil {
			return rep, err
		}
		if !pending[e.w] {
			continue
		}
		if ferr := e.w.failure(e); ferr != nil {
			p.retire(e.w)
			return rep, fmt.Errorf("wasm: settling: %w", ferr)
		}
		switch b := e.msg.Body.(type) {
		case *proto.Error:
			return rep, fmt.Errorf("wasm: worker %d while settling: %s", e.w.id, b.Error)
		case *proto.Warmed:
			if b.ID != id {
				continue
			}
			if b.Error != "" {
				return rep, fmt.Errorf("wasm: worker %d: %s", e.w.id, b.Error)
			}
			delete(pending, e.w)
			p.mu.Lock()
			e.w.settled, e.w.settleMS, e.w.settleAgreed = true, b.SettledMS, b.Settled
			p.mu.Unlock()
			rep.Workers++
			if b.Settled {
				rep.Settled++
			}
			rep.WorkerMS = append(rep.WorkerMS, b.SettledMS)
		}
	}
	rep.MS = float64(time.Since(t0)) / float64(time.Millisecond)
	p.mu.Lock()
	p.lastSettle = rep
	p.mu.Unlock()
	return rep, nil
}

// SettlePage settles timings on the page's own thread, where the "main"
// mode runs, as Settle does in a worker: the same calibration rounds,
// until two consecutive rounds agree within 10 % or DefaultSettleCap
// passes. Each round (at least 10 ms) holds the page's thread; between
// rounds the page handles its events. It returns how long settling took
// and whether two rounds agreed (false: it stopped at the cap).
func (p *Pool) SettlePage(ctx context.Context) (took time.Duration, agreed bool, err error) {
	env := &jsenv.Env{Clock: p.clock, Base: p.base, OneMemory: true, Spawner: p.spawner}
	var jobs []*workloads.Job
	for _, id := range p.kernels {
		wl, err := workloads.Lookup(id)
		if err != nil {
			return 0, false, err
		}
		job, err := workloads.Prepare(workloads.Request{Workload: id, Mode: workloads.Sequential, Workers: 1, Params: wl.Quick})
		if err != nil {
			return 0, false, err
		}
		jobs = append(jobs, job)
	}
	pass := func() error {
		for _, job := range jobs {
			if _, err := job.Run(ctx, workloads.Options{Env: env, Engine: "wasm-page"}); err != nil {
				return err
			}
		}
		return nil
	}
	rep, err := settle.Until(ctx, p.clock.Now, pass, settle.Options{Between: func() { time.Sleep(time.Millisecond) }})
	p.mu.Lock()
	p.pageSettleMS, p.pageSettled = float64(rep.Took)/float64(time.Millisecond), rep.Settled
	p.mu.Unlock()
	return rep.Took, rep.Settled, err
}
