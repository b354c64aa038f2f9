//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/wasm/internal/settle"
	"conlab/workloads"
)

// DefaultSettleCap bounds a Settle call's settling (not the start of the
// workers it may need first, which Config.StartTimeout bounds).
const DefaultSettleCap = settle.DefaultCap

// settleMin is the least time settling takes in each engine (see
// settleOptions): how long after a worker's first call of a kernel the
// engine may still be compiling a faster tier of it in the background.
// Measured on a quiet 2-core machine, countdown's calibration pass in a
// fresh worker reached its steady time after about 1.75 s in V8
// (Chromium 156: 250-350 µs, 100 µs at 0.3-0.75 s, 80-85 µs later),
// 0.3-2 s in SpiderMonkey (Firefox ESR 153: 290 µs, 120 µs, then 105 µs)
// and 3-4 s in JavaScriptCore (WebKitGTK 2.50: 0.5-1 ms, up to 4 ms
// while interpreted, then 100-110 µs).
var settleMin = map[string]time.Duration{
	"Blink":  2 * time.Second,
	"Gecko":  1500 * time.Millisecond,
	"WebKit": 5 * time.Second,
}

// settleOptions are the options of settling in this browser: three
// consecutive rounds of at least 25 ms that agree within 10 %, no sooner
// than the engine's settleMin (1.5 s in an engine not listed), within
// DefaultSettleCap and, when ctx has a deadline, ending margin before it
// (at least 100 ms), so that the answer arrives in time.
func settleOptions(ctx context.Context, margin time.Duration) settle.Options {
	limit := DefaultSettleCap
	if d, ok := ctx.Deadline(); ok {
		limit = max(min(limit, time.Until(d)-margin), 100*time.Millisecond)
	}
	least, ok := settleMin[jsenv.Browser().Engine]
	if !ok {
		least = 1500 * time.Millisecond
	}
	return settle.Options{MinTime: min(least, limit), Cap: limit}
}

// settleKernels returns the pool's kernels among ids, or all of the
// pool's kernels when ids names none of them.
func (p *Pool) settleKernels(ids []string) []string {
	var ks []string
	for _, id := range ids {
		if slices.Contains(p.kernels, id) && !slices.Contains(ks, id) {
			ks = append(ks, id)
		}
	}
	if len(ks) == 0 {
		return p.kernels
	}
	return ks
}

// Settle makes sure timings have settled in the first n workers of the
// pool (n = 0: the pool's size) before a timed run uses them, for the
// kernels a run will call: those of kernels that are CPU kernels of the
// pool, or every CPU kernel when kernels names none. It starts and warms
// up the workers the pool lacks (as Warm does; the pool grows to n), then
// every one of the n that has not settled on those kernels yet repeats a
// calibration pass (each of those kernels once, with its quick
// parameters) round after round, each round at least 25 ms long, until
// three consecutive rounds take times within 10 % of each other, no
// sooner than the engine's least settling time (2 s in V8, 1.5 s in
// SpiderMonkey, 5 s in JavaScriptCore: how long they may go on compiling
// a faster tier in the background), or DefaultSettleCap (10 s) passes.
// The workers settle all at the same time, in parallel, as they run.
// Then they settle side by side (settleTogether): one worker timed alone,
// then as many together as the browser reports cores, until they run
// about as fast together as alone, or steadily as many threads at once
// as the pool measured cores, within the same cap.
//
// A worker that settled on a kernel stays settled on it: a later call
// settles only the workers started since (growth, replacements) and the
// kernels not settled yet, and returns at once when there are none. A
// worker that reaches the cap without agreeing rounds is not an error: it
// counts as settled but not in SettleReport.Settled, and Stats says so.
// Settle takes the pool's turn: it waits for a run going on and no run
// starts while it settles. Cancelling ctx ends it with ctx's error; the
// workers then finish their round on their own and stay usable.
func (p *Pool) Settle(ctx context.Context, n int, kernels ...string) (SettleReport, error) {
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
	rep, err := p.settleInTurn(ctx, t0, n, kernels)
	if err != nil || rep.Workers == 0 {
		return rep, err
	}
	err = p.settleTogether(ctx, n, p.settleKernels(kernels), p.settleEnd(ctx, t0), &rep)
	rep.MS = float64(time.Since(t0)) / float64(time.Millisecond)
	return rep, err
}

// settleEnd is when settling begun at t0 must end: DefaultSettleCap
// after t0, and before ctx's deadline with a margin for the answer.
func (p *Pool) settleEnd(ctx context.Context, t0 time.Time) time.Time {
	end := t0.Add(DefaultSettleCap)
	if d, ok := ctx.Deadline(); ok && d.Add(-250*time.Millisecond).Before(end) {
		end = d.Add(-250 * time.Millisecond)
	}
	return end
}

// settleInTurn is Settle, in the pool's turn, begun at t0.
func (p *Pool) settleInTurn(ctx context.Context, t0 time.Time, n int, kernels []string) (SettleReport, error) {
	var rep SettleReport
	p.measureCores(ctx, true)
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
	ks := p.settleKernels(kernels)
	var ws []*worker
	for _, w := range p.workers[:n] {
		if !w.settledOn(ks) {
			ws = append(ws, w)
		}
	}
	p.mu.Unlock()
	if len(ws) == 0 {
		rep.MS = float64(time.Since(t0)) / float64(time.Millisecond)
		return rep, nil
	}
	// Every worker settles at once, even more than the cores: in batches
	// of as many as the cores, the engine's least settling time would
	// pass once a batch (JavaScriptCore's 5 s twice for 4 workers on 2
	// cores, and the cap then left no time for SettleRun's untimed runs),
	// and workers sharing a core take steady turns: their rounds agree.
	if err := p.settleBatch(ctx, ws, ks, settleOptions(ctx, 250*time.Millisecond), &rep); err != nil {
		return rep, err
	}
	rep.MS = float64(time.Since(t0)) / float64(time.Millisecond)
	p.mu.Lock()
	p.lastSettle = rep
	p.mu.Unlock()
	return rep, nil
}

