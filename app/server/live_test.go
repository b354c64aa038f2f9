//go:build !wasm

package server

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"conlab/workloads"
)

// holdSlot fills the only child slot of a server configured with one, as
// a run in progress would, and returns its release.
func holdSlot(t *testing.T, ts *testServer) func() {
	t.Helper()
	g, err := ts.adm.acquire(context.Background(), need{Cores: 1})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	return func() { once.Do(func() { ts.adm.release(g, time.Millisecond) }) }
}

// postAll sends body k times at once and returns the decoded results.
func postAll(t *testing.T, ts *testServer, body string, k int) []workloads.Result {
	t.Helper()
	res := make([]workloads.Result, k)
	var wg sync.WaitGroup
	for i := range k {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, b := ts.do(t, "POST", "/api/run", body)
			if resp.StatusCode != 200 {
				t.Errorf("status %d: %s", resp.StatusCode, b)
				return
			}
			if err := json.Unmarshal(b, &res[i]); err != nil {
				t.Error(err)
			}
		}()
	}
	return func() []workloads.Result { wg.Wait(); return res }()
}

// Identical requests in flight at the same moment share one run, and the
// answer says so with how many; nothing is kept after the run: the next
// identical request gets a run of its own.
func TestRunSharedInFlight(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Cores = 1; c.MaxChildren = 1 })
	release := holdSlot(t, ts)
	defer release()
	body := quickBody("sleep", workloads.Goroutines, 2, 1)
	const k = 3
	var res []workloads.Result
	done := make(chan struct{})
	go func() { res = postAll(t, ts, body, k); close(done) }()
	// The first request queues its run; the others join it.
	waitQueued(t, ts.adm, 1)
	deadline := time.Now().Add(10 * time.Second)
	for ts.flightWaiters() < k && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	release()
	<-done
	for i, r := range res {
		if r.Shared != k || !r.Check.OK {
			t.Errorf("answer %d: shared %d (want %d), check %+v", i, r.Shared, k, r.Check)
		}
	}
	if runs := ts.logs.lines("native run"); len(runs) != 1 || runs[0]["shared"] != float64(k) {
		t.Errorf("%d identical requests in flight: native runs %v, want one shared by %d", k, runs, k)
	}
	// Later, the same request runs again: no stored answer.
	resp, b := ts.do(t, "POST", "/api/run", body)
	var again workloads.Result
	if resp.StatusCode != 200 || json.Unmarshal(b, &again) != nil || again.Shared != 0 {
		t.Fatalf("a later identical request: status %d: %s", resp.StatusCode, b)
	}
	if runs := ts.logs.lines("native run"); len(runs) != 2 {
		t.Errorf("a later identical request was answered without a run: %d runs", len(runs))
	}
	if ts.flights.len() != 0 {
		t.Errorf("%d runs still in flight after every answer", ts.flights.len())
	}
}

// A race lesson is never served from a store nor shared: two identical
// requests in flight at the same moment (counter, sync=none, GOMAXPROCS 2)
// get two runs, each with its own outcome.
func TestRaceRunsAlwaysFresh(t *testing.T) {
	for _, body := range []string{
		`{"workload":"counter","mode":"goroutines","workers":2,"gomaxprocs":2,"params":{"sync":"none","tasks":8,"increments":100000}}`,
		`{"workload":"deadlock","mode":"goroutines","workers":2,"params":{"hold":1}}`,
		`{"workload":"dbupdate","mode":"goroutines","workers":2,"params":{"delay":1}}`,
	} {
		var req workloads.Request
		json.Unmarshal([]byte(body), &req)
		t.Run(req.Workload, func(t *testing.T) {
			ts := newTestServer(t, func(c *Config) { c.Cores = 1; c.MaxChildren = 1 })
			release := holdSlot(t, ts)
			defer release()
			var res []workloads.Result
			done := make(chan struct{})
			go func() { res = postAll(t, ts, body, 2); close(done) }()
			// Both requests wait for room at the same moment: two runs queued.
			waitQueued(t, ts.adm, 2)
			release()
			<-done
			runs := ts.logs.lines("native run")
			if len(runs) != 2 || runs[0]["pid"] == runs[1]["pid"] {
				t.Fatalf("two identical %s requests made native runs %v, want two", req.Workload, runs)
			}
			for i, r := range res {
				if r.Shared != 0 {
					t.Errorf("answer %d is marked shared by %d", i, r.Shared)
				}
			}
			if req.Workload == "counter" {
				t.Logf("counts of the two runs: %s, %s (expected %s)", res[0].Check.Value, res[1].Check.Value, res[0].Check.Expected)
			}
		})
	}
}

