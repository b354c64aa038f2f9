//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conlab/wasm/internal/proto"
	"conlab/workloads"
)

// minPrime is the least time a priming run gets: with less, it would end
// at its deadline having primed little.
const minPrime = 100 * time.Millisecond

// primeTwice is the memory beyond a process's own (workloads.ProcessBytes)
// from which a run declares enough garbage to grow the Go heap on its
// second run too: the collector starts at twice the live heap, so the
// first run's arrays still stand, uncollected, while the second run
// makes its own, and the heap takes more fresh memory from the browser.
// Measured with multiply's loop at 4 million elements (96 MB declared)
// in V8 under Node: the heap held 93 MB after the first run, 124 MB
// during the second, and no more after it.
const primeTwice = 8 << 20

// primeRuns is how many untimed runs bring a worker's Go heap to the size
// runs declaring bytes keep it at: one, or two from primeTwice beyond a
// process's own memory.
func primeRuns(bytes int64) int {
	if bytes-workloads.ProcessBytes >= primeTwice {
		return 2
	}
	return 1
}

// SettleRun makes sure the first n workers of the pool (n = 0: the pool's
// size) are ready for a timed run of req: it settles them on req's kernel
// (Settle), then has each of them that has not yet run req's kernel at
// least as big (by the memory the workload declares, Workload.Cost) run
// req once in the sequential mode, untimed, or twice when req declares
// primeTwice (8 MB) or more beyond a process's own memory (primeRuns).
// Calibration passes are small; a run of the lesson's real size is the
// first to grow the worker's memory to its size (the Go heap taking fresh
// memory from the browser), and without this untimed run the first timed
// round would pay for it (multiply's loop at 4 million elements: 72 %
// slower than its later rounds). A run that leaves much garbage grows the
// heap on its second run too, while the first one's garbage still stands
// uncollected: the second untimed run pays for that. The priming runs share what is left of DefaultSettleCap (or of
// ctx's deadline) with the settling, and end at it; a priming run that
// fails or ends at its deadline is not an error: the timed run reports
// its own errors. Workers prime as many at once as the pool measured
// cores.
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
	per := p.atOnce()
	end := p.settleEnd(ctx, t0)
	seq := job.Request
	seq.Mode, seq.Workers = workloads.Sequential, 1
	runs := primeRuns(bytes)
	p0 := time.Now()
	for i := 0; i < len(ws); i += per {
		batch := ws[i:min(i+per, len(ws))]
		for r := range runs {
			left := time.Until(end)
			if left < minPrime || len(batch) == 0 {
				break
			}
			seq.TimeoutMS = min(job.Request.TimeoutMS, left.Milliseconds())
			primed, err := p.primeBatch(ctx, batch, seq, left)
			rep.PrimeRuns += len(primed)
			if r == 0 {
				for _, w := range primed {
					p.mu.Lock()
					if w.primed == nil {
						w.primed = map[string]int64{}
					}
					w.primed[req.Workload] = bytes
					p.mu.Unlock()
				}
				rep.Primed += len(primed)
			}
			if err != nil {
				return rep, err
			}
			batch = primed
		}
	}
	rep.PrimeMS = float64(time.Since(p0)) / float64(time.Millisecond)
	if rep.Workers > 0 || rep.Primed > 0 {
		err = p.settleTogether(ctx, n, []string{req.Workload}, end, &rep)
	}
	rep.MS = float64(time.Since(t0)) / float64(time.Millisecond)
	return rep, err
}

// primeBatch has the workers ws run req at the same time, untimed, and
// returns those whose run ended (its outcome is not looked at). It waits
// at most limit and a grace; a worker silent past that is retired.
func (p *Pool) primeBatch(ctx context.Context, ws []*worker, req workloads.Request, limit time.Duration) ([]*worker, error) {
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
