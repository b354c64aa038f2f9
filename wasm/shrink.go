//go:build js && wasm

package wasm

import "time"

// shrinkIdle ends the workers beyond the pool's base size once no run has
// used them for IdleShrink. It runs on a timer, and only in the pool's
// turn (never beside a run that is taking its workers): when the turn is
// busy it tries again later.
func (p *Pool) shrinkIdle() {
	p.mu.Lock()
	p.shrinking = nil
	if p.closed || p.size <= p.baseSize {
		p.mu.Unlock()
		return
	}
	if wait := p.cfg.IdleShrink - time.Since(p.lastUse); wait > 0 {
		p.shrinking = time.AfterFunc(wait, p.shrinkIdle)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	if !p.tryTurn() {
		// A run or a start goes on: its release schedules the next try.
		p.mu.Lock()
		if p.shrinking == nil && !p.closed {
			p.shrinking = time.AfterFunc(p.cfg.IdleShrink, p.shrinkIdle)
		}
		p.mu.Unlock()
		return
	}
	defer p.endTurn()
	p.toBase()
}

// toBase sets the pool's size back to its base and ends the idle workers
// beyond it.
func (p *Pool) toBase() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.size = p.baseSize
	p.trim()
}
