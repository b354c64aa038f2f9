//go:build js && wasm

package wasm

import "context"

// The pool's turn: runs, warm-ups, settling, the start of replacement
// workers and the idle shrink take turns, so that no run's timings are
// disturbed by another's and no run loses a worker it is taking. The turn
// is p.turn, a weighted semaphore of weight 1.

// beginTurn waits for the pool's turn, or for ctx to end. A closed pool
// gives no turn: ErrClosed.
func (p *Pool) beginTurn(ctx context.Context) error {
	if err := p.turn.Acquire(ctx, 1); err != nil {
		return err
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		p.turn.Release(1)
		return ErrClosed
	}
	return nil
}

// tryTurn takes the pool's turn if no one has it, and says whether it did.
func (p *Pool) tryTurn() bool { return p.turn.TryAcquire(1) }

// endTurn ends the turn beginTurn or tryTurn took.
func (p *Pool) endTurn() { p.turn.Release(1) }
