package proto

import (
	"errors"
	"fmt"
	"math"

	"conlab/workloads"
)

// The bounds each body is held to, on both sides: Encode checks what it
// sends, Decode what it receives.

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func checkID(id int64) error {
	if id < 1 || id > MaxID {
		return fmt.Errorf("id %d out of range 1..%d", id, int64(MaxID))
	}
	return nil
}

func checkText(name, s string) error {
	if len(s) > MaxText {
		return fmt.Errorf("%s of %d bytes exceeds %d", name, len(s), MaxText)
	}
	return nil
}

func checkMS(name string, ms float64) error {
	if math.IsNaN(ms) || ms < 0 || ms > 1e9 {
		return fmt.Errorf("%s %v out of range", name, ms)
	}
	return nil
}

// checkRequest bounds what the engine's Prepare does not: the request's
// own validation (workload, mode, parameters) happens in Prepare on the
// receiving side and reports a *ParamError there.
func checkRequest(r *workloads.Request) error {
	if r.Workload == "" {
		return errors.New("request names no workload")
	}
	if err := checkText("workload", r.Workload); err != nil {
		return err
	}
	if len(r.Params) > 64 {
		return fmt.Errorf("request has %d parameters", len(r.Params))
	}
	return nil
}

func checkSpans(sp []workloads.Span) error {
	if len(sp) > MaxSpans {
		return fmt.Errorf("%d spans exceed %d", len(sp), MaxSpans)
	}
	for i, s := range sp {
		if s.End < s.Start || s.Lane < 0 || s.Lane >= workloads.MaxWorkers || s.Task < -1 {
			return fmt.Errorf("span %d is malformed: %+v", i, s)
		}
		switch s.State {
		case workloads.Running, workloads.Waiting, workloads.Blocked, workloads.Startup:
		default:
			return fmt.Errorf("span %d has unknown state %q", i, s.State)
		}
		if err := checkText("span label", s.Label); err != nil {
			return err
		}
	}
	return nil
}

func checkStuck(st []workloads.StuckTask) error {
	if len(st) > MaxTasks {
		return fmt.Errorf("%d stuck tasks", len(st))
	}
	for _, s := range st {
		if s.Task < 0 || s.Task >= MaxTasks || s.Lane < 0 || s.Lane >= workloads.MaxWorkers {
			return fmt.Errorf("stuck task malformed: %+v", s)
		}
		if err := checkText("stuck label", s.Label); err != nil {
			return err
		}
	}
	return nil
}

func (m *Boot) validate() error {
	if m.Worker < 1 || m.Worker > MaxID {
		return fmt.Errorf("worker id %d out of range", m.Worker)
	}
	switch m.Role {
	case RolePool:
		if len(m.Args) > 0 {
			return errors.New("a pool worker takes no arguments")
		}
	case RoleChild:
		if err := checkArgs(m.Args); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown role %q", truncate(m.Role, 32))
	}
	return checkText("base", m.Base)
}

// checkArgs checks a child's arguments.
func checkArgs(args []string) error {
	if len(args) > 64 {
		return fmt.Errorf("%d child arguments exceed 64", len(args))
	}
	for _, a := range args {
		if err := checkText("argument", a); err != nil {
			return err
		}
	}
	return nil
}

func (m *Warm) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if len(m.Workloads) > maxWorkloads {
		return fmt.Errorf("%d workloads to warm exceed %d", len(m.Workloads), maxWorkloads)
	}
	if len(m.Long) > maxWorkloads {
		return fmt.Errorf("%d workloads to warm long exceed %d", len(m.Long), maxWorkloads)
	}
	for _, w := range append(m.Workloads, m.Long...) {
		if w == "" || len(w) > 64 {
			return fmt.Errorf("bad workload id %q", truncate(w, 64))
		}
	}
	if math.IsNaN(m.MinMS) || m.MinMS < 0 || m.MinMS > 10_000 {
		return fmt.Errorf("min_ms %v out of range 0..10000", m.MinMS)
	}
	if math.IsNaN(m.SettleMS) || m.SettleMS < 0 || m.SettleMS > 60_000 {
		return fmt.Errorf("settle_ms %v out of range 0..60000", m.SettleMS)
	}
	if math.IsNaN(m.SettleMinMS) || m.SettleMinMS < 0 || m.SettleMinMS > m.SettleMS {
		return fmt.Errorf("settle_min_ms %v out of range 0..settle_ms (%v)", m.SettleMinMS, m.SettleMS)
	}
	return nil
}

