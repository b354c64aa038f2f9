package workloads

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Step is one step of a controlled run: a goroutine went past one
// synchronisation point.
type Step struct {
	Lane int    `json:"lane"` // the goroutine: what a schedule names
	Task int    `json:"task"`
	What string `json:"what"` // for a student: "task 1: read x = 0"
	// Shared describes the shared values after the step ("x = 1"), for a
	// workload that can say (a Watcher).
	Shared string `json:"shared,omitempty"`
	// Wait, in a paused run's next steps, says the goroutine cannot go
	// now (the lock it wants is held, the queue is empty).
	Wait bool `json:"wait,omitempty"`
	// Could lists the goroutines that could have taken this step (in a
	// run's steps): the branches a search over schedules follows.
	Could []int `json:"could,omitempty"`
}

// Watcher is an Instance that describes its shared values for a student
// ("x = 1", "n = 3, lock held by task 0"). A controlled run shows it after
// every step.
type Watcher interface {
	Watch() string
}

// errStopped is what a synchronisation point returns to a task once the
// controlled scheduler has ended the run (a pause, a deadlock, a failure).
var errStopped = errors.New("the scheduler stopped the run here")

// Controlled reports whether the task runs under the controlled scheduler,
// which advances it one synchronisation point at a time.
func (t *T) Controlled() bool { return t.ctl != nil }

// Step marks a synchronisation point: a read or write of shared memory,
// say. In a controlled run the task stops here until the scheduler chooses
// it, and what describes the step for a student ("read x = 0"), evaluated
// when the step is shown or taken; elsewhere Step does nothing. It returns
// an error when the scheduler ended the run instead.
func (t *T) Step(what func() string) error {
	if t.ctl == nil {
		return nil
	}
	return t.ctl.park(t, what, nil)
}

// StepWhen is a Step that can be taken only when ready reports true: a
// lock that is free, a queue that has room. The scheduler evaluates ready
// while every other task is stopped, so the operation right after the
// step does not block. Elsewhere StepWhen does nothing.
func (t *T) StepWhen(what func() string, ready func() bool) error {
	if t.ctl == nil {
		return nil
	}
	return t.ctl.park(t, what, ready)
}

// Lock locks mu as a step named by name ("the counter's lock"): in a
// controlled run the task may take it only while no task holds it, and the
// step says who does. Elsewhere it is mu.Lock(). When it returns an error
// (the scheduler ended the run) mu is not locked.
func (t *T) Lock(mu *sync.Mutex, name string) error {
	if t.ctl == nil {
		mu.Lock()
		return nil
	}
	return t.lockStep(mu, name)
}

func (t *T) lockStep(mu *sync.Mutex, name string) error {
	c := t.ctl
	err := c.park(t, func() string {
		if h, held := c.holders[mu]; held {
			return fmt.Sprintf("wait for %s (held by task %d)", name, h)
		}
		return "take " + name
	}, func() bool { _, held := c.holders[mu]; return !held })
	if err != nil {
		return err
	}
	mu.Lock()
	c.holders[mu] = t.task
	return nil
}

// Unlock unlocks mu, taken with Lock, as a step of a controlled run.
func (t *T) Unlock(mu *sync.Mutex, name string) {
	if t.ctl == nil {
		mu.Unlock()
		return
	}
	t.unlockStep(mu, name)
}

func (t *T) unlockStep(mu *sync.Mutex, name string) {
	// The lock goes back even when the run is ending: the task is leaving.
	t.ctl.park(t, func() string { return "release " + name }, nil)
	delete(t.ctl.holders, mu)
	mu.Unlock()
}

// pause waits d as a step of a controlled run (the time is logical: the
// step ends the wait at once), and otherwise really sleeps, returning
// early with the context's error when the run is cancelled.
func (t *T) pause(what string, d time.Duration) error {
	if t.ctl != nil {
		return t.ctl.park(t, func() string { return what }, nil)
	}
	if d <= 0 {
		return t.Err()
	}
	return sleep(t.ctx, d)
}
