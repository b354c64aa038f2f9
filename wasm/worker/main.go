//go:build js && wasm

// Command worker is worker.wasm: the Go program inside each Web Worker of
// the lab's pool. worker.js instantiates it with the module the page
// compiled and hands it the boot message; from then on it serves the
// protocol of package conlab/wasm/internal/proto: warm-ups, whole runs
// (sequential and cooperative), single tasks of workers-mode runs, and
// cancellation. In the child role it runs workloads.ChildMain instead and
// exits: a child program of the subprocess and spawn lessons.
//
// It holds no go-app and no net/http: fetching goes through the browser's
// fetch, which keeps the binary small.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/wasm/internal/settle"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

func main() {
	w, boot, err := start()
	if err != nil {
		post(safejs.Global(), &proto.Fatal{Error: err.Error()}, nil)
		os.Exit(1)
	}
	if boot.Role == proto.RoleChild {
		os.Exit(runChild(boot))
	}
	if err := w.listen(); err != nil {
		post(w.self, &proto.Fatal{Error: err.Error()}, nil)
		os.Exit(1)
	}
	select {} // serve messages until the page terminates the worker
}

// post sends a message, dropping it when it cannot be encoded (a bug that
// the page then sees as a missing answer: it waits for a run's answer
// until the run's deadline plus half a second, the pool's deadlineGrace).
func post(target safejs.Value, body proto.Body, data []byte) {
	if err := jsenv.Post(target, body, data, nil); err != nil {
		println("worker: cannot post:", err.Error())
	}
}

type worker struct {
	self    safejs.Value
	clock   jsenv.Clock
	boot    *proto.Boot
	spawner *jsenv.Spawner

	mu   sync.Mutex
	runs map[int64]*wrun
}

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

// queued is a task waiting for its turn in this worker: a worker is one
// lane and runs one task at a time, but the page sends the next ones ahead
// so that the worker always has its next task in hand.
type queued struct {
	m      *proto.Task
	task   int
	data   []byte
	shared safejs.Value
}

func start() (*worker, *proto.Boot, error) {
	self := safejs.Global()
	bv, err := jsenv.Get(self, "conlabBoot")
	if err != nil || bv.Type() != safejs.TypeObject {
		return nil, nil, fmt.Errorf("worker.wasm must be started by worker.js")
	}
	body, err := jsenv.Get(bv, "body")
	if err != nil {
		return nil, nil, err
	}
	text, err := body.String()
	if err != nil {
		return nil, nil, err
	}
	b, err := proto.Decode(proto.ToWorker, proto.Version, string(proto.KBoot), text)
	if err != nil {
		return nil, nil, err
	}
	boot := b.(*proto.Boot)
	clock, err := jsenv.NewClock()
	if err != nil {
		return nil, nil, err
	}
	w := &worker{self: self, clock: clock, boot: boot, runs: map[int64]*wrun{}}
	href := ""
	if loc, err := jsenv.Get(self, "location", "href"); err == nil {
		href, _ = loc.String()
	}
	w.spawner = &jsenv.Spawner{Script: href, Base: boot.Base, Module: func(context.Context) (safejs.Value, error) {
		m, err := jsenv.Get(self, "conlabModule")
		if err != nil || m.IsUndefined() {
			return safejs.Undefined(), fmt.Errorf("no compiled module in this worker")
		}
		return m, nil
	}}
	return w, boot, nil
}

// listen registers the message handler and says ready.
func (w *worker) listen() error {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			w.receive(args[0])
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := w.self.Call("addEventListener", "message", fn); err != nil {
		return err
	}
	ready := &proto.Ready{Worker: w.boot.Worker, GoVersion: runtime.Version()}
	if bv, err := jsenv.Get(w.self, "conlabBoot"); err == nil {
		for name, dst := range map[string]*float64{
			"instantiate_ms": &ready.InstantiateMS, "compile_ms": &ready.CompileMS, "time_origin": &ready.TimeOriginMS,
			"script_ms": &ready.ScriptMS, "boot_ms": &ready.BootMS, "instantiated_ms": &ready.InstantiatedMS,
		} {
			if v, err := bv.Get(name); err == nil && v.Type() == safejs.TypeNumber {
				*dst, _ = v.Float()
			}
		}
	}
	if now, err := jsenv.Get(w.self, "performance"); err == nil {
		if v, err := now.Call("now"); err == nil {
			ready.GoStartMS, _ = v.Float()
		}
	}
	return jsenv.Post(w.self, ready, nil, nil)
}

