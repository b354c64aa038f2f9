package workloads

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// TaskResult is what running one task produced.
type TaskResult struct {
	Task  int    `json:"task"`
	Lane  int    `json:"lane"`
	Value uint64 `json:"value"`
	Data  []byte `json:"data,omitempty"`
	Spans []Span `json:"spans"`
	Err   string `json:"error,omitempty"`
}

// Runner runs the tasks of one job inside one memory: one Instance of its
// plan. The engine uses one per run; a Web Worker uses one per run it takes
// part in. RunTask may be called from several goroutines at once.
type Runner struct {
	job    *Job
	env    Env
	inst   Instance
	shared Shared
	origin int64
	lanes  int         // lanes running tasks in this memory at once (T.Lanes)
	ctl    *controller // set in a controlled run

	// OnSpan, if set, is called with each span as it closes, from the
	// task's goroutine. Set it before the first RunTask.
	OnSpan func(Span)

	mu       sync.Mutex
	active   map[int]*taskState
	progress atomic.Int64
}

type taskState struct {
	lane  int
	state State
	label string
}

// NewRunner makes a runner for job. origin is the run's start on env's
// clock: spans are reported relative to it. A nil env is the default of
// the platform (natively: net/http and the process clock).
func NewRunner(job *Job, env Env, origin int64) *Runner {
	if env == nil {
		env = defaultEnv()
	}
	r := &Runner{job: job, env: env, origin: origin, lanes: 1, active: map[int]*taskState{}}
	if n := job.Plan.Shared; n > 0 {
		r.shared = env.Shared(n)
	}
	r.inst = job.Plan.New()
	return r
}

func (r *Runner) setState(task int, s State, label string) {
	r.mu.Lock()
	if ts := r.active[task]; ts != nil {
		ts.state, ts.label = s, label
	}
	r.mu.Unlock()
	r.progress.Add(1)
}

// RunTask runs task i on the given lane. A panic in the task is recovered
// and reported as the task's error.
func (r *Runner) RunTask(ctx context.Context, lane, i int, input []byte) (res TaskResult) {
	res = TaskResult{Task: i, Lane: lane}
	if i < 0 || i >= len(r.job.Plan.Tasks) {
		res.Err = fmt.Sprintf("task %d out of range (plan has %d)", i, len(r.job.Plan.Tasks))
		return res
	}
	t := &T{ctx: ctx, r: r, lane: lane, task: i, input: input, ctl: r.ctl}
	r.mu.Lock()
	r.active[i] = &taskState{lane: lane, state: Running, label: r.job.Plan.Tasks[i]}
	r.mu.Unlock()
	t.Phase(r.job.Plan.Tasks[i], Running)
	defer func() {
		if p := recover(); p != nil {
			res.Err = fmt.Sprintf("task %d panicked: %v", i, p)
		}
		t.close(t.now())
		res.Spans = t.spans
		res.Data = t.out
		r.mu.Lock()
		delete(r.active, i)
		r.mu.Unlock()
		r.progress.Add(1)
	}()
	v, err := r.inst.Run(t, i)
	res.Value = v
	if err != nil {
		res.Err = err.Error()
	}
	return res
}

// Final returns the instance's own value, if it has one.
func (r *Runner) Final() (uint64, bool) {
	if f, ok := r.inst.(Finisher); ok {
		return f.Final(), true
	}
	return 0, false
}

// stuck returns the unfinished tasks if every one of them is Blocked.
func (r *Runner) stuck() []StuckTask {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.active) == 0 {
		return nil
	}
	var out []StuckTask
	for id, ts := range r.active {
		if ts.state != Blocked {
			return nil
		}
		out = append(out, StuckTask{Task: id, Lane: ts.lane, Label: ts.label})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Task < out[j].Task })
	return out
}

// Options tune Run. The zero value is ready to use.
type Options struct {
	// Env is the environment; nil is the platform's default.
	Env Env
	// Watchdog is how long every unfinished task may be Blocked with no
	// progress before the run is declared deadlocked; 0 means one second.
	Watchdog time.Duration
	// OnSpan, if set, receives each span as it closes.
	OnSpan func(Span)
	// Engine names the engine in the result's facts; "" is the platform's.
	Engine string
}

// DefaultWatchdog is the deadlock watchdog's default patience.
const DefaultWatchdog = time.Second

// facts returns the facts of this process: the engine (o.Engine, or the
// platform's) and the Go runtime it runs on.
func (o Options) facts() Facts {
	e := o.Engine
	if e == "" {
		e = engineName
	}
	return Facts{Engine: e, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU(), GoVersion: runtime.Version()}
}

// ErrTimeout is the error of a run that outlived its deadline.
var ErrTimeout = errors.New("the run exceeded its deadline")

// Run validates req and runs it in this process in the Sequential or
// Goroutines mode. It blocks until the run ends, fails, or ctx is done.
//
// A request that does not validate returns a nil Result and a *ParamError.
// A run that starts always returns a Result, with its spans; if it failed,
// Result.Error is set and the error is returned too: a *DeadlockError,
// ErrTimeout, the context's error, or a task's.
func Run(ctx context.Context, req Request, opt Options) (*Result, error) {
	job, err := Prepare(req)
	if err != nil {
		return nil, err
	}
	return job.Run(ctx, opt)
}

