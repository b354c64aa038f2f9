//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"
)

// Run runs req in req.Mode, one of [Modes], and blocks until it ends:
//
//   - "sequential": one lane in one worker;
//   - "cooperative": N goroutines in one worker;
//   - "workers": the tasks spread over N workers (the pool grows to N if
//     it has fewer: the run pays their start-up);
//   - "main": the cooperative run on the page's own thread. It freezes
//     the page for the run's duration: that is its lesson.
//
// A request that does not validate returns a nil Result and [Prepare]'s
// *workloads.ParamError or *workloads.UnsupportedError. A run that starts
// returns a Result in req's mode (Facts.Engine "wasm-worker" or
// "wasm-page") whose spans
// are relative to the moment Run was called, on one clock for every
// worker; WallUS is the time from that moment to the end of the last
// task, including any start-up, which StartupUS and Startup spans (Task
// -1) report; checking the outputs comes after it, in CheckUS. A run
// that fails has Result.Error set and returns the error as well: a
// *workloads.DeadlockError (with Result.Stuck), workloads.ErrTimeout,
// ctx's error, or a task's error.
//
// The run starts once no worker of the pool is still collecting the
// garbage of an earlier run (each collects after every run it answers),
// and its clock with it: a run that waited for a collection, or shared
// the cores with one, would be slower for it.
//
// Cancelling ctx terminates the workers running the run and replaces
// them in the background, so the next run starts clean. The request's
// timeout_ms bounds the run (not the start-up, which Config.StartTimeout
// bounds). onProgress, if not nil, is called from one goroutine at a time,
// never from a JavaScript callback.
func (p *Pool) Run(ctx context.Context, req workloads.Request, onProgress func(Progress)) (*workloads.Result, error) {
	job, err := Prepare(req)
	if err != nil {
		return nil, err
	}
	mode := req.Mode
	if mode == "" {
		mode = Sequential
	}
	progress := func(Progress) {}
	if onProgress != nil {
		progress = onProgress
	}
	if err := p.beginTurn(ctx); err != nil {
		return nil, err
	}
	defer p.endTurn()
	return p.runInTurn(ctx, job, mode, progress)
}

// runInTurn is Run of job (prepared from a request in mode), in the
// pool's turn.
func (p *Pool) runInTurn(ctx context.Context, job *workloads.Job, mode workloads.Mode, progress func(Progress)) (*workloads.Result, error) {
	// The run's clock starts once no worker is collecting the garbage of
	// an earlier run (awaitCollected).
	if err := p.awaitCollected(ctx); err != nil {
		return nil, err
	}
	origin := p.clock.Now()
	r := &run{p: p, job: job, mode: mode, origin: origin, progress: progress, id: p.newID(), total: len(job.Plan.Tasks)}
	if mode == Main {
		return r.onPage(ctx)
	}
	lanes := 1
	if mode == Workers {
		lanes = min(job.Request.Workers, r.total)
	}
	ws, startup, startupUS, err := p.acquire(ctx, lanes, origin, progress)
	if err != nil {
		return nil, err
	}
	defer p.release(ws)
	r.ws, r.startup, r.startupUS = ws, startup, startupUS
	r.box = newMailbox()
	for _, w := range ws {
		w.box.Store(r.box)
	}
	// The deadline counts from here: start-up has its own bound. The
	// workers enforce it themselves, so that the tasks stop and report
	// what they did; the page's own deadline, a grace later, catches a
	// worker too busy to notice.
	timeout := time.Duration(job.Request.TimeoutMS) * time.Millisecond
	r.deadline = p.clock.Now() + timeout.Microseconds()
	runCtx, cancel := context.WithTimeout(ctx, timeout+deadlineGrace)
	defer cancel()
	r.parent = ctx
	var res *workloads.Result
	if mode == Workers {
		res, err = r.onWorkers(runCtx)
	} else {
		res, err = r.inWorker(runCtx)
	}
	if ctx.Err() != nil {
		// Cancelled: the workers this run grew the pool by end with it
		// (and are not replaced), before the deferred release.
		p.toBase()
	}
	return res, err
}

// deadlineGrace is how long past a run's deadline the page waits for its
// workers to report it themselves (with what the tasks did) before it
// terminates them: a task waiting notices its deadline at once, a busy
// one in a cooperative run not at all (nothing preempts it).
const deadlineGrace = 500 * time.Millisecond

// run is one Run going on.
type run struct {
	p         *Pool
	job       *workloads.Job // in the engine's terms (see Prepare)
	mode      workloads.Mode // the browser mode the run reports
	id        int64
	origin    int64
	total     int
	done      int
	progress  func(Progress)
	parent    context.Context
	ws        []*worker
	box       *mailbox
	startup   []workloads.Span
	startupUS int64
	deadline  int64 // on the shared clock (µs)
}

func (r *run) now() int64 { return r.p.clock.Now() - r.origin }

func (r *run) watchdogMS() int64 { return max(r.p.watchdog.Milliseconds(), 1) }

// grace is how long a worker may take to answer a message that needs no
// work from it (a cancellation, a finish).
func (r *run) grace() time.Duration { return max(2*r.p.watchdog, time.Second) }

func (r *run) spans(sp []workloads.Span) {
	for i := range sp {
		s := sp[i]
		r.progress(Progress{Stage: "running", Done: r.done, Total: r.total, Span: &s})
	}
}

// advance takes a whole-run worker's count of finished tasks.
func (r *run) advance(done int) {
	if done > r.done && done <= r.total {
		r.done = done
		r.progress(Progress{Stage: "running", Done: r.done, Total: r.total})
	}
}

