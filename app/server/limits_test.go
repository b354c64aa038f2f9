//go:build !wasm

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"conlab/workloads"
)

// health reads the server's /api/health.
func (ts *testServer) health(t *testing.T) Health {
	t.Helper()
	_, b := ts.do(t, "GET", "/api/health", "")
	var h Health
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// Finding 1: CPU work declared by options and child processes takes
// cores. A pool with cpu set held no core, so six of them beside a
// countdown ran at once on 2 cores.
func TestAdmissionCountsDeclaredCPU(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Cores = 2 })
	done := make(chan int, 1)
	go func() {
		resp, _ := ts.do(t, "POST", "/api/run", `{"workload":"pool","mode":"goroutines","workers":2,"gomaxprocs":2,"params":{"jobs":2,"duration":3000,"cpu":true}}`)
		done <- resp.StatusCode
	}()
	deadline := time.Now().Add(10 * time.Second)
	for ts.health(t).Running == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if h := ts.health(t); h.CoresBusy != 2 {
		t.Errorf("a pool of 2 workers with cpu set holds %d cores, want 2", h.CoresBusy)
	}
	// A countdown waits for a core rather than running beside it.
	cd := make(chan int, 1)
	go func() {
		resp, _ := ts.do(t, "POST", "/api/run", quickBody("countdown", workloads.Sequential, 1, 1))
		cd <- resp.StatusCode
	}()
	waitQueued(t, ts.adm, 1)
	if st := <-done; st != 200 {
		t.Fatalf("pool: %d", st)
	}
	if st := <-cd; st != 200 {
		t.Fatalf("countdown: %d", st)
	}
}

// Finding 2: a run over the whole memory budget is refused before it
// starts (422), saying why and what fits.
func TestRunOverMemoryBudget(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Memory = 512 << 20 })
	resp, b := ts.do(t, "POST", "/api/run", `{"workload":"mergesort","mode":"goroutines","workers":64,"params":{"lists":10000,"size":1000000}}`)
	var e errorBody
	json.Unmarshal(b, &e)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(e.Error, "512 MB") ||
		!strings.Contains(e.Error, "what fits") || !strings.Contains(e.Error, "workers ") || !strings.Contains(e.Error, "size ") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	t.Log(e.Error)
	if len(ts.logs.lines("native run")) != 0 {
		t.Error("the oversized run started")
	}
	// Each suggestion fits and runs (the smallest: checked with the same
	// estimate the server uses).
	if h := ts.health(t); h.Memory != 512<<20 || h.MemoryUsed != 0 {
		t.Errorf("health: %+v", h)
	}
}

// Finding 2: a run's process is capped, and one stopped at its cap is
// reported as such.
func TestChildMemoryCap(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory does not fit a small cap")
	}
	if !memoryCapped {
		t.Skip("no OS memory cap here")
	}
	sp := testSpawner("conlab")
	req := workloads.Request{Workload: "mergesort", Mode: workloads.Goroutines, Workers: 8, GOMAXPROCS: 2,
		Params: map[string]any{"lists": 8, "size": 1_000_000}}
	cr, err := sp.RunWithin(context.Background(), req, Limits{Bytes: 64 << 20})
	var oom *errOutOfMemory
	if !errors.As(err, &oom) || cr == nil || !cr.OutOfMemory {
		var stderr string
		if cr != nil {
			stderr = cr.Stderr[:min(len(cr.Stderr), 600)]
		}
		t.Fatalf("a run of ~130 MB under a 64 MB cap: %v\n%s", err, stderr)
	}
	e := asAPIError(err)
	if e.Status != 500 || e.Field != "memory" || !strings.Contains(e.Msg, "more memory than its cap of 64 MB") {
		t.Errorf("answered %d %q: %s", e.Status, e.Field, e.Msg)
	}
	// Under the limits the server sets, the same run completes, and so
	// does a run of many threads and little memory (sleep's 64 lanes; a
	// cap counting each thread's 8 MB stack against 128 MB killed it).
	s := &Server{cfg: Config{ChildMemoryFloor: 128 << 20}}
	for _, r := range []workloads.Request{req, {Workload: "sleep", Mode: workloads.Goroutines, Workers: 64,
		Params: map[string]any{"tasks": 64, "unit": 5}}} {
		job, _ := PrepareNative(r)
		cost := job.Cost(runtime.NumCPU())
		lim := s.memoryLimits(job, cost)
		cr, err = sp.RunWithin(context.Background(), r, lim)
		if err != nil || !cr.Result.Check.OK {
			t.Fatalf("%s under the server's limits (%d MB cap): %v", r.Workload, lim.Bytes>>20, err)
		}
		if cr.PeakBytes > 2*cost.Bytes || cr.PeakBytes == 0 {
			t.Errorf("%s: peak %d MB, estimate %d MB", r.Workload, cr.PeakBytes>>20, cost.Bytes>>20)
		}
	}
}

