//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"conlab/wasm/internal/proto"
	"conlab/workloads"
)

// minPrime is the least time a priming run gets: with less, it would end
// at its deadline having primed little.
const minPrime = 100 * time.Millisecond

// SettleRun makes sure the first n workers of the pool (n = 0: the pool's
// size) are ready for a timed run of req: it settles them on req's kernel
// (Settle, side by side included), runs the workload small once in each
// mode (tryModes), then has each of them that has not yet
// run req's kernel at least as big (by the memory the workload declares,
// Workload.Cost) run req twice in the sequential mode, untimed, last of
// all, all at once (prime). Calibration passes are small; a run of the
// lesson's real size is the first to grow the worker's memory to its size
// (the Go heap taking fresh memory from the browser), and without these
// untimed runs the first timed round would pay for it (multiply's loop at
// 4 million elements: 72 % slower than its later rounds). They come last
// because a run whose worker lay idle while other workers ran is slower
// too: multiply's first timed run, on a worker primed before the others'
// priming and the side-by-side gauges, took 36-41 ms in Chromium, Firefox
// and WebKit against 26-32 ms later, its three arrays taking 10-12 ms to
// clear instead of 4-6. The priming runs share what is left of
// DefaultSettleCap (or of ctx's deadline) with the settling, and end at
// it; a priming run that fails or ends at its deadline is not an error:
// the timed run reports its own errors. It returns once the workers have
// collected those runs' garbage: a worker collects after each run it
// answers, and all of them collecting at once, right as the first timed
// run starts, would take its cores.
func (p *Pool) SettleRun(ctx context.Context, n int, req workloads.Request) (SettleReport, error) {
	t0 := time.Now()
	job, err := Prepare(req)
	if err != nil {
		return SettleReport{}, err
	}
	if n < 0 || n > workloads.MaxWorkers {
		return SettleReport{}, fmt.Errorf("wasm: SettleRun of %d workers; allowed: 0 (the pool's size) to %d", n, workloads.MaxWorkers)
	}
	if err := p.beginTurn(ctx); err != nil {
		return SettleReport{}, err
	}
	defer p.endTurn()
	rep, err := p.settleInTurn(ctx, t0, n, []string{req.Workload})
	if err != nil {
		return rep, err
	}
	bytes := job.Cost(1).Bytes
	p.mu.Lock()
	if n == 0 {
		n = p.size
	}
	p.prune()
	var ws []*worker
	for _, w := range p.workers[:min(n, len(p.workers))] {
		if w.primed[req.Workload] < bytes {
			ws = append(ws, w)
		}
	}
	p.mu.Unlock()
	end := p.settleEnd(ctx, t0)
	if rep.Workers > 0 || len(ws) > 0 {
		// Side by side they gauge for at most half of what is left when
		// workers are still to prime: a busy machine would otherwise
		// spend all of it on gauges that never agree.
		gauges := end
		if len(ws) > 0 {
			gauges = time.Now().Add(time.Until(end) / 2)
		}
		err = p.settleTogether(ctx, n, []string{req.Workload}, gauges, &rep)
		if err == nil {
			err = p.tryModes(ctx, n, job.Request, end)
		}
	}
	if err == nil {
		err = p.prime(ctx, ws, job.Request, bytes, end, &rep)
	}
	if err == nil {
		// Settled means ready: no worker still collecting after its
		// untimed runs when the first timed one starts.
		err = p.awaitCollected(ctx)
	}
	rep.MS = float64(time.Since(t0)) / float64(time.Millisecond)
	return rep, err
}

// tryModes runs req's workload with its Quick parameters (the lesson's
// other parameters kept) once in each browser mode a timed run of n
// lanes may use, untimed: sequential, cooperative with n goroutines and
// workers with n lanes, the ones the workload supports. Calibration and
// priming run the sequential mode alone, inside the worker; a mode's own
// code, in the workers and in the page (a workers-mode run's tasks,
// answers and checks), runs first at a run, and the engine compiles it
// then: multiply's first workers ×1 run, the first of its mode, took
// 10-13 % longer in Chromium than its later ones. A run's failure is not an error (the timed run
// reports its own); ctx's end is. It stops at end. It tries only the
// pool's CPU kernels, as settling calibrates only them: other lessons'
// runs wait, time out or deadlock by design.
func (p *Pool) tryModes(ctx context.Context, n int, req workloads.Request, end time.Time) error {
	if !slices.Contains(p.kernels, req.Workload) {
		return nil
	}
	wl, err := workloads.Lookup(req.Workload)
	if err != nil {
		return err
	}
	params := maps.Clone(req.Params)
	if params == nil {
		params = map[string]any{}
	}
	maps.Copy(params, wl.Quick)
	for _, m := range []workloads.Mode{Sequential, Cooperative, Workers} {
		left := time.Until(end)
		if left < minPrime {
			return nil
		}
		if ok, _ := Supports(wl, m); !ok {
			continue
		}
		lanes := max(n, 1)
		if m == Sequential {
			lanes = 1
		}
		job, err := Prepare(workloads.Request{Workload: req.Workload, Mode: m, Workers: lanes, Params: params, TimeoutMS: left.Milliseconds()})
		if err != nil {
			continue
		}
		if _, err := p.runInTurn(ctx, job, m, func(Progress) {}); ctx.Err() != nil {
			return err
		}
	}
	return nil
}

// primeRuns is how many untimed runs of the lesson's size each worker
// makes before the timed ones: the first grows the worker's memory, and
// the second was still slow (multiply's loop at 4 million elements: its
// arrays took 10-12 ms to clear instead of 4-6, its run 35-41 ms against
// 26-32 ms from the third on, in Chromium, Firefox and WebKit).
const primeRuns = 2

