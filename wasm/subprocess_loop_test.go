//go:build js && wasm

package wasm

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"conlab/workloads"
)

// The subprocess lesson's children start from inside a worker in the
// cooperative and workers modes, and no run stalls waiting for one: with
// CONLAB_SUBPROCESS_RUNS=N it runs the lesson N times, in those modes by
// turns, and fails naming every run that did not end with its check
// passed within a bound well under the children's silence limits. Run it
// in each engine (CONLAB_ENGINE of the exec runner):
//
//	CONLAB_ENGINE=firefox CONLAB_SUBPROCESS_RUNS=60 GOOS=js GOARCH=wasm \
//		go test -run SubprocessRuns -exec=$PWD/bin/wasmbrowser ./wasm/
func TestSubprocessRunsDoNotStall(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv("CONLAB_SUBPROCESS_RUNS"))
	if os.Getenv("CONLAB_SUBPROCESS_RUNS") == "" {
		t.Skip("set CONLAB_SUBPROCESS_RUNS=N to run the subprocess lesson N times")
	}
	if err != nil || n < 1 {
		t.Fatalf("CONLAB_SUBPROCESS_RUNS=%q: want a number of runs, at least 1", os.Getenv("CONLAB_SUBPROCESS_RUNS"))
	}
	p := warmPool(t, Config{Size: 2})
	// A child that stalls is stopped after workloads.ChildStartLimit (30
	// s); a run that ends normally takes well under a second, and a few
	// on a busy machine.
	const bound = 25 * time.Second
	modes := []workloads.Mode{Cooperative, Workers}
	failed := 0
	var slowest time.Duration
	for i := range n {
		m := modes[i%len(modes)]
		req := workloads.Request{Workload: "subprocess", Mode: m, Workers: 2, Params: map[string]any{"children": 2, "lines": 3, "every": 1}}
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		t0 := time.Now()
		res, err := p.Run(ctx, req, nil)
		took := time.Since(t0)
		cancel()
		slowest = max(slowest, took)
		switch {
		case err != nil:
			failed++
			t.Errorf("run %d (%s): %v after %v", i+1, m, err, took.Round(time.Millisecond))
		case !res.Check.OK:
			failed++
			t.Errorf("run %d (%s): check failed after %v: %s %s", i+1, m, took.Round(time.Millisecond), res.Check.Note, res.Error)
		}
	}
	t.Logf("%d runs of the subprocess lesson (cooperative and workers modes by turns): %d did not end well; the slowest took %v",
		n, failed, slowest.Round(time.Millisecond))
}
