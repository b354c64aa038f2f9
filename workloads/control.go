package workloads

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Outcomes of a controlled run (Result.Outcome).
const (
	// OutcomeAllFinish: every task finished and the check passed.
	OutcomeAllFinish = "all-finish"
	// OutcomeLostUpdate: every task finished but the check failed; in the
	// race lessons (counter, dbupdate) that is an update lost.
	OutcomeLostUpdate = "lost-update"
	// OutcomeDeadlock: unfinished tasks remained and none could go on.
	OutcomeDeadlock = "deadlock"
	// OutcomePaused: the schedule's rule was stop.
	OutcomePaused = "paused"
	// OutcomeFailed: a task failed, the schedule named a goroutine that
	// could not go, or the run ran out of time or steps.
	OutcomeFailed = "failed"
)

// StepUS is the length of one step on a controlled run's timeline, in
// microseconds: its clock counts steps, since nothing waits for real.
const StepUS = 1000

// A controlled run gives the turn to one goroutine at a time. Each
// goroutine runs until its task reaches a synchronisation point (T.Step,
// T.Lock, a sleep, ...), reports that it parked there, and waits for the
// controller; the controller then asks the parked goroutines whether they
// can go (while they are all parked, so nothing runs in parallel), lets a
// chooser pick one, and hands it the turn. Every exchange is a channel
// operation, so the run is free of data races even on many cores, and the
// same choices give the same steps natively and in wasm.
type controller struct {
	lanes    []*ctlLane
	events   chan ctlEvent
	stopping atomic.Bool
	clock    atomic.Int64 // steps taken
	tick     *time.Ticker // the watchdog's, made by the first wait
	// holders maps each lock taken with T.Lock to the task holding it. Only
	// the goroutine with the turn touches it.
	holders map[any]int
}

type ctlLane struct {
	wake  chan ctlMsg
	reply chan ctlReply
	// Written by the lane while it has the turn, read by the controller
	// after the lane's event.
	task  int
	gated bool // its step has a ready condition
	// The controller's own view.
	parked, done bool
}

type ctlEvent struct {
	lane int
	done bool // the lane has no more tasks (else: it parked)
}

type ctlMsg uint8

const (
	msgPoll ctlMsg = iota // say what the next step is and whether it can go
	msgGo                 // take the step
	msgStop               // the run is over: return errStopped
)

type ctlReply struct {
	what  string
	ready bool
}

// park stops the task at a synchronisation point until the controller
// lets it go (nil) or ends the run (errStopped). It runs on the task's
// goroutine; what and ready are called only here, on that goroutine.
func (c *controller) park(t *T, what func() string, ready func() bool) error {
	if c.stopping.Load() {
		return errStopped
	}
	l := c.lanes[t.lane]
	l.task, l.gated = t.task, ready != nil
	c.events <- ctlEvent{lane: t.lane}
	for m := range l.wake {
		switch m {
		case msgPoll:
			l.reply <- ctlReply{what: what(), ready: ready == nil || ready()}
		case msgGo:
			return nil
		default:
			return errStopped
		}
	}
	return errStopped
}

// poll asks parked lane g for its next step.
func (c *controller) poll(g int) ctlReply {
	c.lanes[g].wake <- msgPoll
	return <-c.lanes[g].reply
}

// stepEnv is the environment of a controlled run: its clock counts steps.
type stepEnv struct {
	Env
	c *controller
}

func (e stepEnv) Now() int64 { return e.c.clock.Load() * StepUS }

// chooser picks the goroutine for step n among the runnable ones (sorted),
// given the one that took the last step (-1 at first); -1 pauses the run.
type chooser func(n int, runnable []int, last int) int

// chooser returns the schedule's chooser: its choices, then its rule.
func (s Schedule) chooser() chooser {
	rng := rand.New(rand.NewPCG(s.Seed, 0x636f6e6c6162))
	return func(n int, runnable []int, last int) int {
		if n < len(s.Choices) {
			return s.Choices[n]
		}
		switch s.Then {
		case RuleStop:
			return -1
		case RuleRR:
			for _, g := range runnable {
				if g > last {
					return g
				}
			}
			return runnable[0]
		case RuleRandom:
			return runnable[rng.IntN(len(runnable))]
		default:
			return runnable[0]
		}
	}
}

