package workloads

import (
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

func init() {
	Register(&Workload{
		ID:    "semaphore",
		Title: "Semaphore: at most K tasks at a time",
		Kind:  Sync,
		Summary: "A semaphore hands out K permits. A task takes one before its work and gives it back after; when " +
			"all K are taken, the next task waits (blocked) until one is returned. So however many tasks there are, " +
			"and however many goroutines run them, never more than K do their work at the same time: the classic " +
			"lesson's semaphore of 4 lets the fifth acquire wait. It is how a program limits its use of something " +
			"scarce: connections to a server, open files, memory. On the timeline, at most K bars are working at " +
			"any moment and the others are blocked, waiting for a permit. Each task reports how many tasks held a " +
			"permit when it got its own; the check is that this never exceeded K and every task ran.",
		Mapping: "The Python program's threading.Semaphore(K) is the semaphore.Weighted of golang.org/x/sync; " +
			"`with sem:` is Acquire before the work and Release after it (the Go version's Acquire also gives up " +
			"when the run is cancelled); each thread is a task, and time.sleep(HOLD) is the work done while holding " +
			"a permit.",
		Params: []Param{
			IntParam("tasks", "Tasks", "tasks", 10, 1, 1000, "How many tasks want a permit."),
			IntParam("limit", "Permits (K)", "permits", 3, 1, 64, "How many tasks may hold a permit at the same time."),
			IntParam("hold", "Hold", "ms", 200, 0, 10_000, "How long each task works while it holds its permit."),
			BoolParam("cpu", "CPU work", false,
				"Work on the CPU while holding the permit instead of sleeping. In the cooperative mode one thread runs "+
					"everything and a task working on the CPU never lets another run, so only one task works at a time: "+
					"the thread, not the semaphore, is the limit."),
		},
		Python: semaphorePython,
		Source: semaphoreSource,
		Needs: Needs{
			OneMemory: "a semaphore lives in one memory: each worker would have its own, and nothing would limit how " +
				"many workers work at once; with workers the limit is the size of the pool itself (see the pool lesson)",
		},
		Quick: map[string]any{"tasks": 6, "limit": 2, "hold": 1},
		Plan:  planSemaphore,
		Cost:  cpuOption("limit"),
	})
}

func planSemaphore(a Args, n int) (*Plan, error) {
	tasks, limit := int(a.Int("tasks")), a.Int("limit")
	hold := time.Duration(a.Int("hold")) * time.Millisecond
	cpu := a.Bool("cpu")
	labels := make([]string, tasks)
	for i := range labels {
		labels[i] = fmt.Sprintf("task %d", i)
	}
	return &Plan{
		Tasks: labels,
		New: func() Instance {
			return &semInstance{sem: semaphore.NewWeighted(limit), limit: limit, hold: hold, cpu: cpu}
		},
		Combine: func(o Outputs) Check { return semCheck(o, tasks, limit, min(n, tasks), cpu) },
	}, nil
}

type semInstance struct {
	sem     *semaphore.Weighted
	limit   int64
	hold    time.Duration
	cpu     bool
	holding atomic.Int64 // tasks holding a permit now
	most    atomic.Int64 // the most that ever held one at once
}

// Run takes a permit, works while holding it, and gives it back. It
// returns how many tasks held a permit when it got its own (itself
// included).
func (s *semInstance) Run(t *T, i int) (uint64, error) {
	err := t.StepWhen(s.permitStep, s.permitFree)
	if err != nil {
		return 0, err
	}
	err = t.Block("wait for a permit", func() error { return s.sem.Acquire(t.Context(), 1) })
	if err != nil {
		return 0, err
	}
	now := s.holding.Add(1)
	for m := s.most.Load(); now > m && !s.most.CompareAndSwap(m, now); m = s.most.Load() {
	}
	label := fmt.Sprintf("hold a permit (%d held)", now)
	if s.cpu {
		t.Phase(label, Running)
		t.Busy(s.hold)
		err = t.Err()
	} else {
		err = waitSpan(t, label, s.hold)
	}
	// The work ends before the permit goes back: the timeline's working
	// bars then never overlap more than the semaphore allows.
	t.Phase("release", Running)
	s.holding.Add(-1)
	s.sem.Release(1)
	return uint64(now), err
}

// Final reports the most tasks that held a permit at once.
func (s *semInstance) Final() uint64 { return uint64(s.most.Load()) }

// semCheck passes when every task ran and no more than limit held a permit
// at once. lanes is how many lanes ran the tasks (1 in the sequential
// mode, whose request asks for one worker); cpu is the CPU-work option.
// Both only explain a run in which the semaphore did not bind.
func semCheck(o Outputs, tasks int, limit int64, lanes int, cpu bool) Check {
	ran, most := 0, uint64(0)
	for _, v := range o.Values {
		if v > 0 {
			ran++
		}
		most = max(most, v)
	}
	for _, f := range o.Finals {
		most = max(most, f)
	}
	c := Check{
		Value:    fmt.Sprintf("%d tasks ran, at most %d at once", ran, most),
		Expected: fmt.Sprintf("%d tasks ran, at most %d at once", tasks, limit),
		OK:       ran == tasks && most <= uint64(limit),
	}
	switch {
	case ran != tasks:
		c.Note = fmt.Sprintf("%d of %d tasks did not run", tasks-ran, tasks)
	case most > uint64(limit):
		c.Note = fmt.Sprintf("%d tasks held a permit at once, more than the %d permits", most, limit)
	case most < uint64(limit) && most >= uint64(lanes):
		c.Note = fmt.Sprintf("never more than %d at once: with %s there were never more tasks than permits, so "+
			"nobody waited; choose more workers than the %d permits to see the semaphore make tasks wait",
			most, plural(lanes, "lane"), limit)
	case most < uint64(limit) && cpu:
		c.Note = fmt.Sprintf("never more than %d at once, though %d lanes ran: a task working on the CPU does not let "+
			"the others run on one thread (the cooperative mode), so the thread, not the semaphore, was the limit", most, lanes)
	case most < uint64(limit):
		c.Note = fmt.Sprintf("never more than %d at once, though %d lanes ran: each task ended before the others "+
			"asked for a permit", most, lanes)
	default:
		c.Note = fmt.Sprintf("the semaphore let %d tasks work at a time; the others waited for a permit", limit)
	}
	return c
}