func (m *Run) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.OriginUS <= 0 {
		return fmt.Errorf("origin_us %d must be positive", m.OriginUS)
	}
	if m.WatchdogMS < 1 || m.WatchdogMS > MaxWatchdog {
		return fmt.Errorf("watchdog_ms %d out of range 1..%d", m.WatchdogMS, MaxWatchdog)
	}
	if !m.Request.Mode.Valid() {
		return fmt.Errorf("a worker runs a whole run in an engine mode (sequential or goroutines), not %q", m.Request.Mode)
	}
	return checkRequest(&m.Request)
}

func (m *Task) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.Task < 0 || m.Task >= MaxTasks {
		return fmt.Errorf("task %d out of range", m.Task)
	}
	if m.Lane < 0 || m.Lane >= workloads.MaxWorkers {
		return fmt.Errorf("lane %d out of range 0..%d", m.Lane, workloads.MaxWorkers-1)
	}
	if m.OriginUS <= 0 {
		return fmt.Errorf("origin_us %d must be positive", m.OriginUS)
	}
	if m.DeadlineUS < m.OriginUS || m.DeadlineUS-m.OriginUS > 2*int64(workloads.MaxTimeoutMS)*1000 {
		return fmt.Errorf("deadline_us %d out of range for origin_us %d", m.DeadlineUS, m.OriginUS)
	}
	if m.WatchdogMS < 1 || m.WatchdogMS > MaxWatchdog {
		return fmt.Errorf("watchdog_ms %d out of range 1..%d", m.WatchdogMS, MaxWatchdog)
	}
	if m.Shared < 0 || m.Shared > MaxData/4 {
		return fmt.Errorf("shared %d out of range", m.Shared)
	}
	if m.Request.Mode != workloads.Sequential {
		return fmt.Errorf("a worker runs a workers-mode run's tasks one after another, in the engine's sequential mode, not %q", m.Request.Mode)
	}
	if len(m.More) >= MaxInFlight {
		return fmt.Errorf("%d more tasks exceed %d", len(m.More), MaxInFlight-1)
	}
	for _, t := range m.More {
		if t < 0 || t >= MaxTasks {
			return fmt.Errorf("task %d out of range", t)
		}
	}
	return checkRequest(&m.Request)
}

func (m *Finish) validate() error { return checkID(m.ID) }
func (m *Cancel) validate() error { return checkID(m.ID) }
func (m *Ping) validate() error   { return checkID(m.ID) }
func (m *Pong) validate() error   { return checkID(m.ID) }

func (m *Collected) validate() error {
	if m.StartUS < 0 || m.EndUS < m.StartUS {
		return fmt.Errorf("collection from %d to %d µs", m.StartUS, m.EndUS)
	}
	return checkID(m.ID)
}

func (m *Ready) validate() error {
	if m.Worker < 1 || m.Worker > MaxID {
		return fmt.Errorf("worker id %d out of range", m.Worker)
	}
	for _, c := range []struct {
		n string
		v float64
	}{{"instantiate_ms", m.InstantiateMS}, {"compile_ms", m.CompileMS}, {"script_ms", m.ScriptMS}, {"boot_ms", m.BootMS}, {"instantiated_ms", m.InstantiatedMS}, {"go_start_ms", m.GoStartMS}} {
		if err := checkMS(c.n, c.v); err != nil {
			return err
		}
	}
	if math.IsNaN(m.TimeOriginMS) || m.TimeOriginMS < 0 || m.TimeOriginMS > 1e15 {
		return fmt.Errorf("time_origin_ms %v out of range", m.TimeOriginMS)
	}
	return checkText("go_version", m.GoVersion)
}

