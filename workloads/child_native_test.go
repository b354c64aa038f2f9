//go:build !js

package workloads

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// selfEnv spawns this test binary as the child (see TestMain).
func selfEnv() NativeEnv { return NativeEnv{Exe: os.Args[0]} }

func TestProcessChild(t *testing.T) {
	c, err := selfEnv().Spawn(context.Background(), SpawnOptions{Args: []string{"-lines", "2", "-id", "3", "-exit", "4"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Name(), "process ") || strings.Contains(c.Name(), strconv.Itoa(os.Getpid())) {
		t.Errorf("name %q: want another process", c.Name())
	}
	r := newChildReader(c)
	for _, want := range []string{"ready", "line 1/2 from child 3", "line 2/2 from child 3"} {
		if _, err := r.expect(want); err != nil {
			t.Fatal(err)
		}
	}
	drainChild(r)
	ex, err := c.Wait()
	if err != nil || ex.Code != 4 || !strings.Contains(ex.Stderr, "child 3: failing on purpose with exit code 4") {
		t.Errorf("exit %+v, %v", ex, err)
	}

	// Bad arguments reach the child, which explains and exits with 2.
	c, _ = selfEnv().Spawn(context.Background(), SpawnOptions{Args: []string{"-lines", "x"}})
	drainChild(newChildReader(c))
	if ex, err := c.Wait(); err != nil || ex.Code != 2 || !strings.Contains(ex.Stderr, "-lines") {
		t.Errorf("bad args: %+v, %v", ex, err)
	}
}

func TestSpawnErrors(t *testing.T) {
	if _, err := (NativeEnv{}).Spawn(context.Background(), SpawnOptions{}); !errors.Is(err, ErrNoSpawn) {
		t.Errorf("no Exe: %v, want ErrNoSpawn", err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-program")
	_, err := Run(context.Background(), Request{Workload: "subprocess", Params: map[string]any{"children": 1}}, Options{Env: NativeEnv{Exe: missing}})
	if err == nil || !strings.Contains(err.Error(), "start child") {
		t.Errorf("missing Exe: %v", err)
	}
	// A program that is not a conlab child: its output is refused.
	echo, err := exec.LookPath("echo")
	if err != nil {
		t.Skip("no echo here")
	}
	_, err = Run(context.Background(), Request{Workload: "subprocess", Params: map[string]any{"children": 1}}, Options{Env: NativeEnv{Exe: echo}})
	if err == nil || !strings.Contains(err.Error(), "the child said") {
		t.Errorf("echo as a child: %v", err)
	}
}

// childPIDs lists the processes whose parent is this one (Linux only).
func childPIDs(t *testing.T) []int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at ')'.
		_, rest, _ := strings.Cut(string(b), ") ")
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			pids = append(pids, pid)
		}
	}
	return pids
}

// Cancelling a run kills its children at once: the run ends long before
// the children would have, and no child process is left behind.
func TestSubprocessCancelKillsChildren(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts child processes through /proc")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once every child is up and streaming (start-up is slow on a
	// loaded machine, so no fixed delay); 30 s is the bound for that.
	var ready atomic.Int32
	var cancelled atomic.Int64
	onSpan := func(s Span) {
		if strings.HasSuffix(s.Label, " starting") && ready.Add(1) == 3 {
			cancelled.Store(time.Now().UnixNano())
			cancel()
		}
	}
	time.AfterFunc(30*time.Second, cancel)
	// Each child would write for 100 s.
	res, err := Run(ctx, Request{Workload: "subprocess", Mode: Goroutines, Workers: 3,
		Params: map[string]any{"children": 3, "lines": 1000, "every": 100}}, Options{Env: selfEnv(), OnSpan: onSpan})
	if !errors.Is(err, context.Canceled) || res == nil {
		t.Fatalf("got %v", err)
	}
	if c := cancelled.Load(); c == 0 {
		t.Fatal("the children never all started")
	} else if d := time.Since(time.Unix(0, c)); d > 5*time.Second {
		t.Errorf("the run ended %v after it was cancelled", d)
	}
	started := 0
	for _, s := range res.Spans {
		if strings.HasPrefix(s.Label, "read lines from process ") {
			started++
		}
	}
	if started != 3 {
		t.Errorf("%d children were reading when cancelled, want 3: %+v", started, res.Spans)
	}
	if pids := childPIDs(t); len(pids) != 0 {
		t.Errorf("children left after the run: %v", pids)
	}
}

// A process costs far more to start than a goroutine: the spawn lesson's
// shape, read off the start-up spans.
func TestSpawnProcessesVsGoroutines(t *testing.T) {
	startup := func(kind string) time.Duration {
		res, err := Run(context.Background(), Request{Workload: "spawn", Mode: Goroutines, Workers: 2,
			Params: map[string]any{"children": 6, "kind": kind, "work": 10_000}}, Options{Env: selfEnv()})
		if err != nil || !res.Check.OK {
			t.Fatalf("%s: %v %+v", kind, err, res)
		}
		per := map[int]int64{}
		running := 0
		for _, s := range res.Spans {
			switch s.State {
			case Startup:
				per[s.Task] += s.End - s.Start
			case Running:
				if strings.Contains(s.Label, "call (") {
					running++
				}
			}
		}
		if len(per) != 6 || running != 12 {
			t.Errorf("%s: start-up spans for %d tasks, %d call spans; want 6 and 12", kind, len(per), running)
		}
		var total int64
		for _, us := range per {
			total += us
		}
		t.Logf("%s: %s; mean start-up %v", kind, res.Check.Note, time.Duration(total/6)*time.Microsecond)
		return time.Duration(total/6) * time.Microsecond
	}
	proc, gor := startup(childKindProcess), startup(childKindGoroutine)
	if proc < 3*gor {
		t.Errorf("starting a process (%v) should cost far more than a goroutine (%v)", proc, gor)
	}
}

// BenchmarkChildProcess is the native cost of a process: start, Go runtime
// start-up, one line through the pipe, exit.
func BenchmarkChildProcess(b *testing.B) { benchChild(b, selfEnv()) }