// receive runs in the JavaScript callback: it validates and dispatches,
// and every handler that may block runs on its own goroutine.
func (w *worker) receive(e safejs.Value) {
	defer func() {
		if p := recover(); p != nil {
			post(w.self, &proto.Error{Error: fmt.Sprintf("worker: internal error handling a message: %v", p)}, nil)
		}
	}()
	data, err := e.Get("data")
	if err != nil {
		post(w.self, &proto.Error{Error: err.Error()}, nil)
		return
	}
	m, err := jsenv.Read(data, proto.ToWorker)
	if err != nil {
		post(w.self, &proto.Error{Error: "worker: " + err.Error()}, nil)
		return
	}
	switch b := m.Body.(type) {
	case *proto.Warm:
		w.goGuarded(b.ID, func() { w.warm(b) })
	case *proto.Run:
		w.goGuarded(b.ID, func() { w.run(b) })
	case *proto.Task:
		w.enqueue(b, m.Data, m.Shared)
	case *proto.Finish:
		w.finish(b)
	case *proto.Cancel:
		w.mu.Lock()
		if r := w.runs[b.ID]; r != nil {
			r.cancel()
		}
		w.mu.Unlock()
	case *proto.Ping:
		post(w.self, &proto.Pong{ID: b.ID}, nil)
	case *proto.Boot:
		post(w.self, &proto.Error{Error: "worker: message rejected: this worker has already started"}, nil)
	default:
		post(w.self, &proto.Error{Error: fmt.Sprintf("worker: message rejected: a worker does not serve %s", m.Kind)}, nil)
	}
}

// goGuarded runs f on a goroutine, turning a panic into an error message
// for the request id so that the worker stays usable.
func (w *worker) goGuarded(id int64, f func()) {
	go func() {
		defer func() {
			if p := recover(); p != nil {
				post(w.self, &proto.Error{ID: id, Error: fmt.Sprintf("worker: internal error: %v", p)}, nil)
			}
		}()
		f()
	}()
}

func (w *worker) env(oneMemory bool, shared safejs.Value) *jsenv.Env {
	return &jsenv.Env{Clock: w.clock, Base: w.boot.Base, OneMemory: oneMemory, SharedBuf: shared, Spawner: w.spawner}
}

// warm calls each kernel twice with its Quick parameters, and those in
// Long again and again for at least MinMS: the browser first runs a
// function unoptimised, optimises it in the background once it has run a
// while, and a call gets the optimised code only after that. The
// optimised code is this worker's own: every worker warms every kernel.
func (w *worker) warm(m *proto.Warm) {
	t0 := w.clock.Now()
	var errs []string
	ans := &proto.Warmed{ID: m.ID}
	env := w.env(true, safejs.Undefined())
	for _, id := range m.Workloads {
		wl, err := workloads.Lookup(id)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		job, err := workloads.Prepare(workloads.Request{Workload: id, Mode: workloads.Sequential, Workers: 1, Params: wl.Quick})
		if err != nil {
			errs = append(errs, fmt.Sprintf("warming %s: %v", id, err))
			continue
		}
		k := proto.KernelWarm{Workload: id}
		minMS := 0.0
		if slices.Contains(m.Long, id) {
			minMS = m.MinMS
		}
		var k0 int64 // the end of the first call: it compiled the code, slowly
		for k.Runs < 2 || (float64(w.clock.Now()-k0) < minMS*1000 && k.Runs < 100_000) {
			r0 := w.clock.Now()
			res, err := job.Run(context.Background(), workloads.Options{Env: env, Engine: "wasm-worker"})
			d := w.clock.Now() - r0
			if err == nil && !res.Check.OK {
				err = fmt.Errorf("check failed: %s", res.Check.Note)
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("warming %s: %v", id, err))
				break
			}
			if k.Runs == 0 {
				k.FirstUS, k0 = d, w.clock.Now()
			}
			k.LastUS = d
			k.Runs++
		}
		ans.Kernels = append(ans.Kernels, k)
	}
	ans.MS = float64(w.clock.Now()-t0) / 1000
	if m.SettleMS > 0 && errs == nil {
		if err := w.settle(m, ans, env); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if errs != nil {
		ans.Error = clip(strings.Join(errs, "; "))
	}
	post(w.self, ans, nil)
}

