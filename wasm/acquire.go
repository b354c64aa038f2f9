//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conlab/workloads"
)

// acquire takes n warm workers for a run, starting those the pool lacks
// (the run pays for them). It is called in the pool's turn.
func (p *Pool) acquire(ctx context.Context, n int, origin int64, progress func(Progress)) ([]*worker, []workloads.Span, int64, error) {
	var startup []workloads.Span
	var startupUS int64
	m0 := p.clock.Now()
	if took := p.measureCores(ctx, false); took > 0 {
		startupUS = p.clock.Now() - origin
		startup = append(startup, workloads.Span{Task: -1, Label: fmt.Sprintf("measure how many threads the browser runs at once (it reports %d cores)", HardwareConcurrency()), State: workloads.Startup, Start: m0 - origin, End: p.clock.Now() - origin})
	}
	p.mu.Lock()
	p.prune()
	have := min(len(p.workers), n)
	p.mu.Unlock()
	if need := n - have; need > 0 {
		batch, err := p.start(ctx, need, origin, progress)
		if err != nil {
			return nil, nil, 0, err
		}
		lanes := make([]int, need)
		for i := range lanes {
			lanes[i] = have + i
		}
		startup = append(startup, batch.spans(lanes)...)
		startupUS = batch.endedAbs - origin
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prune()
	if len(p.workers) < n {
		return nil, nil, 0, errors.New("wasm: workers stopped while the run was starting")
	}
	// The pool keeps what a run needed: it grows on demand.
	p.size = max(p.size, n)
	ws := append([]*worker(nil), p.workers[:n]...)
	for _, w := range ws {
		w.busy = true
	}
	return ws, startup, startupUS, nil
}

// release hands a run's workers back to the pool. Workers beyond the
// pool's base size wait IdleShrink for the next run before they end.
func (p *Pool) release(ws []*worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range ws {
		w.busy = false
		w.box.Store(nil)
	}
	p.trim()
	p.lastUse = time.Now()
	if p.size > p.baseSize && p.shrinking == nil && !p.closed {
		p.shrinking = time.AfterFunc(p.cfg.IdleShrink, p.shrinkIdle)
	}
}