// runControlled runs the job step by step, choosing with choose. It
// returns the result and the error [Run] would.
func (job *Job) runControlled(ctx context.Context, opt Options, choose chooser) (*Result, error) {
	req := job.Request
	ctx, cancel := context.WithTimeout(ctx, time.Duration(req.TimeoutMS)*time.Millisecond)
	defer cancel()
	runCtx, stopTasks := context.WithCancel(ctx)
	defer stopTasks()

	base := opt.Env
	if base == nil {
		base = defaultEnv()
	}
	n := len(job.Plan.Tasks)
	lanes := 1
	if req.Mode == Goroutines {
		lanes = min(req.Workers, n)
	}
	c := &controller{events: make(chan ctlEvent, lanes), holders: map[any]int{}}
	defer func() {
		if c.tick != nil {
			c.tick.Stop()
		}
	}()
	r := NewRunner(job, stepEnv{Env: base, c: c}, 0)
	r.ctl = c
	r.lanes = lanes
	r.OnSpan = opt.OnSpan
	patience := opt.Watchdog
	if patience <= 0 {
		patience = DefaultWatchdog
	}

	// The lane with the turn claims tasks and records results; mu guards
	// them only against a lane abandoned after a stop (one that ignored
	// its context).
	var mu sync.Mutex
	results := make([]TaskResult, n)
	next, failed, abandoned := 0, "", false
	runLane := func(lane int) {
		for !c.stopping.Load() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			if i >= n {
				break
			}
			var in []byte
			if job.Plan.Input != nil {
				in = job.Plan.Input(i)
			}
			tr := r.RunTask(runCtx, lane, i, in)
			mu.Lock()
			if !abandoned {
				results[i] = tr
			}
			bad := tr.Err != "" && !c.stopping.Load()
			if bad && failed == "" {
				failed = tr.Err
			}
			mu.Unlock()
			if bad {
				break
			}
		}
		c.events <- ctlEvent{lane: lane, done: true}
	}
	mark := func(ev ctlEvent) {
		c.lanes[ev.lane].parked, c.lanes[ev.lane].done = !ev.done, ev.done
	}
	for range lanes {
		c.lanes = append(c.lanes, &ctlLane{wake: make(chan ctlMsg), reply: make(chan ctlReply)})
	}

	var (
		steps   []Step
		choices []int
		outcome string
		runErr  error
		running = -1 // the lane with the turn, if the controller lost it
	)
	// Tasks start one lane at a time, each up to its first step, in order.
	for lane := range lanes {
		go runLane(lane)
		ev, err := c.wait(runCtx, r, patience)
		if err != nil {
			running, runErr = lane, err
			break
		}
		mark(ev)
	}
	last := -1
	for runErr == nil {
		mu.Lock()
		f := failed
		mu.Unlock()
		if f != "" {
			runErr = errors.New(f)
			break
		}
		if err := runCtx.Err(); err != nil {
			runErr = c.timeout(ctx)
			break
		}
		var parked, runnable []int
		for g, l := range c.lanes {
			if !l.parked {
				continue
			}
			parked = append(parked, g)
			if !l.gated || c.poll(g).ready {
				runnable = append(runnable, g)
			}
		}
		if len(parked) == 0 {
			break
		}
		if len(runnable) == 0 {
			outcome = OutcomeDeadlock
			dl := &DeadlockError{Scheduled: true}
			for _, g := range parked {
				dl.Stuck = append(dl.Stuck, StuckTask{Task: c.lanes[g].task, Lane: g, Label: c.poll(g).what})
			}
			sort.Slice(dl.Stuck, func(i, j int) bool { return dl.Stuck[i].Task < dl.Stuck[j].Task })
			runErr = dl
			break
		}
		if len(steps) >= MaxSteps {
			runErr = &ParamError{Field: "schedule", Msg: fmt.Sprintf(
				"schedule: the run took more than %s steps; a step-by-step run is for a few tasks: make it smaller", GroupDigits(MaxSteps))}
			break
		}
		g := choose(len(steps), runnable, last)
		if g < 0 {
			outcome = OutcomePaused
			break
		}
		if !slices.Contains(runnable, g) {
			why := "it has finished"
			switch {
			case g >= lanes:
				why = fmt.Sprintf("the run has %d goroutines, 0 to %d", lanes, lanes-1)
			case c.lanes[g].parked:
				why = fmt.Sprintf("it must wait: task %d: %s", c.lanes[g].task, c.poll(g).what)
			}
			runErr = &ParamError{Field: "schedule", Msg: fmt.Sprintf(
				"schedule: step %d chooses goroutine %d, which cannot go then (%s)", len(steps)+1, g, why)}
			break
		}
		what := c.poll(g).what
		c.clock.Add(1)
		steps = append(steps, Step{Lane: g, Task: c.lanes[g].task, What: fmt.Sprintf("task %d: %s", c.lanes[g].task, what), Could: runnable})
		choices = append(choices, g)
		c.lanes[g].parked = false
		c.lanes[g].wake <- msgGo
		ev, err := c.wait(runCtx, r, patience)
		if err != nil {
			running, runErr = g, err
			break
		}
		mark(ev)
		if w, ok := r.inst.(Watcher); ok {
			steps[len(steps)-1].Shared = w.Watch()
		}
		last = g
	}

	var nextSteps []Step
	if outcome == OutcomePaused || outcome == OutcomeDeadlock {
		for g, l := range c.lanes {
			if l.parked {
				p := c.poll(g)
				nextSteps = append(nextSteps, Step{Lane: g, Task: l.task, What: fmt.Sprintf("task %d: %s", l.task, p.what), Wait: !p.ready})
			}
		}
	}
	c.stop(stopTasks, running)
	mu.Lock()
	abandoned = true
	mu.Unlock()

	res := &Result{
		Workload: job.Workload.ID,
		Mode:     req.Mode,
		Workers:  req.Workers,
		Params:   job.Args.Map(),
		WallUS:   c.clock.Load() * StepUS,
		Facts:    opt.facts(),
		Schedule: FormatChoices(choices),
		Steps:    steps,
		Next:     nextSteps,
	}
	out := gather(res, results)
	if outcome == OutcomePaused {
		res.Outcome = outcome
		res.Check = Check{Note: fmt.Sprintf("paused after %d steps", len(steps))}
		return res, nil
	}
	err := job.conclude(res, out, r, runErr, base.Now)
	switch {
	case err != nil && outcome == OutcomeDeadlock:
		res.Outcome = outcome
	case err != nil:
		res.Outcome = OutcomeFailed
	case res.Check.OK:
		res.Outcome = OutcomeAllFinish
	default:
		res.Outcome = OutcomeLostUpdate
	}
	return res, err
}

