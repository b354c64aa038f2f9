package workloads

import (
	"fmt"
	"sort"
	"strings"
)

// Kind groups workloads in the catalog.
type Kind string

// Workload kinds, as the catalog groups them.
const (
	CPU          Kind = "CPU"
	CPUMemory    Kind = "CPU + memory"
	DataParallel Kind = "data-parallel"
	IO           Kind = "I/O"
	Race         Kind = "race"
	IOWrong      Kind = "I/O gone wrong"
	Bug          Kind = "bug"
	Sync         Kind = "sync"
	UI           Kind = "UI"
	Processes    Kind = "processes"
	Overhead     Kind = "overhead"
)

// Workload is one experiment of the catalog.
type Workload struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Kind    Kind   `json:"kind"`
	Summary string `json:"summary"` // the lesson, one paragraph, for a student
	// Mapping explains what in the Go source corresponds to what in the
	// Python program.
	Mapping string  `json:"mapping"`
	Params  []Param `json:"params"`
	// Python is a short program showing the lesson the classic way; Source
	// is the Go source of the workload itself (embedded, never copied).
	// Both are empty in a build with the conlab_nosource tag (source.go).
	Python string `json:"python"`
	Source string `json:"source"`
	// Needs says what the workload requires of the place its tasks run,
	// for the modes that run the engine elsewhere (see [Mode]).
	Needs Needs `json:"-"`
	// Quick holds parameter values for a run of a few milliseconds whose
	// check passes in every supported mode: used by tests and to warm up a
	// browser worker before anything is timed.
	Quick map[string]any `json:"quick,omitempty"`
	// Varies is set when the outcome itself differs from run to run (a
	// race loses a different number of updates, a deadlock may or may not
	// form): every request of such a workload gets a run of its own, never
	// one shared with another request (see Result.Shared).
	Varies bool `json:"varies,omitempty"`
	// Plan splits a run with validated args over n lanes.
	Plan func(a Args, n int) (*Plan, error) `json:"-"`
	// Cost estimates a native run's peak use of cores and memory from its
	// validated args (see Job.Cost; cost.go).
	Cost func(a Args, l Layout) Cost `json:"-"`
}

// Plan is a run split into tasks.
type Plan struct {
	// Tasks labels each task; len(Tasks) is the number of tasks.
	Tasks []string
	// New makes the state tasks share inside one memory: called once per
	// run natively or in a cooperative run, and once per worker in the
	// workers mode, where every worker has its own memory.
	New func() Instance
	// Input, if set, makes the payload handed to task i. In the workers
	// mode it is copied to the worker in a message, which is the lesson of
	// data-parallel workloads.
	Input func(i int) []byte
	// Combine turns the outputs into the checked value of the run.
	Combine func(o Outputs) Check
	// Shared is the number of int32 cells of shared memory the tasks use
	// (see T.Shared); 0 for none.
	Shared int
}

// Instance runs the tasks of one plan inside one memory.
type Instance interface {
	// Run runs task i and returns its output value. It must return soon
	// after t.Context() is done.
	Run(t *T, i int) (uint64, error)
}

// Finisher is an Instance that reports a value of its own after all the
// tasks it ran have finished (e.g. a shared counter).
type Finisher interface {
	Final() uint64
}

// Outputs are what a run's tasks and instances produced.
type Outputs struct {
	Values []uint64 // per task, by task index
	Data   [][]byte // per task, set by T.SetOutput (nil when unused)
	// Finals are the Final values of each instance that ran tasks: one
	// natively and in a cooperative run, one per worker in the workers mode.
	Finals []uint64
}

var registry = map[string]*Workload{}

// Register adds w to the catalog. It panics on a duplicate id or a
// malformed declaration: both are programming errors caught by any test.
func Register(w *Workload) {
	if _, dup := registry[w.ID]; dup {
		panic("workloads: duplicate workload " + w.ID)
	}
	if w.ID == "" || w.Title == "" || w.Summary == "" || w.Plan == nil {
		panic("workloads: incomplete workload " + w.ID)
	}
	for _, p := range w.Params {
		if _, err := p.Parse(p.Default); err != nil {
			panic(fmt.Sprintf("workloads: %s: default of %s: %v", w.ID, p.Name, err))
		}
	}
	registry[w.ID] = w
}