// listen has the workers ws answer into one new mailbox, until unlisten.
func listen(ws []*worker) (box *mailbox, unlisten func()) {
	box = newMailbox()
	for _, w := range ws {
		w.box.Store(box)
	}
	return box, func() {
		for _, w := range ws {
			w.box.Store(nil)
		}
	}
}

// settleBatch has the workers ws settle on kernels ks at the same time,
// with options o, and adds what they did to rep.
func (p *Pool) settleBatch(ctx context.Context, ws []*worker, ks []string, o settle.Options, rep *SettleReport) error {
	msg := func(id int64) *proto.Warm {
		return &proto.Warm{ID: id, Workloads: ks, SettleMS: float64(o.Cap.Milliseconds()), SettleMinMS: float64(o.MinTime.Milliseconds())}
	}
	return p.warmEach(ctx, ws, msg, o.Cap, func(w *worker, b *proto.Warmed) {
		p.mu.Lock()
		w.settle(ks, b)
		p.mu.Unlock()
		rep.Workers++
		if b.Settled {
			rep.Settled++
		}
		rep.WorkerMS = append(rep.WorkerMS, b.SettledMS)
		rep.PassNS = append(rep.PassNS, b.SettlePassNS)
	})
}

// warmEach sends each of the workers ws the message msg makes (one ID
// for all), at once, once no worker is collecting (awaitCollected), and
// hands each one's answer to got as it comes. A worker settles for at
// most limit by itself; one silent past that and the start timeout is
// stuck, and retired.
func (p *Pool) warmEach(ctx context.Context, ws []*worker, msg func(id int64) *proto.Warm, limit time.Duration, got func(*worker, *proto.Warmed)) error {
	if err := p.awaitCollected(ctx); err != nil {
		return err
	}
	box, unlisten := listen(ws)
	defer unlisten()
	id := p.newID()
	for _, w := range ws {
		if err := w.js.Post(msg(id), nil, nil); err != nil {
			p.retire(w)
			return fmt.Errorf("wasm: asking worker %d to settle: %w", w.id, err)
		}
	}
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
			return fmt.Errorf("wasm: %d worker(s) did not finish settling within %v", len(bad), limit+p.cfg.StartTimeout)
		}
		if err != nil {
			return err
		}
		if !pending[e.w] {
			continue
		}
		if ferr := e.w.failure(e); ferr != nil {
			p.retire(e.w)
			return fmt.Errorf("wasm: settling: %w", ferr)
		}
		switch b := e.msg.Body.(type) {
		case *proto.Error:
			return fmt.Errorf("wasm: worker %d while settling: %s", e.w.id, b.Error)
		case *proto.Warmed:
			if b.ID != id {
				continue
			}
			if b.Error != "" {
				return fmt.Errorf("wasm: worker %d: %s", e.w.id, b.Error)
			}
			delete(pending, e.w)
			got(e.w, b)
		}
	}
	return nil
}

// settledOn says whether w has settled on every one of kernels (guarded
// by Pool.mu).
func (w *worker) settledOn(kernels []string) bool {
	for _, k := range kernels {
		if !w.settledK[k] {
			return false
		}
	}
	return true
}

// settle records w's settling on kernels (guarded by Pool.mu).
func (w *worker) settle(kernels []string, b *proto.Warmed) {
	if w.settledK == nil {
		w.settledK = map[string]bool{}
	}
	for _, k := range kernels {
		w.settledK[k] = true
	}
	w.settled, w.settleMS, w.settleAgreed = true, b.SettledMS, b.Settled
}

// SettlePage settles timings on the page's own thread, where the "main"
// mode runs, as Settle does in a worker: the same calibration rounds of
// the same kernels (those of kernels that are the pool's CPU kernels, or
// all of them), until three consecutive rounds agree within 10 %, no
// sooner than the engine's least settling time, or DefaultSettleCap
// passes. Each round (at least 25 ms) holds the page's thread; between
// rounds the page handles its events. It returns how long settling took
// and whether the rounds agreed (false: it stopped at the cap).
func (p *Pool) SettlePage(ctx context.Context, kernels ...string) (took time.Duration, agreed bool, err error) {
	env := &jsenv.Env{Clock: p.clock, Base: p.base, OneMemory: true, Spawner: p.spawner}
	var jobs []*workloads.Job
	for _, id := range p.settleKernels(kernels) {
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
	// A pass is short: settle.Until checks ctx between passes, and a
	// pass cut by ctx's deadline would end with the run's own error.
	pctx := context.WithoutCancel(ctx)
	pass := func() error {
		for _, job := range jobs {
			if _, err := job.Run(pctx, workloads.Options{Env: env, Engine: "wasm-page"}); err != nil {
				return err
			}
		}
		return nil
	}
	o := settleOptions(ctx, 2*settle.DefaultMinRound)
	o.Between = func() { time.Sleep(time.Millisecond) }
	rep, err := settle.Until(ctx, p.clock.Now, pass, o)
	p.mu.Lock()
	p.pageSettleMS, p.pageSettled = float64(rep.Took)/float64(time.Millisecond), rep.Settled
	p.mu.Unlock()
	return rep.Took, rep.Settled, err
}
