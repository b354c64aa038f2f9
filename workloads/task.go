package workloads

import (
	"context"
	"runtime"
	"time"
)

// T is a running task's handle on the engine: its context, its lane, its
// environment, and the spans it records. A T is used only by the goroutine
// running its task.
//
// A task's timeline is a sequence of phases: it starts Running under its
// label; Sleep, Fetch and Block switch to Waiting or Blocked for their
// duration and back; Phase switches explicitly.
type T struct {
	ctx   context.Context
	r     *Runner
	lane  int
	task  int
	input []byte
	out   []byte
	ctl   *controller // the controlled scheduler, or nil

	label string
	state State
	start int64
	spans []Span
}

// Context is done when the run is cancelled or times out.
func (t *T) Context() context.Context { return t.ctx }

// Err returns the context's error: long loops check it now and then. It
// also reads the clock against the deadline, because in wasm a busy
// goroutine is never interrupted, so the context's timer cannot fire
// until the task itself notices.
func (t *T) Err() error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if d, ok := t.ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// Lane returns the lane (goroutine or worker) running the task.
func (t *T) Lane() int { return t.lane }

// Lanes returns how many lanes run tasks in this memory at once: the
// run's goroutines natively and cooperatively, 1 in the sequential mode
// and inside a worker of the workers mode (a worker runs its tasks one
// after another).
func (t *T) Lanes() int { return t.r.lanes }

// Task returns the task's index in the plan.
func (t *T) Task() int { return t.task }

// Env returns the environment of the run.
func (t *T) Env() Env { return t.r.env }

// Input returns the payload the plan made for this task (nil if none).
func (t *T) Input() []byte { return t.input }

// SetOutput sets a payload the task hands back with its value.
func (t *T) SetOutput(b []byte) { t.out = b }

// Shared returns the run's shared memory, or nil when the environment has
// none. Its size is the plan's Shared.
func (t *T) Shared() Shared { return t.r.shared }

// Now returns the time since the run's start.
func (t *T) Now() time.Duration { return time.Duration(t.now()) * time.Microsecond }

func (t *T) now() int64 { return t.r.env.Now() - t.r.origin }

// Phase ends the current span and begins one with the given label and
// state. Consecutive calls with the same label and state change nothing.
func (t *T) Phase(label string, s State) {
	if label == t.label && s == t.state {
		return
	}
	now := t.now()
	t.close(now)
	t.label, t.state, t.start = label, s, now
	t.r.setState(t.task, s, label)
}

func (t *T) close(now int64) {
	if t.label == "" {
		return
	}
	sp := Span{Lane: t.lane, Task: t.task, Label: t.label, State: t.state, Start: t.start, End: now}
	t.spans = append(t.spans, sp)
	if f := t.r.OnSpan; f != nil {
		f(sp)
	}
}

// during runs wait in a phase of the given label and state, then returns to
// the phase it left.
func (t *T) during(label string, s State, wait func() error) error {
	l, st := t.label, t.state
	t.Phase(label, s)
	err := wait()
	t.Phase(l, st)
	return err
}

// Sleep pauses the task for d, recorded as Waiting. It returns early with
// the context's error when the run is cancelled.
func (t *T) Sleep(d time.Duration) error {
	label := "sleep " + formatDuration(d)
	return t.during(label, Waiting, func() error { return t.pause(label, d) })
}

func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fetch gets url through the environment, recorded as Waiting.
func (t *T) Fetch(url string) (body []byte, err error) {
	err = t.during("fetch "+url, Waiting, func() error {
		body, err = t.r.env.Fetch(t.ctx, url)
		return err
	})
	return body, err
}

// Block runs wait, which waits for another task (a lock, a channel, a
// semaphore), recorded as Blocked under label. While every unfinished task
// of a run is inside Block and none makes progress, the watchdog declares
// a deadlock: wait must therefore also return when t.Context() is done.
func (t *T) Block(label string, wait func() error) error {
	return t.during(label, Blocked, wait)
}

// Yield lets other goroutines run: the only point where a cooperative
// (wasm) run switches tasks without blocking, like await in asyncio. In a
// controlled run it is a step.
func (t *T) Yield() {
	if t.ctl != nil {
		t.ctl.park(t, func() string { return "yield" }, nil)
		return
	}
	runtime.Gosched()
}

// Busy spins on the CPU for d without yielding: a blocking call. In a
// cooperative run it stalls every other goroutine for its duration.
// In a controlled run it is one step, and takes no time.
func (t *T) Busy(d time.Duration) {
	if t.ctl != nil {
		t.ctl.park(t, func() string { return "work " + formatDuration(d) + " on the CPU" }, nil)
		return
	}
	end := t.now() + int64(d/time.Microsecond)
	for t.now() < end && t.ctx.Err() == nil {
	}
}
