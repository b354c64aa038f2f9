//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// wrun is a run this worker takes part in.
type wrun struct {
	ctx    context.Context
	cancel context.CancelFunc
	// Workers mode: the run's tasks, queued in the order they came, and
	// the instance of this worker for the run.
	tasks  chan queued
	key    string // the request the runner was made for
	runner *workloads.Runner
	sink   *sink
}

// register returns the run id, making it if it is new; deadline, if not
// zero, is when the run's tasks must stop (on the shared clock).
func (w *worker) register(id, deadline int64) (*wrun, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := w.runs[id]; r != nil {
		return r, false
	}
	ctx, cancel := context.WithCancel(context.Background())
	if deadline > 0 {
		var stop context.CancelFunc
		at := time.Now().Add(time.Duration(deadline-w.clock.Now()) * time.Microsecond)
		ctx, stop = context.WithDeadline(ctx, at)
		ctx = deadlineCtx{ctx, at}
		inner := cancel
		cancel = func() { stop(); inner() }
	}
	r := &wrun{ctx: ctx, cancel: cancel}
	w.runs[id] = r
	return r, true
}

func (w *worker) drop(id int64) *wrun {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.runs[id]
	delete(w.runs, id)
	if r != nil {
		r.cancel()
	}
	return r
}

// deadlineCtx reports its deadline from Err by reading the clock. In wasm
// a busy goroutine is never preempted, so the timer of a
// context.WithDeadline cannot fire while a task computes: a task polling
// t.Err() in its loop would never see the deadline. Done still closes
// when the scheduler runs the timer, which it does whenever tasks wait.
type deadlineCtx struct {
	context.Context
	at time.Time
}

func (c deadlineCtx) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.at) {
		return context.DeadlineExceeded
	}
	return nil
}

// run serves a whole sequential or cooperative run with the engine's
// Job.Run: the same code as natively, here on one thread. Once it has
// answered, it collects the run's garbage (collect).
func (w *worker) run(m *proto.Run) {
	job, err := workloads.Prepare(m.Request)
	if err != nil {
		post(w.self, &proto.Error{ID: m.ID, Error: err.Error()}, nil)
		return
	}
	r, fresh := w.register(m.ID, 0) // the engine applies the request's timeout
	if !fresh {
		post(w.self, &proto.Error{ID: m.ID, Error: fmt.Sprintf("worker: run %d is already running here", m.ID)}, nil)
		return
	}
	defer w.drop(m.ID)
	env := w.env(true, safejs.Undefined())
	// The engine measures from its own start; the page's origin came
	// earlier (the message's trip): shift everything onto the page's.
	sk := newSink(w, m.ID, func() int64 { return env.First() - m.OriginUS })
	jsenv.CountDone(job, sk.taskDone)
	res, err := job.Run(r.ctx, workloads.Options{
		Env:      env,
		Watchdog: time.Duration(m.WatchdogMS) * time.Millisecond,
		OnSpan:   sk.add,
		Engine:   "wasm-worker",
	})
	// No last flush: the result carries every span, and the message saved
	// halves a short run's overhead (measured: a median of 2.2-3.0 ms
	// became 0.9-1.4 ms).
	if shift := env.First() - m.OriginUS; res.Outcome == "" { // a step-by-step run's clock counts steps
		for i := range res.Spans {
			res.Spans[i].Start += shift
			res.Spans[i].End += shift
		}
	}
	res.Check.Note = clip(res.Check.Note)
	ans := &proto.Result{ID: m.ID, Result: workloads.Result{
		Workload: res.Workload, Mode: res.Mode, WallUS: res.WallUS, CheckUS: res.CheckUS, Check: res.Check,
		Spans: res.Spans, Error: clip(res.Error), Stuck: res.Stuck,
		Schedule: res.Schedule, Outcome: res.Outcome, Steps: res.Steps, Next: res.Next,
	}}
	var dl *workloads.DeadlockError
	switch {
	case errors.As(err, &dl):
		ans.ErrKind, ans.AfterMS = proto.ErrDeadlock, dl.After
	case errors.Is(err, workloads.ErrTimeout):
		ans.ErrKind, ans.AfterMS = proto.ErrTimeout, max(w.clock.Now()-env.First(), 0)/1000
	}
	post(w.self, ans, nil)
	w.collect(m.ID)
}