// wait returns the next lane event. It gives up when ctx is done, or when
// the goroutine with the turn has been blocked outside the scheduler's
// control (a wait with no step before it) for longer than patience.
func (c *controller) wait(ctx context.Context, r *Runner, patience time.Duration) (ctlEvent, error) {
	if c.tick == nil {
		c.tick = time.NewTicker(max(patience/4, time.Millisecond))
	}
	last, since := r.progress.Load(), time.Now()
	for {
		select {
		case ev := <-c.events:
			return ev, nil
		case <-ctx.Done():
			return ctlEvent{}, c.timeout(ctx)
		case <-c.tick.C:
			if p := r.progress.Load(); p != last {
				last, since = p, time.Now()
				continue
			}
			if time.Since(since) < patience {
				continue
			}
			if st, ok := r.blocked(); ok {
				return ctlEvent{}, fmt.Errorf("task %d waits (%s) for something the step-by-step scheduler does not control: %s cannot run step by step",
					st.Task, st.Label, r.job.Workload.ID)
			}
		}
	}
}

func (c *controller) timeout(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ErrTimeout
	}
	return ctx.Err()
}

// stop ends the run: every parked goroutine returns from its step with
// errStopped, one at a time (a task leaving may still touch shared
// memory), after the goroutine that had the turn, if any, gave it back. A
// goroutine that does not come back within a second is abandoned.
func (c *controller) stop(cancel context.CancelFunc, running int) {
	c.stopping.Store(true)
	cancel()
	await := func() bool {
		select {
		case ev := <-c.events:
			c.lanes[ev.lane].parked, c.lanes[ev.lane].done = !ev.done, ev.done
			return true
		case <-time.After(time.Second):
			return false
		}
	}
	if running >= 0 && !await() {
		return
	}
	for _, l := range c.lanes {
		for l.parked {
			l.parked = false
			l.wake <- msgStop
			if !await() {
				return
			}
		}
	}
}

// blocked returns a task that is Blocked. In a controlled run the parked
// tasks never are, so it is the one with the turn.
func (r *Runner) blocked() (StuckTask, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, ts := range r.active {
		if ts.state == Blocked {
			return StuckTask{Task: id, Lane: ts.lane, Label: ts.label}, true
		}
	}
	return StuckTask{}, false
}
