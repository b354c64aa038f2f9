// Package proto is the message protocol between the page's worker pool
// (package conlab/wasm) and worker.wasm.
//
// A message is a plain JavaScript object
//
//	{v: 5, kind: "task", body: "<JSON>", data: Uint8Array?, shared: SharedArrayBuffer?}
//
// where v is [Version], kind names one of the body types below, body is
// that type's JSON form, data is an optional byte payload (a task's input
// or output: the copy the workers mode pays for) and shared an optional
// SharedArrayBuffer. Both sides decode with [Decode], which rejects an
// unknown version or kind, a body with unknown fields, and values out of
// their bounds: nothing that crosses a worker boundary is trusted. A
// missing field reads as its zero value, which the bounds refuse where
// zero means nothing (an id, a worker, a watchdog).
//
// A body's JSON is the one encoding/json gives its struct tags, written
// and read by the walk methods of walk_gen.go, which go generate writes
// from the struct types. After a change to a body type, to a type a body
// holds (package workloads' Request, Result, Span...) or to the kinds
// table, regenerate with
//
//	go generate ./wasm/internal/proto
//
// A test fails while the file is stale.
package proto

//go:generate go run ./internal/gen

import (
	"errors"
	"fmt"

	"conlab/workloads"
)

// Version is the protocol version. Both sides reject any other.
const Version = 5

// Kind names a message type.
type Kind string

// Messages from the page to a worker.
const (
	KBoot   Kind = "boot"   // handled by worker.js: the compiled module and the page's facts
	KWarm   Kind = "warm"   // run each kernel once with quick parameters
	KRun    Kind = "run"    // a whole run (sequential or cooperative) inside the worker
	KTask   Kind = "task"   // one task of a workers-mode run
	KFinish Kind = "finish" // the workers-mode run is over: drop it
	KCancel Kind = "cancel" // stop the run's tasks
	KPing   Kind = "ping"   // answer with a pong
	// A worker's children are started by the page (see Spawn).
	KSpawned     Kind = "spawned"     // answer to spawn: the child's port, or why there is none
	KChildFailed Kind = "childfailed" // a child of this worker failed as a Web Worker
)

// Messages from a worker to the page.
const (
	KReady     Kind = "ready"     // the Go program is up and listening
	KWarmed    Kind = "warmed"    // answer to warm
	KSpans     Kind = "spans"     // spans that closed, for live progress
	KResult    Kind = "result"    // answer to run
	KTaskDone  Kind = "taskdone"  // answer to task
	KStuck     Kind = "stuck"     // every task of a run in this worker is blocked
	KPong      Kind = "pong"      // answer to ping
	KCollected Kind = "collected" // a run's garbage is collected: the worker is idle
	KError     Kind = "error"     // a message was rejected or could not be served
	KExit      Kind = "exit"      // from worker.js: the Go program exited
	KFatal     Kind = "fatal"     // from worker.js: the worker could not start
	KOutput    Kind = "output"    // a child's stdout or stderr bytes, as the data
	KSpawn     Kind = "spawn"     // start a child program for this worker
	KReap      Kind = "reap"      // this worker is done with its child: end it
)

// Roles of a worker.
const (
	RolePool  = ""      // a pool worker: serves warm, run, task, finish, cancel, ping
	RoleChild = "child" // a child program: runs workloads.ChildMain(Args) and exits
)

// Limits on what a message may carry.
const (
	MaxBody      = 64 << 20 // bytes of JSON body
	MaxData      = 1 << 30  // bytes of payload
	MaxID        = 1 << 53  // ids stay exact as JavaScript numbers
	MaxTasks     = 1 << 20  // task index bound
	MaxSpans     = 1 << 22  // spans in one message
	MaxText      = 1 << 16  // bytes of an error text or label
	MaxWatchdog  = workloads.MaxTimeoutMS
	maxWorkloads = 256
)

// Boot is what the page sends worker.js (with the compiled module); the
// Go program reads it back from worker.js to learn its identity.
type Boot struct {
	Worker int      `json:"worker"` // the pool's id of this worker, for messages
	Base   string   `json:"base"`   // URL that relative fetches resolve against
	Role   string   `json:"role"`   // RolePool or RoleChild
	Args   []string `json:"args"`   // the child's arguments (RoleChild only)
}