// prime has the workers ws run req primeRuns times each in the
// sequential mode, untimed, all of them at once, however many cores:
// they then end together, none left idle while the others run; it stops
// at end, records each primed worker's run of bytes and adds what it did
// to rep.
func (p *Pool) prime(ctx context.Context, ws []*worker, req workloads.Request, bytes int64, end time.Time, rep *SettleReport) error {
	seq := req
	seq.Mode, seq.Workers = workloads.Sequential, 1
	p0 := time.Now()
	defer func() { rep.PrimeMS = float64(time.Since(p0)) / float64(time.Millisecond) }()
	for r := range primeRuns {
		left := time.Until(end)
		if left < minPrime || len(ws) == 0 {
			break
		}
		seq.TimeoutMS = min(req.TimeoutMS, left.Milliseconds())
		primed, err := p.primeBatch(ctx, ws, seq, left)
		if r == 0 {
			p.mu.Lock()
			for _, w := range primed {
				if w.primed == nil {
					w.primed = map[string]int64{}
				}
				w.primed[req.Workload] = bytes
			}
			p.mu.Unlock()
			rep.Primed += len(primed)
		}
		rep.PrimeRuns += len(primed)
		if err != nil {
			return err
		}
		ws = primed
	}
	// The pool's first worker, the one a sequential or cooperative run
	// takes, runs it once more through a run's own path (the page's
	// share of it included), right before the timed runs: priming alone
	// left multiply's first timed run 25-46 % slower than its later ones,
	// this run brought it within 0-20 %.
	if left := time.Until(end); len(ws) > 0 && left >= minPrime {
		seq.TimeoutMS = min(req.TimeoutMS, left.Milliseconds())
		if job, err := Prepare(seq); err == nil {
			p.runInTurn(ctx, job, Sequential, func(Progress) {})
			rep.PrimeRuns++
		}
	}
	return nil
}

// primeBatch has the workers ws run req at the same time, untimed, once
// no worker is collecting (awaitCollected), and returns those whose run
// ended (its outcome is not looked at). It waits at most limit and a
// grace; a worker silent past that is retired.
func (p *Pool) primeBatch(ctx context.Context, ws []*worker, req workloads.Request, limit time.Duration) ([]*worker, error) {
	if err := p.awaitCollected(ctx); err != nil {
		return nil, err
	}
	box, unlisten := listen(ws)
	defer unlisten()
	id := p.newID()
	pending := map[*worker]bool{}
	for _, w := range ws {
		msg := &proto.Run{ID: id, Request: req, OriginUS: p.clock.Now(), WatchdogMS: max(p.watchdog.Milliseconds(), 1)}
		if err := w.js.Post(msg, nil, nil); err != nil {
			p.retire(w)
			return nil, fmt.Errorf("wasm: asking worker %d to prime: %w", w.id, err)
		}
		pending[w] = true
	}
	var done []*worker
	deadline := time.Now().Add(limit + deadlineGrace + p.cfg.StartTimeout)
	for len(pending) > 0 {
		e, err := box.next(ctx, time.Until(deadline))
		if err != nil {
			// Cancelled, or silent past its deadline: a busy worker
			// cannot even read a cancel message, so it goes.
			var bad []*worker
			for w := range pending {
				bad = append(bad, w)
			}
			p.retire(bad...)
			if errors.Is(err, errSilent) {
				return done, fmt.Errorf("wasm: %d worker(s) did not finish priming within %v", len(bad), limit+deadlineGrace+p.cfg.StartTimeout)
			}
			return done, err
		}
		if !pending[e.w] {
			continue
		}
		if ferr := e.w.failure(e); ferr != nil {
			p.retire(e.w)
			return done, fmt.Errorf("wasm: priming: %w", ferr)
		}
		switch b := e.msg.Body.(type) {
		case *proto.Error:
			if b.ID == id || b.ID == 0 {
				delete(pending, e.w)
			}
		case *proto.Result:
			if b.ID == id {
				delete(pending, e.w)
				done = append(done, e.w)
			}
		}
	}
	return done, nil
}

// SettlePageRun settles the page for a timed run of req as SettlePage
// does with req's kernel, then makes sure the page's Go heap has once
// held the memory req's workload declares (Workload.Cost): it allocates
// that much, touches every page of it and lets it go, so that the run's
// first allocations find memory the browser has already given, as later
// runs do. Growing it takes milliseconds, not a run: a main-thread run is
// not repeated untimed, since it would freeze the page as long again.
func (p *Pool) SettlePageRun(ctx context.Context, req workloads.Request) (took time.Duration, agreed bool, err error) {
	job, err := Prepare(req)
	if err != nil {
		return 0, false, err
	}
	t0 := time.Now()
	_, agreed, err = p.SettlePage(ctx, req.Workload)
	if err != nil {
		return time.Since(t0), agreed, err
	}
	bytes := job.Cost(1).Bytes
	p.mu.Lock()
	grow := bytes > p.pageHeap
	if grow {
		p.pageHeap = bytes
	}
	p.mu.Unlock()
	if grow {
		touch(bytes)
	}
	return time.Since(t0), agreed, nil
}

// touch allocates n bytes, writes to every 4 KiB page of them and drops
// them: the Go heap grows to hold them and keeps the memory for later
// allocations (a wasm memory never shrinks).
func touch(n int64) {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	touched = b[len(b)-1]
}

// touched keeps touch's writes from being optimised away.
var touched byte