// Run runs a prepared job in this process; see [Run].
//
// A job with a Schedule runs step by step under the controlled scheduler
// (see [Schedule]); its result has the steps and the outcome.
func (job *Job) Run(ctx context.Context, opt Options) (*Result, error) {
	if job.Schedule != nil {
		return job.runControlled(ctx, opt, job.Schedule.chooser())
	}
	req := job.Request
	ctx, cancel := context.WithTimeout(ctx, time.Duration(req.TimeoutMS)*time.Millisecond)
	defer cancel()
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	env := opt.Env
	if env == nil {
		env = defaultEnv()
	}
	start := env.Now()
	r := NewRunner(job, env, start)
	r.OnSpan = opt.OnSpan
	n := len(job.Plan.Tasks)
	results := make([]TaskResult, n)
	lanes := 1
	if req.Mode == Goroutines {
		lanes = min(req.Workers, n)
	}
	r.lanes = lanes
	var next atomic.Int64
	var wg sync.WaitGroup
	// A task that ignores its context is abandoned below; from then on its
	// lane must not write results, which Run reads.
	var resMu sync.Mutex
	abandoned := false
	for lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || runCtx.Err() != nil {
					return
				}
				var in []byte
				if job.Plan.Input != nil {
					in = job.Plan.Input(i)
				}
				tr := r.RunTask(runCtx, lane, i, in)
				resMu.Lock()
				if !abandoned {
					results[i] = tr
				}
				resMu.Unlock()
				if tr.Err != "" {
					stop(errors.New(tr.Err))
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	patience := opt.Watchdog
	if patience <= 0 {
		patience = DefaultWatchdog
	}
	var runErr error
	tick := time.NewTicker(min(patience/4, 50*time.Millisecond))
	defer tick.Stop()
	lastProgress, lastChange := r.progress.Load(), time.Now()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-runCtx.Done():
			break wait
		case <-tick.C:
			if p := r.progress.Load(); p != lastProgress {
				lastProgress, lastChange = p, time.Now()
				continue
			}
			if time.Since(lastChange) < patience {
				continue
			}
			if st := r.stuck(); st != nil {
				runErr = &DeadlockError{Stuck: st, After: time.Since(lastChange).Milliseconds()}
				stop(runErr)
				break wait
			}
		}
	}
	if runErr == nil && runCtx.Err() != nil {
		d, hasDeadline := ctx.Deadline()
		switch cause := context.Cause(runCtx); {
		case errors.Is(cause, context.DeadlineExceeded), hasDeadline && !time.Now().Before(d):
			// The deadline may be the caller's, earlier than the request's.
			runErr = fmt.Errorf("%w (after %d ms)", ErrTimeout, (env.Now()-start)/1000)
		default:
			runErr = cause
		}
	}
	// Give cancelled tasks a moment to record their spans; a task that
	// ignores its context (a busy loop in a hung run) is abandoned.
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	resMu.Lock()
	abandoned = true
	resMu.Unlock()
	wall := env.Now() - start

	res := &Result{
		Workload: job.Workload.ID,
		Mode:     req.Mode,
		Workers:  req.Workers,
		Params:   job.Args.Map(),
		WallUS:   wall,
		Facts:    opt.facts(),
	}
	return res, job.conclude(res, gather(res, results), r, runErr, env.Now)
}

// conclude records how a run ended: its error and any stuck tasks when it
// failed (and returns that error), otherwise its check.
func (job *Job) conclude(res *Result, out Outputs, r *Runner, runErr error, now func() int64) error {
	if runErr != nil {
		res.Error = runErr.Error()
		var dl *DeadlockError
		if errors.As(runErr, &dl) {
			res.Stuck = dl.Stuck
		}
		return runErr
	}
	if f, ok := r.Final(); ok {
		out.Finals = []uint64{f}
	}
	job.CheckInto(res, out, now)
	return nil
}

// CheckInto sets res.Check from Combine, and res.CheckUS to how long that
// took by now (µs): the time every engine leaves out of the wall time.
func (job *Job) CheckInto(res *Result, o Outputs, now func() int64) {
	c0 := now()
	res.Check = job.Combine(o)
	res.CheckUS = now() - c0
}

// Combine turns outputs into the run's check, recovering a panicking
// Combine into a failed check.
func (job *Job) Combine(o Outputs) (c Check) {
	defer func() {
		if p := recover(); p != nil {
			c = Check{OK: false, Note: fmt.Sprintf("combining the results failed: %v", p)}
		}
	}()
	return job.Plan.Combine(o)
}

// sortSpans orders spans by start, then lane: the order a timeline reads.
func sortSpans(s []Span) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].Start != s[j].Start {
			return s[i].Start < s[j].Start
		}
		return s[i].Lane < s[j].Lane
	})
}

// gather adds the tasks' spans to res, in time order, and returns their
// outputs for the check.
func gather(res *Result, results []TaskResult) Outputs {
	n := len(results)
	out := Outputs{Values: make([]uint64, n)}
	for i, tr := range results {
		res.Spans = append(res.Spans, tr.Spans...)
		out.Values[i] = tr.Value
		if tr.Data != nil {
			if out.Data == nil {
				out.Data = make([][]byte, n)
			}
			out.Data[i] = tr.Data
		}
	}
	sortSpans(res.Spans)
	return out
}

// SortSpans orders spans by start, then lane.
func SortSpans(s []Span) { sortSpans(s) }
