package workloads

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// wantDeadlock checks a run ended with a DeadlockError naming every task of
// the circle, each waiting for the resource its neighbour holds.
func wantDeadlock(t *testing.T, res *Result, err error, tasks int) {
	t.Helper()
	var dl *DeadlockError
	if !errors.As(err, &dl) {
		t.Fatalf("got %v, want a *DeadlockError", err)
	}
	if res == nil || !strings.Contains(res.Error, "deadlock") || len(res.Stuck) != tasks {
		t.Fatalf("result %+v: want the error and %d stuck tasks", res, tasks)
	}
	for i, s := range dl.Stuck {
		next := (i + 1) % tasks
		want := "wait for " + lockName(next)
		if s.Task != i || !strings.HasPrefix(s.Label, want) {
			t.Errorf("stuck[%d] = %+v, want task %d %q...", i, s, i, want)
		}
		if !strings.Contains(s.Label, "held by task") {
			t.Errorf("stuck[%d] = %+v: the label should say who holds the resource", i, s)
		}
	}
	for i := range tasks {
		if !strings.Contains(err.Error(), "task "+string(rune('0'+i))) {
			t.Errorf("the error %q does not name task %d", err, i)
		}
	}
}

// The watchdog ends a deadlock after exactly its patience, on a fake clock.
func TestDeadlockWatchdogFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res, err := Run(context.Background(), Request{Workload: "deadlock", Mode: Goroutines, Workers: 2,
			Params: map[string]any{"fix": fixNone, "hold": 100}}, Options{})
		wantDeadlock(t, res, err, 2)
		if want := "no progress for 1.00 s;"; !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q: want the time without progress as %q", err, want)
		}
		// 100 ms holding, then DefaultWatchdog without progress, noticed on
		// the watchdog's next tick (at most 50 ms later).
		lo := int64(100+DefaultWatchdog/time.Millisecond) * 1000
		if res.WallUS < lo || res.WallUS > lo+50_000 {
			t.Errorf("declared after %d µs, want within [%d, %d]", res.WallUS, lo, lo+50_000)
		}
	})
}

// On real threads and a real clock, a circle of tasks deadlocks, the error
// comes within a bounded time, and the engine keeps working afterwards.
func TestDeadlockDetectedThenEngineWorks(t *testing.T) {
	for _, tasks := range []int{2, 5} {
		start := time.Now()
		res, err := Run(context.Background(), Request{Workload: "deadlock", Mode: Goroutines, Workers: tasks,
			Params: map[string]any{"fix": fixNone, "tasks": tasks, "hold": 20}}, Options{Watchdog: 200 * time.Millisecond})
		wantDeadlock(t, res, err, tasks)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%d tasks: deadlock reported after %v", tasks, d)
		}
		// Every task saw its wait cancelled and ended: the spans are closed.
		blocked := 0
		for _, s := range res.Spans {
			if s.State == Blocked && s.End-s.Start >= 150_000 {
				blocked++
			}
		}
		if blocked != tasks {
			t.Errorf("%d tasks: %d long blocked spans on the timeline, want one per task", tasks, blocked)
		}
	}
	for _, w := range []string{"countdown", "deadlock"} {
		res := runOK(t, Request{Workload: w, Mode: Goroutines, Workers: 2, Params: map[string]map[string]any{"deadlock": {"fix": fixOrdered, "hold": 5}}[w]})
		if !res.Check.OK {
			t.Errorf("%s after a deadlock: %+v", w, res.Check)
		}
	}
}

// Taking resources in one order never deadlocks, however many lanes.
func TestDeadlockOrderedFinishes(t *testing.T) {
	for _, tasks := range []int{2, 3, 8} {
		for _, mode := range Modes {
			for _, n := range []int{1, 2, 8} {
				res, err := Run(context.Background(), Request{Workload: "deadlock", Mode: mode, Workers: n,
					Params: map[string]any{"fix": fixOrdered, "tasks": tasks, "hold": 2}}, Options{Watchdog: 2 * time.Second})
				if err != nil || !res.Check.OK {
					t.Fatalf("%d tasks %s/%d: %v %+v", tasks, mode, n, err, res)
				}
			}
		}
	}
}

// A deadlock needs every task of the circle holding its first resource at
// once: one after another, or with fewer lanes than tasks, they finish.
func TestDeadlockNeedsOverlap(t *testing.T) {
	for _, req := range []Request{
		{Workload: "deadlock", Mode: Sequential, Workers: 2, Params: map[string]any{"fix": fixNone, "hold": 5}},
		{Workload: "deadlock", Mode: Goroutines, Workers: 1, Params: map[string]any{"fix": fixNone, "hold": 5}},
		{Workload: "deadlock", Mode: Goroutines, Workers: 2, Params: map[string]any{"fix": fixNone, "tasks": 3, "hold": 5}},
	} {
		res := runOK(t, req)
		if !res.Check.OK || res.Check.Value != res.Check.Expected {
			t.Errorf("%s/%d: %+v", req.Mode, req.Workers, res.Check)
		}
	}
}

func lookupOK(t *testing.T, id string) *Workload {
	t.Helper()
	w, err := Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// RawDeadlock shows the Go runtime's own verdict: a program of its own,
// built without cgo, dies with "all goroutines are asleep - deadlock!" and
// exit status 2.
func TestRawDeadlock(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program (a few seconds); skipped with -short")
	}
	if runtime.GOOS == "js" {
		t.Skip("no child processes in wasm")
	}
	bin := buildRawDeadlock(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The bound turns a hang (the runtime did not see the deadlock) into a
	// failure instead of a stuck test.
	run, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	out, err := exec.CommandContext(run, bin).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("want exit status 2, got %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "fatal error: all goroutines are asleep - deadlock!") {
		t.Fatalf("the runtime's message is missing:\n%s", out)
	}
}

// buildRawDeadlock builds testdata/rawdeadlock without cgo and returns
// its path.
func buildRawDeadlock(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "rawdeadlock")
	build := exec.CommandContext(ctx, goToolPath(t), "build", "-o", bin, "./testdata/rawdeadlock")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// goToolPath finds the go command that built this test, to build helpers.
func goToolPath(t *testing.T) string {
	t.Helper()
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); pathExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	return p
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