// Warm asks a worker to run each listed workload once with its Quick
// parameters, so the first timed call is not the browser's unoptimised one.
type Warm struct {
	ID        int64    `json:"id"`
	Workloads []string `json:"workloads"` // each called twice
	// Long are the workloads to keep calling for MinMS each: the browser
	// optimises a function in the background after it ran a while, and a
	// run only gets the optimised code in a later call.
	Long  []string `json:"long"`
	MinMS float64  `json:"min_ms"`
	// SettleMS, when positive, asks the worker to settle after warming:
	// to repeat a calibration pass over Workloads until consecutive
	// rounds agree (package conlab/wasm/internal/settle), for at least
	// SettleMinMS and at most SettleMS.
	SettleMS    float64 `json:"settle_ms,omitempty"`
	SettleMinMS float64 `json:"settle_min_ms,omitempty"`
}

// Run asks a worker for a whole run of a sequential or cooperative run.
// Its Request is in the engine's terms: mode sequential or goroutines (a
// cooperative run is goroutines in the worker's one instance).
type Run struct {
	ID         int64             `json:"id"`
	Request    workloads.Request `json:"request"`
	OriginUS   int64             `json:"origin_us"` // the run's start on the shared clock
	WatchdogMS int64             `json:"watchdog_ms"`
}

// Task asks a worker for one task of a workers-mode run. The first task a
// worker gets for a run makes its instance (its own memory) for that run.
// Its Request is in the engine's terms: mode sequential, as each worker
// runs its tasks one after another.
type Task struct {
	ID         int64             `json:"id"`
	Task       int               `json:"task"`
	Lane       int               `json:"lane"`
	Request    workloads.Request `json:"request"`
	OriginUS   int64             `json:"origin_us"`
	DeadlineUS int64             `json:"deadline_us"` // when the run must end, on the shared clock
	WatchdogMS int64             `json:"watchdog_ms"`
	Shared     int               `json:"shared"` // int32 cells of the SharedArrayBuffer sent along; 0 for none
	// More are further tasks of the run for the same lane, queued after
	// Task in order: the page hands out several short tasks in one
	// message, so that a worker always has its next task in hand. Only
	// tasks that take no input payload travel this way.
	More []int `json:"more,omitempty"`
}

// MaxInFlight bounds the tasks of one run a worker holds, running and
// queued.
const MaxInFlight = 1024

// Kinds of error a result carries as a structured value (ErrKind), so
// that the page rebuilds the error without reading its text.
const (
	ErrTimeout  = "timeout"  // the run's deadline passed (AfterMS: when)
	ErrDeadlock = "deadlock" // every task blocked (AfterMS: for how long)
)

// Finish ends a workers-mode run in a worker, which drops it. It has no
// answer: each TaskDone already carried the instance's Final, so the run
// ends without another round trip (half a millisecond of every run).
type Finish struct {
	ID int64 `json:"id"`
}

// Cancel stops the run's tasks in a worker.
type Cancel struct {
	ID int64 `json:"id"`
}

// Ping asks for a Pong.
type Ping struct {
	ID int64 `json:"id"`
}

// Ready says the worker's Go program runs. Durations are in ms; the
// moments of its start are in ms since the worker's TimeOriginMS (its
// performance.timeOrigin, on the shared clock): worker.js running,
// the boot message in, the module instantiated, Go listening.
type Ready struct {
	Worker         int     `json:"worker"`
	CompileMS      float64 `json:"compile_ms"` // only when the worker compiled the module itself
	InstantiateMS  float64 `json:"instantiate_ms"`
	TimeOriginMS   float64 `json:"time_origin_ms"`
	ScriptMS       float64 `json:"script_ms"`
	BootMS         float64 `json:"boot_ms"`
	InstantiatedMS float64 `json:"instantiated_ms"`
	GoStartMS      float64 `json:"go_start_ms"`
	GoVersion      string  `json:"go_version"`
}

// Warmed answers Warm.
type Warmed struct {
	ID      int64        `json:"id"`
	MS      float64      `json:"ms"`
	Kernels []KernelWarm `json:"kernels"`
	Error   string       `json:"error,omitempty"`
	// The settling Warm.SettleMS asked for: whether its rounds agreed,
	// how long it took (ms) and, per round, the mean time of a
	// calibration pass in it (ns).
	Settled      bool    `json:"settled,omitempty"`
	SettledMS    float64 `json:"settled_ms,omitempty"`
	SettlePassNS []int64 `json:"settle_pass_ns,omitempty"`
}

