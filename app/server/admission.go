//go:build !wasm

package server

import (
	"context"
	"errors"
	"sync"
	"time"
)

// need is what a run takes from the budgets while it runs: cores it
// keeps busy, bytes of memory at its peak, and always one child process.
type need struct {
	Cores int
	Bytes int64
}

// admission decides when a native run may start. It holds three budgets:
// cores (a run takes as many as it keeps busy, by its workload's own
// declaration, so CPU work never runs more lanes than there are cores),
// memory (a run takes its estimated peak), and child processes (every run
// takes one, so runs that only wait are bounded too). Runs that do not fit
// wait in a FIFO queue of bounded length; beyond it acquire fails at once
// with errBusy, which the API answers with 429.
//
// FIFO without barging: a small run never overtakes a big one waiting at
// the head of the queue, so a run needing every core cannot starve.
type admission struct {
	mu           sync.Mutex
	cores, freeC int
	procs, freeP int
	bytes, freeB int64 // bytes 0: no memory budget
	maxQueue     int
	queue        []*waiter
	// avg is a moving average of run durations, for Retry-After.
	avg time.Duration
}

// errBusy is returned when the run queue is full.
var errBusy = errors.New("the server is busy with other native runs")

type waiter struct {
	n     need
	ready chan struct{} // closed when granted
}

func newAdmission(cores, procs int, bytes int64, maxQueue int) *admission {
	cores, procs = max(cores, 1), max(procs, 1)
	return &admission{cores: cores, freeC: cores, procs: procs, freeP: procs, bytes: max(bytes, 0), freeB: max(bytes, 0),
		maxQueue: max(maxQueue, 0), avg: time.Second}
}

// clamp fits n into the budgets: a run needing more cores than there are
// runs alone on all of them. Memory is not clamped: the caller refuses a
// run over the whole memory budget before it asks (see fitsAlone).
func (a *admission) clamp(n need) need {
	n.Cores = min(max(n.Cores, 0), a.cores)
	n.Bytes = max(n.Bytes, 0)
	if a.bytes == 0 {
		n.Bytes = 0
	} else {
		n.Bytes = min(n.Bytes, a.bytes)
	}
	return n
}

// fitsAlone reports whether a run needing bytes fits the memory budget at
// all, with nothing else running.
func (a *admission) fitsAlone(bytes int64) bool { return a.bytes == 0 || bytes <= a.bytes }

// acquire blocks until a run needing n (clamped to the budgets) may
// start, or ctx is done. It returns errBusy at once when the queue is
// full. On success the caller must call release with the need returned.
func (a *admission) acquire(ctx context.Context, n need) (need, error) {
	n = a.clamp(n)
	a.mu.Lock()
	if len(a.queue) == 0 && a.fits(n) {
		a.take(n)
		a.mu.Unlock()
		return n, nil
	}
	if len(a.queue) >= a.maxQueue {
		a.mu.Unlock()
		return need{}, errBusy
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	a.queue = append(a.queue, w)
	a.mu.Unlock()

	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
		a.mu.Lock()
		defer a.mu.Unlock()
		select {
		case <-w.ready:
			// Granted while we gave up: hand the budget back.
			a.put(n)
		default:
			for i, q := range a.queue {
				if q == w {
					a.queue = append(a.queue[:i], a.queue[i+1:]...)
					break
				}
			}
			// The head may fit now that w no longer blocks it.
			a.grant()
		}
		return need{}, ctx.Err()
	}
}

// release returns a run's budget and records how long it took.
func (a *admission) release(n need, took time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.avg = (a.avg*7 + took) / 8
	a.put(n)
}

func (a *admission) fits(n need) bool {
	return a.freeC >= n.Cores && a.freeP >= 1 && a.freeB >= n.Bytes
}

func (a *admission) take(n need) { a.freeC -= n.Cores; a.freeP--; a.freeB -= n.Bytes }

func (a *admission) put(n need) {
	a.freeC += n.Cores
	a.freeP++
	a.freeB += n.Bytes
	a.grant()
}

// grant starts queued runs, in order, while the head fits.
func (a *admission) grant() {
	for len(a.queue) > 0 && a.fits(a.queue[0].n) {
		w := a.queue[0]
		a.queue = a.queue[1:]
		a.take(w.n)
		close(w.ready)
	}
}

// state reports runs in progress and queued.
func (a *admission) state() (running, queued int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.procs - a.freeP, len(a.queue)
}

// usage reports the cores and bytes the runs in progress hold.
func (a *admission) usage() (cores int, bytes int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cores - a.freeC, a.bytes - a.freeB
}

// retryAfter estimates, in whole seconds, when a refused client may find
// room: the time for the runs queued now to drain.
func (a *admission) retryAfter() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	waves := (len(a.queue) + a.procs) / a.procs
	s := int((a.avg*time.Duration(waves) + time.Second - 1) / time.Second)
	return min(max(s, 1), 60)
}