// settle repeats a calibration pass, each kernel of m once with its Quick
// parameters, until two consecutive rounds agree or m.SettleMS passes,
// and reports it in ans.
func (w *worker) settle(m *proto.Warm, ans *proto.Warmed, env *jsenv.Env) error {
	var jobs []*workloads.Job
	for _, id := range m.Workloads {
		wl, err := workloads.Lookup(id)
		if err != nil {
			return err
		}
		job, err := workloads.Prepare(workloads.Request{Workload: id, Mode: workloads.Sequential, Workers: 1, Params: wl.Quick})
		if err != nil {
			return fmt.Errorf("settling %s: %v", id, err)
		}
		jobs = append(jobs, job)
	}
	if len(jobs) == 0 {
		return nil
	}
	pass := func() error {
		for _, job := range jobs {
			if _, err := job.Run(context.Background(), workloads.Options{Env: env, Engine: "wasm-worker"}); err != nil {
				return fmt.Errorf("settling %s: %v", job.Workload.ID, err)
			}
		}
		return nil
	}
	limit := time.Duration(m.SettleMS * float64(time.Millisecond))
	rep, err := settle.Until(context.Background(), w.clock.Now, pass, settle.Options{Cap: limit})
	ans.Settled = rep.Settled
	ans.SettledMS = float64(rep.Took) / float64(time.Millisecond)
	ans.SettleRounds = rep.Rounds
	return err
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
// Job.Run: the same code as natively, here on one thread.
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
}

// enqueue queues the tasks of a Task message (Task, then More) of a
// workers-mode run, in arrival order. The run's first task here starts
// the goroutine that runs them one after another.
func (w *worker) enqueue(m *proto.Task, data []byte, shared safejs.Value) {
	key := fmt.Sprint(m.Request.Workload, m.Request.Workers, m.Request.Params, m.OriginUS)
	r, fresh := w.register(m.ID, m.DeadlineUS)
	if fresh {
		r.key = key
		r.tasks = make(chan queued, proto.MaxInFlight)
		w.goGuarded(m.ID, func() { w.serve(m.ID, r, m, shared) })
	} else if r.key != key || r.tasks == nil {
		post(w.self, &proto.Error{ID: m.ID, Error: fmt.Sprintf("worker: task %d does not belong to run %d as this worker knows it", m.Task, m.ID)}, nil)
		return
	}
	if len(r.tasks)+1+len(m.More) > cap(r.tasks) {
		post(w.self, &proto.Error{ID: m.ID, Error: fmt.Sprintf("worker: more than %d tasks of run %d queued", proto.MaxInFlight, m.ID)}, nil)
		return
	}
	r.tasks <- queued{m, m.Task, data, shared}
	for _, t := range m.More {
		r.tasks <- queued{m, t, nil, shared}
	}
}

// serve makes this worker's instance for a workers-mode run and runs the
// run's tasks as they come, until the run is finished or cancelled (the
// tasks still queued then are answered, each with the context's error).
func (w *worker) serve(id int64, r *wrun, first *proto.Task, shared safejs.Value) {
	job, err := workloads.Prepare(first.Request)
	if err != nil {
		w.drop(id)
		post(w.self, &proto.Error{ID: id, Error: err.Error()}, nil)
		return
	}
	if first.Shared == 0 {
		shared = safejs.Undefined()
	}
	r.sink = newSink(w, id, func() int64 { return 0 })
	r.runner = workloads.NewRunner(job, w.env(false, shared), first.OriginUS)
	r.runner.OnSpan = r.sink.add
	go w.watch(id, r, time.Duration(first.WatchdogMS)*time.Millisecond)
	b := &batch{w: w, id: id, r: r}
	for {
		select {
		case q := <-r.tasks:
			b.task(q)
		case <-r.ctx.Done():
			for {
				select {
				case q := <-r.tasks:
					b.task(q)
				default:
					b.flush()
					return
				}
			}
		}
	}
}

// batch collects the answers of a run's short tasks in this worker, so
// that one message answers several: the page's time to read a message,
// and the worker's to write one, then weigh little against the tasks.
type batch struct {
	w       *worker
	id      int64
	r       *wrun
	results []workloads.TaskResult
	last    int64 // when the last answer was posted (clock, µs)
}

// answerEvery is the longest a finished task's answer waits for others to
// join it while the worker has more tasks in hand: short enough for the
// page's live progress and for it to hand out the next tasks in time.
const answerEvery = 50_000 // µs

// task runs one queued task and answers it, now or with the next ones.
func (b *batch) task(q queued) {
	w, r := b.w, b.r
	res := r.runner.RunTask(r.ctx, q.m.Lane, q.task, q.data)
	out := res.Data
	res.Data = nil
	res.Err = clip(res.Err)
	if out != nil || res.Err != "" {
		// Payloads and errors travel alone, the answers before them first.
		b.flush()
		done := &proto.TaskDone{ID: q.m.ID, Result: res}
		if res.Err != "" && errors.Is(r.ctx.Err(), context.DeadlineExceeded) {
			done.ErrKind = proto.ErrTimeout
		}
		done.Live, _, _ = r.sink.take()
		done.Final, done.HasFinal = r.runner.Final()
		post(w.self, done, out)
		b.last = w.clock.Now()
		return
	}
	b.results = append(b.results, res)
	// Answer now when nothing else is in hand (the page waits for it),
	// when answers have waited long enough, or when there are many.
	if len(r.tasks) == 0 || w.clock.Now()-b.last >= answerEvery || len(b.results) >= proto.MaxInFlight-1 {
		b.flush()
	}
}