func (m *Warmed) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if err := checkMS("ms", m.MS); err != nil {
		return err
	}
	if len(m.Kernels) > maxWorkloads {
		return fmt.Errorf("%d kernels", len(m.Kernels))
	}
	for _, k := range m.Kernels {
		if k.Runs < 0 || k.FirstUS < 0 || k.LastUS < 0 || len(k.Workload) > 64 {
			return fmt.Errorf("kernel report malformed: %+v", k)
		}
	}
	if err := checkMS("settled_ms", m.SettledMS); err != nil {
		return err
	}
	if len(m.SettlePassNS) > 100_000 {
		return fmt.Errorf("%d settle rounds", len(m.SettlePassNS))
	}
	for _, r := range m.SettlePassNS {
		if r < 0 {
			return fmt.Errorf("settle pass of %d ns", r)
		}
	}
	return checkText("error", m.Error)
}

func (m *Spans) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.Done < 0 || m.Done > MaxTasks {
		return fmt.Errorf("done %d out of range", m.Done)
	}
	return checkSpans(m.Spans)
}

func (m *Result) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	r := &m.Result
	if r.WallUS < 0 || r.StartupUS < 0 {
		return fmt.Errorf("negative wall or startup time")
	}
	if err := checkText("error", r.Error); err != nil {
		return err
	}
	if err := checkStuck(r.Stuck); err != nil {
		return err
	}
	if err := checkErrKind(m.ErrKind, m.AfterMS); err != nil {
		return err
	}
	return checkSpans(r.Spans)
}

func checkErrKind(kind string, after int64) error {
	switch kind {
	case "", ErrTimeout, ErrDeadlock:
	default:
		return fmt.Errorf("unknown err_kind %q", truncate(kind, 32))
	}
	if after < 0 {
		return fmt.Errorf("after_ms %d is negative", after)
	}
	return nil
}

func (m *TaskDone) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if len(m.More) >= MaxInFlight {
		return fmt.Errorf("%d more results exceed %d", len(m.More), MaxInFlight-1)
	}
	if m.ErrKind != "" && m.ErrKind != ErrTimeout {
		return fmt.Errorf("unknown err_kind %q", truncate(m.ErrKind, 32))
	}
	for _, r := range append([]workloads.TaskResult{m.Result}, m.More...) {
		if r.Task < 0 || r.Task >= MaxTasks || r.Lane < 0 || r.Lane >= workloads.MaxWorkers {
			return fmt.Errorf("task result for task %d lane %d out of range", r.Task, r.Lane)
		}
		if r.Data != nil {
			return errors.New("task output travels as the message's data, not in the body")
		}
		if err := checkText("error", r.Err); err != nil {
			return err
		}
		if err := checkSpans(r.Spans); err != nil {
			return err
		}
	}
	for _, r := range m.More {
		if r.Err != "" {
			return errors.New("a task's error travels alone, as the result, not among more")
		}
	}
	return checkSpans(m.Live)
}

func (m *Stuck) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.AfterMS < 0 {
		return fmt.Errorf("after_ms %d is negative", m.AfterMS)
	}
	return checkStuck(m.Stuck)
}

func (m *Error) validate() error {
	if m.ID < 0 || m.ID > MaxID {
		return fmt.Errorf("id %d out of range", m.ID)
	}
	if m.Error == "" {
		return errors.New("empty error")
	}
	return checkText("error", m.Error)
}

func (m *Exit) validate() error {
	if m.Code < -1 || m.Code > 255 {
		return fmt.Errorf("exit code %d out of range", m.Code)
	}
	return checkText("output", m.Output)
}

func (m *Output) validate() error {
	if m.Stream != "stdout" && m.Stream != "stderr" {
		return fmt.Errorf("unknown stream %q", truncate(m.Stream, 32))
	}
	return nil
}

func (m *Fatal) validate() error {
	if m.Error == "" {
		return errors.New("empty error")
	}
	return checkText("error", m.Error)
}

func (m *Spawn) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	return checkArgs(m.Args)
}

func (m *Spawned) validate() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.Error != "" {
		if m.Child != 0 {
			return errors.New("a refused spawn has no child")
		}
		return checkText("error", m.Error)
	}
	return checkChild(m.Child)
}

func (m *Reap) validate() error { return checkChild(m.Child) }

func (m *ChildFailed) validate() error {
	if err := checkChild(m.Child); err != nil {
		return err
	}
	if m.Error == "" {
		return errors.New("empty error")
	}
	return checkText("error", m.Error)
}

// checkChild checks a child's id.
func checkChild(id int) error {
	if id < 1 || id > MaxID {
		return fmt.Errorf("child id %d out of range", id)
	}
	return nil
}