// ctxError says why the run's context ended: the caller cancelled, or the
// request's deadline passed.
func (r *run) ctxError(ctx context.Context) error {
	if r.parent != nil && r.parent.Err() != nil {
		return r.parent.Err()
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (%d ms)", workloads.ErrTimeout, r.job.Request.TimeoutMS)
	}
	return ctx.Err()
}

// result makes the run's Result.
func (r *run) result(engine string) *workloads.Result {
	return &workloads.Result{
		Workload:  r.job.Workload.ID,
		Mode:      r.mode,
		Workers:   r.job.Request.Workers,
		Params:    r.job.Args.Map(),
		StartupUS: r.startupUS,
		Facts:     facts(engine),
	}
}

// finishResult sets the browser mode and the wall time, adds the
// start-up spans, sorts, and reports the end. The wall ends before the
// check (res.CheckUS), which ran last, as in every engine.
//
// A step-by-step run (Result.Outcome set) keeps its own times: its clock
// counts steps.
func (r *run) finishResult(res *workloads.Result, err error) (*workloads.Result, error) {
	res.Mode = r.mode
	if res.Outcome == "" {
		now := r.now()
		res.CheckUS = min(max(res.CheckUS, 0), now) // a worker's figure, bounded
		res.WallUS = now - res.CheckUS
		res.Spans = append(res.Spans, r.startup...)
	}
	workloads.SortSpans(res.Spans)
	if err != nil {
		res.Error = err.Error()
		var dl *workloads.DeadlockError
		if errors.As(err, &dl) {
			res.Stuck = dl.Stuck
		}
	}
	r.progress(Progress{Stage: "done", Done: r.done, Total: r.total})
	return res, err
}

// onPage runs the cooperative engine on the page's own thread.
func (r *run) onPage(ctx context.Context) (*workloads.Result, error) {
	env := &jsenv.Env{Clock: r.p.clock, Base: r.p.base, OneMemory: true, Spawner: r.p.spawner}
	r.progress(Progress{Stage: "running", Total: r.total})
	// Tasks run on goroutines of this page: one progress call at a time.
	var mu sync.Mutex
	jsenv.CountDone(r.job, func() {
		mu.Lock()
		defer mu.Unlock()
		r.advance(r.done + 1)
	})
	res, err := r.job.Run(ctx, workloads.Options{
		Env:      env,
		Watchdog: r.p.watchdog,
		Engine:   "wasm-page",
		OnSpan: func(s workloads.Span) {
			d := env.First() - r.origin
			s.Start += d
			s.End += d
			mu.Lock()
			defer mu.Unlock()
			r.progress(Progress{Stage: "running", Done: r.done, Total: r.total, Span: &s})
		},
	})
	if d := env.First() - r.origin; res.Outcome == "" {
		for i := range res.Spans {
			res.Spans[i].Start += d
			res.Spans[i].End += d
		}
	}
	res.Facts = facts("wasm-page")
	if err == nil {
		r.done = r.total
	}
	return r.finishResult(res, err)
}

// inWorker runs a sequential or cooperative run in one worker with the
// engine's Job.Run; the worker's own watchdog reports deadlocks.
func (r *run) inWorker(ctx context.Context) (*workloads.Result, error) {
	w := r.ws[0]
	req := r.job.Request
	if err := w.js.Post(&proto.Run{ID: r.id, Request: req, OriginUS: r.origin, WatchdogMS: r.watchdogMS()}, nil, nil); err != nil {
		r.p.retire(w)
		return r.finishResult(r.result("wasm-worker"), fmt.Errorf("wasm: sending the run to worker %d: %w", w.id, err))
	}
	r.progress(Progress{Stage: "running", Total: r.total})
	fail := func(err error) (*workloads.Result, error) {
		return r.finishResult(r.result("wasm-worker"), err)
	}
	for {
		e, err := r.box.next(ctx, 0)
		if err != nil {
			// Cancelled or past the deadline: a busy worker cannot even
			// read a cancel message, so it goes.
			r.p.retire(w)
			return fail(r.ctxError(ctx))
		}
		if ferr := e.w.failure(e); ferr != nil {
			r.p.retire(w)
			return fail(ferr)
		}
		switch b := e.msg.Body.(type) {
		case *proto.Spans:
			if b.ID == r.id {
				r.spans(b.Spans)
				r.advance(b.Done)
			}
		case *proto.Error:
			if b.ID == r.id || b.ID == 0 {
				return fail(errors.New(b.Error))
			}
		case *proto.Result:
			if b.ID != r.id {
				continue
			}
			res := b.Result
			if res.Workload != r.job.Workload.ID || res.Mode != req.Mode {
				r.p.retire(w)
				return fail(fmt.Errorf("worker %d answered with a result for %s/%s", w.id, res.Workload, res.Mode))
			}
			out := r.result("wasm-worker")
			out.Check, out.CheckUS, out.Spans, out.Stuck = res.Check, res.CheckUS, res.Spans, nil
			out.Schedule, out.Outcome, out.Steps, out.Next = res.Schedule, res.Outcome, res.Steps, res.Next
			if res.Outcome != "" {
				out.WallUS = res.WallUS // steps, not time
			}
			r.done = r.total
			return r.finishResult(out, remoteError(b))
		}
	}
}

// remoteError rebuilds the error of a result a worker's engine made, from
// its structured kind.
func remoteError(b *proto.Result) error {
	res := b.Result
	switch {
	case res.Error == "":
		return nil
	case b.ErrKind == proto.ErrDeadlock:
		return &workloads.DeadlockError{Stuck: res.Stuck, After: b.AfterMS, Scheduled: res.Outcome == workloads.OutcomeDeadlock}
	case b.ErrKind == proto.ErrTimeout:
		return fmt.Errorf("%w (after %d ms)", workloads.ErrTimeout, b.AfterMS)
	}
	return errors.New(res.Error)
}
