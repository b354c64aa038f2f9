//go:build js && wasm

package wasm

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"conlab/wasm/internal/jsenv"
	_ "conlab/wasm/internal/testworkloads"
	"conlab/workloads"
)

// These tests run in a real browser: GOOS=js GOARCH=wasm go test with the
// exec runner of app/internal/browsertest, which serves public/web with a
// worker.wasm built with the tag conlabtest (so the workers know the
// test-only workloads of package testworkloads).

func newPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func warmPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	p := newPool(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Warm(ctx); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	return p
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func mustRun(t *testing.T, p *Pool, req workloads.Request) *workloads.Result {
	t.Helper()
	res, err := p.Run(testCtx(t, 2*time.Minute), req, nil)
	if err != nil {
		t.Fatalf("%s/%s/%d: %v", req.Workload, req.Mode, req.Workers, err)
	}
	if !res.Check.OK {
		t.Fatalf("%s/%s/%d: check failed: %+v", req.Workload, req.Mode, req.Workers, res.Check)
	}
	return res
}

// checkSpans checks what every result's timeline must satisfy: spans on
// the run's lanes, on the run's clock, inside the run.
func checkSpans(t *testing.T, res *workloads.Result, lanes int) {
	t.Helper()
	for _, s := range res.Spans {
		if s.Lane < 0 || s.Lane >= lanes || s.End < s.Start || s.Start < 0 || s.End > res.WallUS+1000 || s.Task < -1 {
			t.Errorf("%s/%s/%d: bad span %+v (wall %d µs)", res.Workload, res.Mode, res.Workers, s, res.WallUS)
			return
		}
		if (s.Task == -1) != (s.State == workloads.Startup && s.Task == -1) {
			t.Errorf("a span of no task must be start-up: %+v", s)
		}
	}
}

// liveWorkers asks the test runner how many Web Workers the browser has
// alive (every worker, the pool's and any child), or skips the test when
// the page was not served by the runner.
func liveWorkers(t *testing.T) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, err := jsenv.Fetch(ctx, jsenv.BaseURL(), "/__runner/workers")
	if err != nil {
		t.Skipf("the runner's worker census is not available: %v", err)
	}
	var v struct {
		Workers int
		URLs    []string
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("census: %v (%q)", err, body)
	}
	lastCensus = v.URLs
	return v.Workers
}

var lastCensus []string

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

func median(xs []int64) int64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
