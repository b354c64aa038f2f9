//go:build js && wasm

// Package testworkloads registers workloads that exist only for the
// browser engine's tests: one whose task panics, one whose task kills its
// Go program, one whose tasks wait on each other forever, one that only
// sleeps (and can take its time to check), and one that hands bytes in
// and out. worker.wasm includes them only when built with the build tag
// conlabtest (the test runner's build), and the tests of package
// conlab/wasm import this package so the page knows them too. Their ids
// start with "test-" so they can never be mistaken for lessons.
package testworkloads

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"conlab/workloads"
)

const summary = "A workload for the browser engine's tests only: it is not a lesson, and the catalog " +
	"the students see never includes it. It exists so the tests can make a worker misbehave in a known way " +
	"and check that the pool reports it and stays usable."

func init() {
	workloads.Register(&workloads.Workload{
		ID: "test-panic", Title: "Test: a task that panics", Kind: workloads.Bug, Summary: summary,
		Params: []workloads.Param{
			workloads.IntParam("tasks", "Tasks", "", 2, 1, 64, "tasks"),
			workloads.IntParam("panic", "Panicking task", "", 0, -1, 63, "the task that panics; -1 for none"),
		},
		Quick: map[string]any{"panic": -1},
		Plan: func(a workloads.Args, n int) (*workloads.Plan, error) {
			tasks, bad := int(a.Int("tasks")), int(a.Int("panic"))
			return &workloads.Plan{
				Tasks: labels("task", tasks),
				New: func() workloads.Instance {
					return instance(func(t *workloads.T, i int) (uint64, error) {
						if i == bad {
							var m map[string]int
							m["boom"] = i // a nil map write: a real runtime panic
						}
						return 1, nil
					})
				},
				Combine: func(o workloads.Outputs) workloads.Check { return count(o, uint64(tasks)) },
			}, nil
		},
	})
	workloads.Register(&workloads.Workload{
		ID: "test-crash", Title: "Test: a task that kills its Go program", Kind: workloads.Bug, Summary: summary,
		Params: []workloads.Param{workloads.IntParam("tasks", "Tasks", "", 2, 1, 64, "tasks")},
		// A fatal error ends the whole program: on the page, the page's.
		Needs: workloads.Needs{OwnProgram: "it would end the page's own Go program, on purpose"},
		Plan: func(a workloads.Args, n int) (*workloads.Plan, error) {
			tasks := int(a.Int("tasks"))
			return &workloads.Plan{
				Tasks: labels("crash", tasks),
				New: func() workloads.Instance {
					return instance(func(t *workloads.T, i int) (uint64, error) {
						// A stack overflow is a fatal error, which no
						// recover catches: the worker's Go program exits.
						debug.SetMaxStack(1 << 16)
						return recurse(1 << 30), nil
					})
				},
				Combine: func(o workloads.Outputs) workloads.Check { return count(o, uint64(tasks)) },
			}, nil
		},
	})
	workloads.Register(&workloads.Workload{
		ID: "test-hang", Title: "Test: tasks that wait on each other forever", Kind: workloads.Bug, Summary: summary,
		Params: []workloads.Param{workloads.IntParam("tasks", "Tasks", "", 2, 1, 64, "tasks")},
		Plan: func(a workloads.Args, n int) (*workloads.Plan, error) {
			tasks := int(a.Int("tasks"))
			return &workloads.Plan{
				Tasks: labels("waiter", tasks),
				New: func() workloads.Instance {
					never := make(chan struct{})
					return instance(func(t *workloads.T, i int) (uint64, error) {
						err := t.Block(fmt.Sprintf("waits for task %d", (i+1)%tasks), func() error {
							select {
							case <-never:
								return nil
							case <-t.Context().Done():
								return t.Err()
							}
						})
						return 0, err
					})
				},
				Combine: func(o workloads.Outputs) workloads.Check { return count(o, uint64(tasks)) },
			}, nil
		},
	})
	workloads.Register(&workloads.Workload{
		ID: "test-sleepy", Title: "Test: tasks that sleep 1..n units", Kind: workloads.IO, Summary: summary,
		Params: []workloads.Param{
			workloads.IntParam("tasks", "Tasks", "", 4, 1, 64, "tasks"),
			workloads.IntParam("unit", "Unit", "ms", 50, 1, 10_000, "one unit of sleep"),
			workloads.IntParam("check", "Check", "ms", 0, 0, 10_000, "how long the check takes"),
		},
		Quick: map[string]any{"tasks": 2, "unit": 1},
		Plan: func(a workloads.Args, n int) (*workloads.Plan, error) {
			tasks, unit := int(a.Int("tasks")), time.Duration(a.Int("unit"))*time.Millisecond
			check := time.Duration(a.Int("check")) * time.Millisecond
			return &workloads.Plan{
				Tasks: labels("sleeper", tasks),
				New: func() workloads.Instance {
					return instance(func(t *workloads.T, i int) (uint64, error) {
						return 1, t.Sleep(time.Duration(i+1) * unit)
					})
				},
				Combine: func(o workloads.Outputs) workloads.Check {
					time.Sleep(check)
					return count(o, uint64(tasks))
				},
			}, nil
		},
	})
	workloads.Register(&workloads.Workload{
		ID: "test-bytes", Title: "Test: payloads in and out, and a final value", Kind: workloads.DataParallel, Summary: summary,
		Params: []workloads.Param{
			workloads.IntParam("tasks", "Tasks", "", 3, 1, 64, "tasks"),
			workloads.IntParam("size", "Size", "bytes", 1000, 8, 1<<24, "payload bytes per task"),
		},
		Quick: map[string]any{"tasks": 2, "size": 64},
		Plan: func(a workloads.Args, n int) (*workloads.Plan, error) {
			tasks, size := int(a.Int("tasks")), int(a.Int("size"))
			return &workloads.Plan{
				Tasks: labels("echo", tasks),
				New:   func() workloads.Instance { return &bytesInstance{} },
				Input: func(i int) []byte {
					b := make([]byte, size)
					for k := range b {
						b[k] = byte(i + k)
					}
					return b
				},
				Combine: func(o workloads.Outputs) workloads.Check {
					// Each task returns its input's sum and echoes the
					// input's first 8 bytes; each instance counts its tasks.
					var want, got, ran uint64
					for i := range tasks {
						for k := range size {
							want += uint64(byte(i + k))
						}
						if i < len(o.Data) && len(o.Data[i]) == 8 && binary.LittleEndian.Uint64(o.Data[i]) != firstEight(i) {
							return workloads.Check{Value: "bad echo", Expected: "echo", Note: fmt.Sprintf("task %d's output differs", i)}
						}
					}
					for _, v := range o.Values {
						got += v
					}
					for _, f := range o.Finals {
						ran += f
					}
					ok := got == want && ran == uint64(tasks)
					return workloads.Check{Value: fmt.Sprint(got, "/", ran), Expected: fmt.Sprint(want, "/", tasks), OK: ok}
				},
			}, nil
		},
	})
}

//go:noinline
func recurse(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	return recurse(n-1) + 1
}

func firstEight(i int) uint64 {
	var b [8]byte
	for k := range b {
		b[k] = byte(i + k)
	}
	return binary.LittleEndian.Uint64(b[:])
}

type bytesInstance struct{ ran uint64 }

func (b *bytesInstance) Run(t *workloads.T, i int) (uint64, error) {
	in := t.Input()
	if len(in) < 8 {
		return 0, errors.New("no input")
	}
	var s uint64
	for _, c := range in {
		s += uint64(c)
	}
	t.SetOutput(append([]byte(nil), in[:8]...))
	b.ran++
	return s, nil
}

func (b *bytesInstance) Final() uint64 { return b.ran }

type instance func(t *workloads.T, i int) (uint64, error)

func (f instance) Run(t *workloads.T, i int) (uint64, error) { return f(t, i) }

func labels(prefix string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("%s %d", prefix, i)
	}
	return s
}

func count(o workloads.Outputs, want uint64) workloads.Check {
	var got uint64
	for _, v := range o.Values {
		got += v
	}
	return workloads.Check{Value: fmt.Sprint(got), Expected: fmt.Sprint(want), OK: got == want}
}