// Order is the catalog's display order: the order of the lessons.
var Order = []string{
	"countdown", "sumsquares", "mergesort", "multiply", "sleep", "download",
	"counter", "dbupdate", "blocking", "deadlock", "semaphore", "queue",
	"pool", "responsive", "subprocess", "spawn",
}

// All returns every registered workload in catalog order.
func All() []*Workload {
	out := make([]*Workload, 0, len(registry))
	seen := map[string]bool{}
	for _, id := range Order {
		if w, ok := registry[id]; ok {
			out = append(out, w)
			seen[id] = true
		}
	}
	var rest []string
	for id := range registry {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		out = append(out, registry[id])
	}
	return out
}

// Lookup returns the workload id, or an error listing the known ids.
func Lookup(id string) (*Workload, error) {
	w, ok := registry[id]
	if !ok {
		ids := make([]string, 0, len(registry))
		for _, w := range All() {
			ids = append(ids, w.ID)
		}
		return nil, &ParamError{Field: "workload", Msg: fmt.Sprintf("unknown workload %q (want one of %s)", id, strings.Join(ids, ", "))}
	}
	return w, nil
}

// Job is a validated request bound to its workload and plan.
type Job struct {
	Workload *Workload
	Request  Request // normalised: Workers and TimeoutMS set
	Args     Args
	Plan     *Plan
	// Schedule is the request's schedule, read; nil when it has none.
	Schedule *Schedule
}

// Prepare validates r, a request in one of the engine's modes, and plans
// it. An invalid request returns a *ParamError that names the offending
// field; Prepare never panics.
func Prepare(r Request) (job *Job, err error) {
	w, err := Lookup(r.Workload)
	if err != nil {
		return nil, err
	}
	if r.Mode == "" {
		r.Mode = Sequential
	}
	if _, err := ParseMode(string(r.Mode)); err != nil {
		return nil, err
	}
	if r.Workers == 0 {
		r.Workers = 1
	}
	if r.Workers < 1 || r.Workers > MaxWorkers {
		return nil, &ParamError{Field: "workers", Msg: fmt.Sprintf("workers: %d is out of range; allowed: a whole number from 1 to %d", r.Workers, MaxWorkers)}
	}
	if r.GOMAXPROCS < 0 || r.GOMAXPROCS > 1024 {
		return nil, &ParamError{Field: "gomaxprocs", Msg: fmt.Sprintf("gomaxprocs: %d is out of range; allowed: 0 (unchanged) to 1024", r.GOMAXPROCS)}
	}
	if r.TimeoutMS == 0 {
		r.TimeoutMS = DefaultTimeoutMS
	}
	if r.TimeoutMS < 1 || r.TimeoutMS > MaxTimeoutMS {
		return nil, &ParamError{Field: "timeout_ms", Msg: fmt.Sprintf("timeout_ms: %s is out of range; allowed: 1 to %s", GroupDigits(int64(r.TimeoutMS)), GroupDigits(MaxTimeoutMS))}
	}
	var sched *Schedule
	if r.Schedule != "" {
		s, err := ParseSchedule(r.Schedule)
		if err != nil {
			return nil, err
		}
		sched = &s
	}
	a, err := w.Args(r.Params)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			job, err = nil, fmt.Errorf("%s: planning failed: %v", w.ID, p)
		}
	}()
	plan, err := w.Plan(a, r.Workers)
	if err != nil {
		return nil, err
	}
	if plan == nil || plan.New == nil || plan.Combine == nil || len(plan.Tasks) == 0 {
		return nil, fmt.Errorf("%s: incomplete plan", w.ID)
	}
	r.Params = a.Map()
	if sched != nil {
		lanes := 1
		if r.Mode == Goroutines {
			lanes = min(r.Workers, len(plan.Tasks))
		}
		for k, g := range sched.Choices {
			if g >= lanes {
				return nil, &ParamError{Field: "schedule", Msg: fmt.Sprintf(
					"schedule: step %d names goroutine %d, but this run has %d (0 to %d: one per task, at most workers = %d, in mode %s)",
					k+1, g, lanes, lanes-1, r.Workers, r.Mode)}
			}
		}
	}
	return &Job{Workload: w, Request: r, Args: a, Plan: plan, Schedule: sched}, nil
}