// flush posts the answers collected.
func (b *batch) flush() {
	if len(b.results) == 0 {
		return
	}
	done := &proto.TaskDone{ID: b.id, Result: b.results[0], More: b.results[1:]}
	// The spans not yet sent for the live timeline ride along: one
	// message instead of two.
	done.Live, _, _ = b.r.sink.take()
	done.Final, done.HasFinal = b.r.runner.Final()
	post(b.w.self, done, nil)
	b.results = nil
	b.last = b.w.clock.Now()
}

// finish ends a workers-mode run here. It has no answer: the page has
// the instance's Final from the last TaskDone.
func (w *worker) finish(m *proto.Finish) { w.drop(m.ID) }

// watch is this worker's deadlock watchdog for a workers-mode run: it
// tells the page when every task running here has been blocked with no
// progress for the watchdog's patience, and when they move again. The
// page declares a deadlock when every worker of the run says so.
func (w *worker) watch(id int64, r *wrun, patience time.Duration) {
	tick := time.NewTicker(max(min(patience/4, 50*time.Millisecond), time.Millisecond))
	defer tick.Stop()
	last, since, reported := r.runner.Progress(), time.Now(), false
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-tick.C:
		}
		if p := r.runner.Progress(); p != last {
			last, since = p, time.Now()
			if reported {
				reported = false
				post(w.self, &proto.Stuck{ID: id}, nil)
			}
			continue
		}
		if reported || time.Since(since) < patience {
			continue
		}
		if st := r.runner.Stuck(); st != nil {
			reported = true
			for i := range st {
				st[i].Label = clip(st[i].Label)
			}
			post(w.self, &proto.Stuck{ID: id, Stuck: st, AfterMS: time.Since(since).Milliseconds()}, nil)
		}
	}
}

func clip(s string) string {
	if len(s) > proto.MaxText/2 {
		return s[:proto.MaxText/2] + "…"
	}
	return s
}

// sink batches spans and finished tasks for live progress: a message per
// closed span would cost more than many tasks do, so they wait until 50 ms
// have passed since the last message, or until the run or task ends.
type sink struct {
	w     *worker
	id    int64
	shift func() int64
	mu    sync.Mutex
	spans []workloads.Span
	done  int
	dirty bool
	last  int64
}

func newSink(w *worker, id int64, shift func() int64) *sink {
	return &sink{w: w, id: id, shift: shift, last: w.clock.Now()}
}

func (s *sink) add(sp workloads.Span) {
	d := s.shift()
	sp.Start += d
	sp.End += d
	sp.Label = clip(sp.Label)
	s.mu.Lock()
	s.spans = append(s.spans, sp)
	s.mu.Unlock()
	s.touch()
}

func (s *sink) taskDone() {
	s.mu.Lock()
	s.done++
	s.mu.Unlock()
	s.touch()
}

func (s *sink) touch() {
	s.mu.Lock()
	s.dirty = true
	due := s.w.clock.Now()-s.last >= 50_000
	s.mu.Unlock()
	if due {
		s.flush()
	}
}

func (s *sink) flush() {
	if sp, done, dirty := s.take(); dirty {
		post(s.w.self, &proto.Spans{ID: s.id, Spans: sp, Done: done}, nil)
	}
}

// take returns the spans not sent yet and the tasks done, as sent, and
// whether anything happened since the last take.
func (s *sink) take() (spans []workloads.Span, done int, dirty bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	spans, done, dirty = s.spans, s.done, s.dirty
	s.spans, s.dirty, s.last = nil, false, s.w.clock.Now()
	return spans, done, dirty
}

// runChild is the child role: ChildMain with its output posted to the
// parent as it is written.
func runChild(b *proto.Boot) int {
	self := safejs.Global()
	out := &streamWriter{self: self, stream: "stdout"}
	errw := &streamWriter{self: self, stream: "stderr"}
	return workloads.ChildMain(b.Args, out, errw)
}

type streamWriter struct {
	self   safejs.Value
	stream string
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if err := jsenv.Post(s.self, &proto.Output{Stream: s.stream}, append([]byte(nil), p...), nil); err != nil {
		return 0, err
	}
	return len(p), nil
}