func TestMarkShared(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{`{"a":1}`, 2, `{"a":1,"shared":2}`},
		{"{\"a\":1}\n", 3, `{"a":1,"shared":3}`},
		{`{}`, 2, `{"shared":2}`},
		{`{"a":1}`, 1, `{"a":1}`},
		{`[1]`, 2, `[1]`},
		{``, 2, ``},
	} {
		if got := string(markShared([]byte(tc.in), tc.n)); got != tc.want {
			t.Errorf("markShared(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	var r workloads.Result
	if err := json.Unmarshal(markShared([]byte(`{"workload":"sleep","shared":0}`), 4), &r); err != nil {
		t.Fatal(err)
	}
	// encoding/json takes the last of duplicate keys: the mark wins over
	// anything a child wrote.
	if r.Shared != 4 {
		t.Errorf("shared = %d", r.Shared)
	}
}

// A shared run whose requests have all gone is stopped, and the next
// identical request starts a run of its own.
func TestFlightCancelledWhenAllLeave(t *testing.T) {
	f := newFlights()
	started, stopped := make(chan struct{}), make(chan struct{})
	fn := func(ctx context.Context) outcome {
		close(started)
		<-ctx.Done()
		close(stopped)
		return outcome{status: 503}
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, _, err := f.do(ctx1, context.Background(), "k", fn); errs <- err }()
	<-started
	go func() { _, _, err := f.do(ctx2, context.Background(), "k", nil); errs <- err }()
	for f.waiters("k") < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel1()
	if err := <-errs; err == nil {
		t.Fatal("a caller that left got an answer")
	}
	select {
	case <-stopped:
		t.Fatal("the run stopped while a caller still waited")
	case <-time.After(20 * time.Millisecond):
	}
	cancel2()
	<-errs
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the run went on with nobody waiting")
	}
	v, n, err := f.do(context.Background(), context.Background(), "k", func(context.Context) outcome { return outcome{status: 200} })
	if err != nil || v.status != 200 || n != 1 {
		t.Errorf("next call: %+v %d %v", v, n, err)
	}
	v, _, err = f.do(context.Background(), context.Background(), "p", func(context.Context) outcome { panic("boom") })
	if err != nil || v.status != 500 || v.err == nil {
		t.Errorf("panic: %+v %v", v, err)
	}
}

// waiters counts the callers waiting for key's run.
func (f *flights) waiters(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.calls[key]; ok {
		return c.waiters
	}
	return 0
}

// flightWaiters counts the requests waiting for shared runs.
func (ts *testServer) flightWaiters() int {
	ts.flights.mu.Lock()
	defer ts.flights.mu.Unlock()
	n := 0
	for _, c := range ts.flights.calls {
		n += c.waiters
	}
	return n
}

// Requests that differ in any field, or only in parameters written as the
// defaults, are told apart, or not, as the engine would run them.
func TestShareKey(t *testing.T) {
	key := func(body string) string {
		_, job := mustPrepare(t, body)
		k, ok := shareKey(job)
		if !ok {
			t.Fatalf("%s is not shareable", body)
		}
		return k
	}
	base := `{"workload":"sleep","mode":"goroutines","workers":2}`
	if key(base) != key(`{"workload":"sleep","mode":"goroutines","workers":2,"params":{"tasks":5}}`) {
		t.Error("a parameter written as its default made another key")
	}
	for _, other := range []string{
		`{"workload":"sleep","mode":"goroutines","workers":3}`,
		`{"workload":"sleep","mode":"sequential","workers":2}`,
		`{"workload":"sleep","mode":"goroutines","workers":2,"gomaxprocs":1}`,
		`{"workload":"sleep","mode":"goroutines","workers":2,"timeout_ms":5000}`,
		`{"workload":"sleep","mode":"goroutines","workers":2,"params":{"unit":7}}`,
	} {
		if key(other) == key(base) {
			t.Errorf("%s shares a key with %s", other, base)
		}
	}
}