// KernelWarm is how warming one kernel went: its first (unoptimised) call
// and its last.
type KernelWarm struct {
	Workload string `json:"workload"`
	Runs     int    `json:"runs"`
	FirstUS  int64  `json:"first_us"`
	LastUS   int64  `json:"last_us"`
}

// Spans carries spans that closed, relative to the run's origin, and how
// many tasks of a whole run have finished.
type Spans struct {
	ID    int64            `json:"id"`
	Spans []workloads.Span `json:"spans"`
	Done  int              `json:"done"`
}

// Result answers Run. Its spans are relative to the run's origin.
//
// Only what the page needs travels: the check, its time, the spans, the
// error and, for a deadlock, the stuck tasks (the page knows the rest).
// ErrKind says what kind of error Result.Error is, with AfterMS.
type Result struct {
	ID      int64            `json:"id"`
	Result  workloads.Result `json:"result"`
	ErrKind string           `json:"err_kind,omitempty"`
	AfterMS int64            `json:"after_ms,omitempty"`
}

// TaskDone answers Task. The task's output payload travels as the
// message's data, not inside the JSON. Final is the worker's instance's
// Final after the task, when HasFinal: the last one of a lane is the
// instance's Final for the run. Live are the spans this worker had not
// yet sent in a Spans message, for the live timeline (Result.Spans has
// all of the task's).
//
// More are the results of tasks that ran after Result's, in order: a
// worker answers several short tasks in one message. A result with an
// output payload or an error always travels alone, as Result, and
// ErrKind says (ErrTimeout) when its error is the run's deadline.
type TaskDone struct {
	ID       int64                  `json:"id"`
	Result   workloads.TaskResult   `json:"result"`
	Live     []workloads.Span       `json:"live,omitempty"`
	Final    uint64                 `json:"final,omitempty"`
	HasFinal bool                   `json:"has_final,omitempty"`
	More     []workloads.TaskResult `json:"more,omitempty"`
	ErrKind  string                 `json:"err_kind,omitempty"`
}

// Stuck reports that every task of the run in this worker has been blocked
// without progress for AfterMS; an empty Stuck says it moved again.
type Stuck struct {
	ID      int64                 `json:"id"`
	Stuck   []workloads.StuckTask `json:"stuck"`
	AfterMS int64                 `json:"after_ms"`
}

// Pong answers Ping.
type Pong struct {
	ID int64 `json:"id"`
}

// Collected says that a worker has collected the garbage of a run, after
// answering it: the Go collector ran from StartUS to EndUS (on the shared
// clock). A worker sends one for each run it answered with a Result, and
// one for each workers-mode run it answered a TaskDone of, once the run
// ended there (Finish, Cancel or its deadline). Until then the worker's
// thread is busy: a message waits, and so does a core.
type Collected struct {
	ID      int64 `json:"id"`
	StartUS int64 `json:"start_us"`
	EndUS   int64 `json:"end_us"`
}

// Error reports a rejected message or a request that could not be served.
// ID is the id of the message it answers, 0 when unknown.
type Error struct {
	ID    int64  `json:"id"`
	Error string `json:"error"`
}

// Exit reports that the worker's Go program exited (it cannot serve any
// more messages). Output is the end of what it wrote to the console (a
// crash's panic message).
type Exit struct {
	Code   int    `json:"code"`
	Output string `json:"output"`
}

// Output carries a child's output bytes as the message's data.
type Output struct {
	Stream string `json:"stream"` // "stdout" or "stderr"
}

// Fatal reports that the worker could not start.
type Fatal struct {
	Error string `json:"error"`
}

// Spawn asks the page to start a child program (a worker in RoleChild)
// for the worker that sends it. The page starts every Web Worker itself:
// a worker that constructed one would wait inside the constructor for
// the browser (Firefox blocks the worker's thread there), and its one Go
// thread with it. The page links the child to the worker with a
// MessageChannel and answers with Spawned; from then on the child posts
// its Output and Exit on the channel, to the worker directly.
type Spawn struct {
	ID    int64    `json:"id"`
	Args  []string `json:"args"`
	Fresh bool     `json:"fresh"` // the child compiles worker.wasm itself
}

