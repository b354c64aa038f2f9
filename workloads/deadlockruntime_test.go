//go:build !js

package workloads

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
)

// runtimeLabel returns the RuntimePrefix span of a run, "" if none.
func runtimeLabel(res *Result) string {
	for _, sp := range res.Spans {
		if strings.HasPrefix(sp.Label, RuntimePrefix) {
			return sp.Label
		}
	}
	return ""
}

// Natively the deadlock lesson shows Go's runtime's own verdict beside the
// watchdog's: the same circle, run as a cgo-free program of its own, ends
// with "fatal error: all goroutines are asleep - deadlock!" and exit code
// 2. A child built with cgo says it cannot tell, a run that cannot start
// a program says so, and runs where no circle can close do not ask.
func TestDeadlockRuntimeVerdict(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program (a few seconds); skipped with -short")
	}
	run := func(env Env, mode Mode, workers int, params map[string]any) *Result {
		t.Helper()
		res, err := Run(context.Background(), Request{Workload: "deadlock", Mode: mode, Workers: workers, Params: params}, Options{Env: env})
		if err != nil && res == nil {
			t.Fatal(err)
		}
		return res
	}
	bin := buildRawDeadlock(t)
	for _, tasks := range []int64{2, 3} {
		res := run(NativeEnv{Exe: bin}, Goroutines, int(tasks), map[string]any{"tasks": tasks})
		if !strings.HasPrefix(res.Error, "deadlock") || len(res.Stuck) != int(tasks) {
			t.Errorf("%d tasks: the watchdog's report is missing: %q %+v", tasks, res.Error, res.Stuck)
		}
		e, why, ok := RuntimeVerdict(runtimeLabel(res))
		if !ok || why != "" || e.Code != 2 || !strings.Contains(e.Stderr, "fatal error: all goroutines are asleep - deadlock!") {
			t.Errorf("%d tasks: the runtime's verdict: %v %q %+v (label %q)", tasks, ok, why, e, runtimeLabel(res))
		}
	}

	// This test binary is built with cgo (when it is not, its child
	// would deadlock for real: nothing to check then).
	if noDeadlockVerdict() != "" {
		res := run(NativeEnv{Exe: os.Args[0]}, Goroutines, 2, nil)
		_, why, ok := RuntimeVerdict(runtimeLabel(res))
		if !ok || !strings.Contains(why, "cgo") {
			t.Errorf("a cgo child: %v %q", ok, why)
		}
	}
	res := run(NativeEnv{}, Goroutines, 2, nil)
	if _, why, ok := RuntimeVerdict(runtimeLabel(res)); !ok || !strings.Contains(why, "cannot start a program of its own") {
		t.Errorf("no program to start: %v %q", ok, why)
	}
	for _, c := range []struct {
		mode    Mode
		workers int
		params  map[string]any
	}{
		{Goroutines, 2, map[string]any{"fix": "ordered"}},
		{Sequential, 1, nil},
		{Goroutines, 1, map[string]any{"hold": 1}},
	} {
		if l := runtimeLabel(run(NativeEnv{Exe: bin}, c.mode, c.workers, c.params)); l != "" {
			t.Errorf("%+v: the runtime was asked where no circle closes: %q", c, l)
		}
	}
}

// hangEnv starts children that do not end on their own (processes of
// this test binary, waiting 10 s between two lines), as a program whose
// runtime cannot see its deadlock would hang, and remembers them.
type hangEnv struct {
	NativeEnv
	started chan Child
}

func (e hangEnv) Spawn(ctx context.Context, opt SpawnOptions) (Child, error) {
	c, err := e.NativeEnv.Spawn(ctx, SpawnOptions{Args: []string{"-lines", "2", "-every", "10000"}})
	if err == nil {
		e.started <- c
	}
	return c, err
}

// A child the runtime does not stop is stopped before the run ends, and
// the verdict says the runtime did not declare the deadlock.
func TestDeadlockRuntimeHung(t *testing.T) {
	env := hangEnv{NativeEnv{Exe: os.Args[0]}, make(chan Child, 1)}
	res, _ := Run(context.Background(), Request{Workload: "deadlock", Mode: Goroutines, Workers: 2}, Options{Env: env})
	if res == nil {
		t.Fatal("no result")
	}
	if _, why, ok := RuntimeVerdict(runtimeLabel(res)); !ok || !strings.Contains(why, "had not declared its deadlock") {
		t.Errorf("%v %q", ok, why)
	}
	c := (<-env.started).(*processChild)
	if err := c.cmd.Process.Signal(syscall.Signal(0)); err == nil {
		t.Errorf("%s outlived the run", c.Name())
	}
}