// Finding 3: one client cannot hold the queue: its runs in progress or
// waiting are bounded, and a waiting run is dropped when its client goes.
func TestPerClientBound(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Cores = 1; c.MaxChildren = 1; c.PerClient = 2 })
	release := holdSlot(t, ts)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			body := fmt.Sprintf(`{"workload":"sleep","mode":"goroutines","workers":2,"params":{"tasks":2,"unit":%d}}`, 10+i)
			req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/api/run", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	waitQueued(t, ts.adm, 2)
	resp, b := ts.do(t, "POST", "/api/run", quickBody("countdown", workloads.Sequential, 1, 1))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "you already have 2") {
		t.Fatalf("a third run of the same client: %d %s", resp.StatusCode, b)
	}
	// The client goes away: its waiting runs leave the queue.
	cancel()
	<-errs
	<-errs
	waitQueued(t, ts.adm, 0)
	if n := len(ts.logs.lines("native run")); n != 0 {
		t.Errorf("%d runs of a client that left", n)
	}
	release()
	resp, b = ts.do(t, "POST", "/api/run", quickBody("countdown", workloads.Sequential, 1, 1))
	if resp.StatusCode != 200 {
		t.Errorf("after its runs ended, the client is served: %d %s", resp.StatusCode, b)
	}
}

// Finding 4: connections are bounded and idle ones closed, so they cannot
// take the file descriptors the runs need; running out of them is a 503.
func TestConnectionLimit(t *testing.T) {
	s, err := New(Config{Public: t.TempDir(), Spawner: testSpawner("conlab"), MaxConns: 4, IdleTimeout: 3 * time.Second,
		Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls, served := make(chan string, 1), make(chan error, 1)
	go func() { served <- s.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	base := <-urls
	defer func() {
		cancel()
		<-served
	}()
	addr := strings.TrimPrefix(base, "http://")
	var idle []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	// Four connections that send nothing fill the server. A real client
	// does not wait behind them: the oldest is closed to make room (once
	// it is older than a moment, which spares a client about to send).
	time.Sleep(1100 * time.Millisecond)
	start := time.Now()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// (Served before the idle timeout: not by waiting for it.)
	if resp.StatusCode != 200 || time.Since(start) > 2500*time.Millisecond {
		t.Errorf("status %d after %v behind 4 idle connections", resp.StatusCode, time.Since(start))
	}
	idle[0].SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := idle[0].Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the oldest idle connection was not closed: %v", err)
	}
	// The others are closed once idle for 3 s.
	for _, c := range idle[1:] {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("an idle connection was not closed: %v", err)
		}
	}
	// Out of file descriptors: 503 with Retry-After, not 500.
	e := asAPIError(fmt.Errorf("starting the native run: %w", &os.SyscallError{Syscall: "pipe2", Err: syscall.EMFILE}))
	if e.Status != http.StatusServiceUnavailable || e.RetryAfter == 0 || !strings.Contains(e.Msg, "file descriptors") {
		t.Errorf("EMFILE answered %d: %s", e.Status, e.Msg)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