// Spawned answers Spawn. With no Error the message carries, as its
// "port", the worker's end of the channel to the child; Child is the
// child's id, for Reap and ChildFailed.
type Spawned struct {
	ID    int64  `json:"id"`
	Child int    `json:"child"`
	Error string `json:"error,omitempty"`
}

// Reap says the worker is done with its child (it exited, or the worker
// stopped it): the page terminates the child's Web Worker.
type Reap struct {
	Child int `json:"child"`
}

// ChildFailed tells a worker that its child's Web Worker failed (its
// script did not load, an exception escaped it), which only the page,
// holding the Worker, hears.
type ChildFailed struct {
	Child int    `json:"child"`
	Error string `json:"error"`
}

// Direction says which side a message travels to.
type Direction int

// Directions.
const (
	ToWorker Direction = iota
	ToPage
)

// Body is a message body: a pointer to one of this package's body types
// (the types of the kinds table).
type Body interface {
	kind() Kind
	walkable
	validate() error
}

// kindInfo is a kind's direction and a constructor of its body.
type kindInfo struct {
	dir Direction
	new func() Body
}

// kinds is every message kind, with its direction and its body type. The
// generator reads this table: each body type gets its kind method and its
// walk from it (go generate ./wasm/internal/proto after a change).
var kinds = map[Kind]kindInfo{
	KBoot:        {ToWorker, newBody[Boot]},
	KWarm:        {ToWorker, newBody[Warm]},
	KRun:         {ToWorker, newBody[Run]},
	KTask:        {ToWorker, newBody[Task]},
	KFinish:      {ToWorker, newBody[Finish]},
	KCancel:      {ToWorker, newBody[Cancel]},
	KPing:        {ToWorker, newBody[Ping]},
	KSpawned:     {ToWorker, newBody[Spawned]},
	KChildFailed: {ToWorker, newBody[ChildFailed]},
	KReady:       {ToPage, newBody[Ready]},
	KWarmed:      {ToPage, newBody[Warmed]},
	KSpans:       {ToPage, newBody[Spans]},
	KResult:      {ToPage, newBody[Result]},
	KTaskDone:    {ToPage, newBody[TaskDone]},
	KStuck:       {ToPage, newBody[Stuck]},
	KPong:        {ToPage, newBody[Pong]},
	KCollected:   {ToPage, newBody[Collected]},
	KError:       {ToPage, newBody[Error]},
	KExit:        {ToPage, newBody[Exit]},
	KFatal:       {ToPage, newBody[Fatal]},
	KOutput:      {ToPage, newBody[Output]},
	KSpawn:       {ToPage, newBody[Spawn]},
	KReap:        {ToPage, newBody[Reap]},
}

func newBody[T any, P interface {
	*T
	Body
}]() Body {
	return P(new(T))
}

// Encode returns the kind and JSON body of a message body. It validates
// the body first, so a side never sends what the other would reject.
func Encode(body Body) (Kind, string, error) {
	if body == nil {
		return "", "", errors.New("proto: no message body")
	}
	k := body.kind()
	if err := body.validate(); err != nil {
		return "", "", fmt.Errorf("proto: invalid %s message: %w", k, err)
	}
	text, err := encodeJSON(body)
	if err != nil {
		return "", "", fmt.Errorf("proto: encoding %s: %w", k, err)
	}
	return k, text, nil
}

// ErrRejected wraps every error of Decode.
var ErrRejected = errors.New("message rejected")

// Decode checks a received message's version and kind against the
// direction it travels and decodes its body strictly. It returns a pointer
// to the kind's body type.
func Decode(dir Direction, version float64, kind, body string) (Body, error) {
	reject := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrRejected, fmt.Sprintf(format, a...))
	}
	if version != Version {
		return nil, reject("protocol version %v, want %d", version, Version)
	}
	k, ok := kinds[Kind(kind)]
	if !ok {
		return nil, reject("unknown kind %q", truncate(kind, 64))
	}
	if k.dir != dir {
		return nil, reject("kind %q does not travel this way", kind)
	}
	if len(body) > MaxBody {
		return nil, reject("%s body of %d bytes exceeds %d", kind, len(body), MaxBody)
	}
	v := k.new()
	if err := decodeJSON(body, v); err != nil {
		return nil, reject("%s body: %v", kind, err)
	}
	if err := v.validate(); err != nil {
		return nil, reject("%s: %v", kind, err)
	}
	return v, nil
}
