package workloads

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "spawn",
		Title: "Spawn: what starting a process or a worker costs",
		Kind:  Overhead,
		Summary: "Before a new process or Web Worker does any work it must start: the operating system " +
			"loads the program, the browser creates the worker and instantiates the WebAssembly module " +
			"(and compiles it first unless it was compiled once and shared), and the Go runtime starts. " +
			"Then the first call of a loop is slower than the next ones, because the browser first runs " +
			"it unoptimised. For a small job these costs can be larger than the job itself, which eats " +
			"the speed-up of going parallel; a warm pool pays them once, not per job. Each task here " +
			"starts a child, has it do a tiny job twice (cold, then warm) and answer; the timeline draws " +
			"start-up and work in different colours. Compare processes with goroutines (which cost " +
			"almost nothing to start), and in the browser compiling once with compiling in every worker.",
		Mapping: "`multiprocessing.Process(target=job).start()` is Spawn with the kind process; the timing " +
			"around `start()` and the first message is the start-up span; calling job twice and timing each " +
			"call is the cold and warm spans; a `Pool` reused for many jobs is the warm pool of the " +
			"workers mode.",
		Params: []Param{
			IntParam("children", "Children", "children", 8, 1, MaxWorkers,
				"How many children to start, one per task."),
			ChoiceParam("kind", "Child", []string{childKindProcess, childKindGoroutine},
				"process: a separate program (a new process natively, a new Web Worker in the browser); "+
					"goroutine: a goroutine of the running program."),
			ChoiceParam("compile", "Compile", []string{"once", "each"},
				"In the browser: once: every new worker instantiates the module the page compiled once; "+
					"each: every worker compiles it anew, from bytes of its own (a copy with a section of random bytes, "+
					"which the browser ignores), so it cannot reuse a module it compiled before. "+
					"Natively and for goroutines it changes nothing."),
			IntParam("work", "Job size", "squares", 1_000_000, 1, 100_000_000,
				"How many squares the child's tiny job adds up (it does it twice: cold, then warm)."),
		},
		Python: spawnPython,
		Source: spawnSource,
		// Goroutines keep the quick run (a browser worker's warm-up) from
		// starting workers of its own.
		Quick: map[string]any{"children": 2, "work": 1000, "kind": childKindGoroutine},
		Plan:  planSpawn,
		Cost:  costSpawn,
	})
}

func planSpawn(a Args, n int) (*Plan, error) {
	s := spawnInstance{
		children: int(a.Int("children")), kind: a.String("kind"),
		fresh: a.String("compile") == "each", work: a.Int("work"),
	}
	return &Plan{
		Tasks:   childLabels(s.children),
		New:     func() Instance { return s },
		Combine: s.check,
	}, nil
}

// ChildCallFormat labels the mark of a call as the child timed it: the
// call ("cold" or "warm") and its microseconds.
const ChildCallFormat = "%s call timed by the child: %d µs"

type spawnInstance struct {
	children int
	kind     string
	fresh    bool
	work     int64
}

// Run starts child i, times its start-up (until its "ready" line) and its
// two calls, and checks its answers.
func (s spawnInstance) Run(t *T, i int) (uint64, error) {
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	args := []string{"-id", strconv.Itoa(i), "-work", strconv.FormatInt(s.work, 10)}
	cr, err := launchChild(ctx, cancel, t, i, "spawn "+s.kind, s.kind, SpawnOptions{Args: args, Fresh: s.fresh})
	if err != nil {
		return 0, err
	}
	rep := &cr.rep
	want := childAnswer(i, s.work)
	for _, call := range []struct {
		prefix, label string
		us            *int64
	}{{"cold ", "first call (cold)", &rep.ColdUS}, {"warm ", "second call (warm)", &rep.WarmUS}} {
		t.Phase(rep.Child+": "+call.label, Running)
		// A call may take a while unoptimised on a busy machine: a
		// generous 20 ns a square (about 20 times a warm loop's) on top.
		line, err := cr.expect(call.prefix, "its "+call.label, ChildQuietLimit+time.Duration(s.work)*20*time.Nanosecond)
		if err != nil {
			return 0, err
		}
		v, us, err := parseAnswer(line)
		if err != nil {
			return 0, cr.fail(err)
		}
		if v != want {
			return 0, cr.fail(fmt.Errorf("%s answered %d, want %d", call.label, v, want))
		}
		*call.us = us
		// The call as the child timed it, without the pipe or message
		// between parent and child: a mark of its own on the timeline,
		// which the page's chart of start-up costs reads.
		t.Phase(fmt.Sprintf(ChildCallFormat, strings.TrimSpace(call.prefix), us), Running)
	}
	if err := cr.finish(t); err != nil {
		return 0, err
	}
	if rep.Exit.Code != 0 {
		return 0, fmt.Errorf("child %d (%s) exited with code %d: %s", i, rep.Child, rep.Exit.Code, clipText(rep.Exit.Stderr, 200))
	}
	return 1, cr.report(t)
}

// check counts the children that answered right and sums up what starting
// them and their first and second calls cost.
func (s spawnInstance) check(o Outputs) Check {
	c := equalCheck(sum(o.Values), uint64(s.children), "")
	reps, err := childReports(o, s.children)
	if err != nil {
		c.OK, c.Note = false, err.Error()
		return c
	}
	if !c.OK {
		c.Note = "some children did not answer"
		return c
	}
	median := func(f func(childReport) int64) time.Duration {
		v := make([]int64, len(reps))
		for i, r := range reps {
			v[i] = f(r)
		}
		slices.Sort(v)
		return time.Duration(v[len(v)/2]) * time.Microsecond
	}
	what := "per " + s.kind
	if reps[0].FellBack {
		what = "per in-process child (no process could be started here)"
	}
	c.Note = fmt.Sprintf("all %d children answered; median start-up %s %s; first call %s, second call %s",
		s.children, formatDuration(median(func(r childReport) int64 { return r.StartupUS })), what,
		formatDuration(median(func(r childReport) int64 { return r.ColdUS })), formatDuration(median(func(r childReport) int64 { return r.WarmUS })))
	return c
}
