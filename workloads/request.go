package workloads

import (
	"fmt"
	"strings"
	"time"
)

// MaxWorkers bounds the number of lanes (goroutines or Web Workers) of a run.
const MaxWorkers = 64

// Request asks for one run of a workload.
//
// JSON form:
//
//	{"workload": "countdown", "mode": "goroutines", "workers": 2,
//	 "params": {"count": 100000000}, "gomaxprocs": 2, "timeout_ms": 60000}
//
// Params may be omitted (defaults apply); values are JSON numbers, bools or
// strings as the parameter's type says. GOMAXPROCS is honoured by native
// runners only; 0 means leave it as it is.
type Request struct {
	Workload   string         `json:"workload"`
	Mode       Mode           `json:"mode"`
	Workers    int            `json:"workers"`
	Params     map[string]any `json:"params,omitempty"`
	GOMAXPROCS int            `json:"gomaxprocs,omitempty"`
	TimeoutMS  int64          `json:"timeout_ms,omitempty"`
	// Schedule, when set, runs the tasks step by step under the controlled
	// scheduler, in the text form of a [Schedule] ("0.1.1.0").
	Schedule string `json:"schedule,omitempty"`
}

// DefaultTimeoutMS is the deadline of a run whose request names none.
const DefaultTimeoutMS = 120_000

// MaxTimeoutMS bounds a request's deadline.
const MaxTimeoutMS = 600_000

// State is what a task is doing during a span.
type State string

// Span states, drawn in distinct colours on the timeline.
const (
	Running State = "running" // using the CPU
	Waiting State = "waiting" // sleeping or waiting for I/O: the CPU is free
	Blocked State = "blocked" // waiting for another task (lock, channel, semaphore)
	Startup State = "startup" // a worker starting (compile, instantiate, warm up)
)

// Span is one stretch of one task on one lane. Times are microseconds from
// the run's start, on one clock for every lane.
type Span struct {
	Lane  int    `json:"lane"`
	Task  int    `json:"task"` // -1 for spans that belong to no task (start-up)
	Label string `json:"label"`
	State State  `json:"state"`
	Start int64  `json:"start_us"`
	End   int64  `json:"end_us"`
}

// Facts describe where a run ran.
type Facts struct {
	Engine     string `json:"engine"` // "native", "wasm-worker" or "wasm-page"
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	NumCPU     int    `json:"numcpu"`
	GoVersion  string `json:"go_version"`
	CPU        string `json:"cpu,omitempty"`
	Browser    string `json:"browser,omitempty"`
}

// Check is the combined value of a run and whether it is the one expected.
type Check struct {
	Value    string `json:"value"`
	Expected string `json:"expected"`
	OK       bool   `json:"ok"`
	// Note explains the value for a student, e.g. "updates were lost".
	Note string `json:"note,omitempty"`
}

// Result reports one run.
//
// JSON form (times in microseconds):
//
//	{"workload": "countdown", "mode": "goroutines", "workers": 2,
//	 "params": {"count": 100000000}, "wall_us": 81234,
//	 "check": {"value": "100000000", "expected": "100000000", "ok": true},
//	 "spans": [{"lane": 0, "task": 0, "label": "count 50000000",
//	            "state": "running", "start_us": 3, "end_us": 81200}],
//	 "facts": {"engine": "native", "goos": "linux", ...}}
//
// WallUS ends when the last task ends: checking the outputs afterwards
// (CheckUS) is the lab's verification, not the lesson's work, and some
// checks recompute as much as the run did (multiply's), so timing them
// would blur what the lesson compares. Every engine times it this way.
//
// A run that failed has Error set (and Stuck, for a deadlock); its spans
// still show what happened up to the failure.
type Result struct {
	Workload  string         `json:"workload"`
	Mode      Mode           `json:"mode"`
	Workers   int            `json:"workers"`
	Params    map[string]any `json:"params"`
	WallUS    int64          `json:"wall_us"`
	StartupUS int64          `json:"startup_us,omitempty"` // worker start-up paid by this run
	CheckUS   int64          `json:"check_us,omitempty"`   // checking the outputs, after WallUS
	Check     Check          `json:"check"`
	Spans     []Span         `json:"spans"`
	Facts     Facts          `json:"facts"`
	Error     string         `json:"error,omitempty"`
	Stuck     []StuckTask    `json:"stuck,omitempty"`
	// Shared is how many requests received this one run: a server may
	// answer identical requests that arrive while a run of theirs is in
	// progress with that single run, and then sets Shared (always 2 or
	// more) in the answer each of them gets. The run is still live (it was
	// running when each request arrived and nothing is replayed from a
	// store), but it was not started for each request alone: the later
	// ones joined it part-way. 0 means the run was this request's own.
	// Workloads whose outcome varies from run to run (Workload.Varies)
	// are never shared.
	Shared int `json:"shared,omitempty"`

	// A controlled run (a request with a schedule) reports the schedule
	// that ran, every choice included (replaying it gives the same steps),
	// its steps, and its outcome; a paused one also each goroutine's next
	// step. Its clock counts steps: WallUS and the spans' times are steps
	// of StepUS each, not measured time.
	Schedule string `json:"schedule,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	Steps    []Step `json:"steps,omitempty"`
	Next     []Step `json:"next,omitempty"`
}

// ParamError reports an invalid request field or parameter. Field names
// the request field ("workload", "mode", "workers", ...) or the parameter.
type ParamError struct {
	Field string
	Msg   string
}

func (e *ParamError) Error() string { return e.Msg }

// StuckTask names a task that was waiting when a deadlock was declared.
type StuckTask struct {
	Task  int    `json:"task"`
	Lane  int    `json:"lane"`
	Label string `json:"label"` // what it was waiting for
}

// DeadlockError reports tasks that all waited on each other with no
// progress for longer than the watchdog allows.
type DeadlockError struct {
	Stuck []StuckTask
	After int64 // ms without progress
	// Scheduled says the controlled scheduler found it: no unfinished task
	// could take its next step (After is then 0).
	Scheduled bool
}

func (e *DeadlockError) Error() string {
	names := make([]string, len(e.Stuck))
	for i, s := range e.Stuck {
		names[i] = fmt.Sprintf("task %d (%s)", s.Task, s.Label)
	}
	if e.Scheduled {
		return fmt.Sprintf("deadlock: no task can take its next step; stuck: %s", strings.Join(names, ", "))
	}
	return fmt.Sprintf("deadlock: no progress for %s; stuck: %s", formatDuration(time.Duration(e.After)*time.Millisecond), strings.Join(names, ", "))
}

// UnsupportedError reports a mode a workload cannot run in, with the reason
// in words a student understands.
type UnsupportedError struct {
	Workload string
	Mode     Mode
	Reason   string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s cannot run in %s mode: %s", e.Workload, e.Mode, e.Reason)
}
