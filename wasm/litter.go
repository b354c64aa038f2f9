//go:build js && wasm

package wasm

import (
	"context"
	"sync"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
)

// litter is the page's account of a worker's garbage: the runs the
// worker has answered (a Result, or a TaskDone of a workers-mode run)
// and has not yet collected after (proto.Collected). A worker collects
// as soon as a run it answered has ended there, so while it owes a
// collection after an ended run its thread is busy: a message sent to it
// waits, and its collection takes a core from whatever else runs. Its
// methods are safe for concurrent use, and note never blocks (it runs in
// the worker's message callback).
type litter struct {
	mu    sync.Mutex
	owed  map[int64]bool
	clean chan struct{} // closed while nothing is owed
	last  proto.Collected
}

// note takes a message of the worker into the account, and says
// whether it was a Collected, which concerns the account alone.
func (l *litter) note(m *jsenv.Message) bool {
	if m == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	switch b := m.Body.(type) {
	case *proto.Result:
		l.owe(b.ID)
	case *proto.TaskDone:
		l.owe(b.ID)
	case *proto.Collected:
		delete(l.owed, b.ID)
		l.last = *b
		if len(l.owed) == 0 {
			l.close()
		}
		return true
	}
	return false
}

// close closes l.clean if it is open. l.mu is held.
func (l *litter) close() {
	select {
	case <-l.clean:
	default:
		close(l.clean)
	}
}

// init makes the zero account clean. l.mu is held.
func (l *litter) init() {
	if l.clean == nil {
		l.owed = map[int64]bool{}
		l.clean = make(chan struct{})
		close(l.clean)
	}
}

// owe records that the worker is to collect after run id. l.mu is held.
func (l *litter) owe(id int64) {
	if len(l.owed) == 0 {
		l.clean = make(chan struct{})
	}
	l.owed[id] = true
}

// drop forgets what a worker that stopped owed: it will not collect.
func (l *litter) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	clear(l.owed)
	l.close()
}

// tidy returns a channel closed once the worker owes no collection.
func (l *litter) tidy() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	return l.clean
}

// lastCollected is the worker's last collection (zero before any).
func (l *litter) lastCollected() proto.Collected {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// awaitCollected waits until no live worker of the pool owes a
// collection: a run, a priming or a calibration starts only then, with
// every core free and its workers reading their messages at once, so
// that no collection lands on its clock. A worker still collecting after
// the pool's StartTimeout (collectWait) is stuck, and retired (the pool
// replaces it). It returns ctx's error if ctx ends first.
func (p *Pool) awaitCollected(ctx context.Context) error {
	p.mu.Lock()
	p.prune()
	ws := append([]*worker(nil), p.workers...)
	patience := p.collectWait
	p.mu.Unlock()
	deadline := time.Now().Add(patience)
	for _, w := range ws {
		select {
		case <-w.litter.tidy():
			continue
		default:
		}
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-w.litter.tidy():
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
			p.retire(w)
		}
		t.Stop()
	}
	return nil
}
