//go:build !wasm

package server

import (
	"context"
	"errors"
	"sync"
	"time"
)

// admission decides when a native run may start. It holds two budgets:
// cores (a CPU-bound run takes as many as it can keep busy, so at most
// one CPU-bound lane runs per core) and child processes (every run takes
// one, so I/O-bound runs are bounded too). Runs that do not fit wait in a
// FIFO queue of bounded length; beyond it acquire fails at once with
// errBusy, which the API answers with 429.
//
// FIFO without barging: a small run never overtakes a big one waiting at
// the head of the queue, so a run needing every core cannot starve.
type admission struct {
	mu           sync.Mutex
	cores, freeC int
	procs, freeP int
	maxQueue     int
	queue        []*waiter
	// avg is a moving average of run durations, for Retry-After.
	avg time.Duration
}

// errBusy is returned when the run queue is full.
var errBusy = errors.New("the server is busy with other native runs")

type waiter struct {
	cores int
	ready chan struct{} // closed when granted
}

func newAdmission(cores, procs, maxQueue int) *admission {
	cores, procs = max(cores, 1), max(procs, 1)
	return &admission{cores: cores, freeC: cores, procs: procs, freeP: procs, maxQueue: max(maxQueue, 0), avg: time.Second}
}

// acquire blocks until a run needing cores cores (clamped to the budget)
// and one child process may start, or ctx is done. It returns errBusy at
// once when the queue is full. On success the caller must call release
// with the same cores.
func (a *admission) acquire(ctx context.Context, cores int) (int, error) {
	cores = min(max(cores, 0), a.cores)
	a.mu.Lock()
	if len(a.queue) == 0 && a.fits(cores) {
		a.take(cores)
		a.mu.Unlock()
		return cores, nil
	}
	if len(a.queue) >= a.maxQueue {
		a.mu.Unlock()
		return 0, errBusy
	}
	w := &waiter{cores: cores, ready: make(chan struct{})}
	a.queue = append(a.queue, w)
	a.mu.Unlock()

	select {
	case <-w.ready:
		return cores, nil
	case <-ctx.Done():
		a.mu.Lock()
		defer a.mu.Unlock()
		select {
		case <-w.ready:
			// Granted while we gave up: hand the budget back.
			a.put(cores)
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
		return 0, ctx.Err()
	}
}

// release returns a run's budget and records how long it took.
func (a *admission) release(cores int, took time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.avg = (a.avg*7 + took) / 8
	a.put(cores)
}

func (a *admission) fits(cores int) bool { return a.freeC >= cores && a.freeP >= 1 }

func (a *admission) take(cores int) { a.freeC -= cores; a.freeP-- }

func (a *admission) put(cores int) {
	a.freeC += cores
	a.freeP++
	a.grant()
}

// grant starts queued runs, in order, while the head fits.
func (a *admission) grant() {
	for len(a.queue) > 0 && a.fits(a.queue[0].cores) {
		w := a.queue[0]
		a.queue = a.queue[1:]
		a.take(w.cores)
		close(w.ready)
	}
}

// state reports runs in progress and queued.
func (a *admission) state() (running, queued int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.procs - a.freeP, len(a.queue)
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
