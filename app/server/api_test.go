//go:build !wasm

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/proctest"
	"conlab/workloads"
)

func TestWorkloadsEndpoint(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/api/workloads", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var cat []workloads.Workload
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat) != len(workloads.All()) || cat[0].ID != "countdown" {
		t.Fatalf("catalog has %d workloads, first %q", len(cat), cat[0].ID)
	}
	p := cat[0].Params[0]
	if p.Name != "count" || p.Min != 1 || p.Max <= p.Min || p.Default == nil {
		t.Errorf("countdown's parameter lacks its bounds: %+v", p)
	}
	// Each entry names the browser modes that cannot run it, with why:
	// the workers mode for the lessons that need one memory.
	var modes []struct {
		ID          string            `json:"id"`
		Unsupported map[string]string `json:"unsupported"`
	}
	if err := json.Unmarshal(body, &modes); err != nil {
		t.Fatal(err)
	}
	for i, e := range modes {
		w := workloads.All()[i]
		want := map[string]string{}
		if w.Needs.OneMemory != "" {
			want["workers"] = w.Needs.OneMemory
		}
		if e.ID != w.ID || len(e.Unsupported) != len(want) || e.Unsupported["workers"] != want["workers"] {
			t.Errorf("%s: unsupported %q, want %q", e.ID, e.Unsupported, want)
		}
	}
	if modes[0].Unsupported != nil || len(modes) < 5 || !strings.Contains(string(body), `"unsupported":{"workers":"each worker has its own memory`) {
		t.Errorf("the catalog's unsupported modes are not as the lessons say")
	}
	if !resp.Uncompressed {
		t.Error("the catalog was not sent compressed to a client accepting gzip")
	}
	etag := resp.Header.Get("ETag")
	resp, _ = ts.do(t, "GET", "/api/workloads", "", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: status %d, want 304", resp.StatusCode)
	}
	// A client that takes no compression gets the same JSON.
	resp, plain := ts.do(t, "GET", "/api/workloads", "", "Accept-Encoding", "identity")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || string(plain) != string(body) {
		t.Errorf("identity: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(plain))
	}
}

func quickBody(id string, mode workloads.Mode, workers, procs int) string {
	w, err := workloads.Lookup(id)
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(workloads.Request{Workload: id, Mode: mode, Workers: workers, GOMAXPROCS: procs, Params: w.Quick})
	return string(b)
}

func TestRunEndpoint(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, procs := range []int{1, 2} {
		resp, body := ts.do(t, "POST", "/api/run", quickBody("countdown", workloads.Goroutines, 2, procs))
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var res workloads.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if !res.Check.OK || res.Facts.Engine != "native" || res.Facts.GOMAXPROCS != procs || len(res.Spans) != 2 {
			t.Errorf("gomaxprocs %d: result %+v", procs, res)
		}
		if res.Shared != 0 {
			t.Errorf("a request alone: shared %d, want 0", res.Shared)
		}
	}
	runs := ts.logs.lines("native run")
	if len(runs) != 2 || runs[0]["pid"] == nil || runs[0]["workload"] != "countdown" {
		t.Errorf("want one log line per native run with its pid, got %v", runs)
	}
	reqs := ts.logs.lines("request")
	if len(reqs) < 2 || reqs[0]["method"] != "POST" || reqs[0]["path"] != "/api/run" || reqs[0]["status"] != 200.0 || reqs[0]["duration_ms"] == nil {
		t.Errorf("request log lines: %v", reqs)
	}
}

// A deadlock is the lesson's answer, not a server error: 200 with the
// stuck tasks.
//
// The circle closes only when both tasks hold their first resource at
// once. On a busy machine one task now and then takes both before the
// other has started: a run whose holds did not overlap is not judged, and
// the request is sent again.
func TestRunDeadlockIsAResult(t *testing.T) {
	ts := newTestServer(t, nil)
	const attempts = 3
	for attempt := 1; attempt <= attempts; attempt++ {
		resp, body := ts.do(t, "POST", "/api/run", `{"workload":"deadlock","mode":"goroutines","workers":2}`)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var res workloads.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(res.Error, "deadlock") && len(res.Stuck) > 0 {
			if !holdsOverlap(res.Spans) {
				t.Errorf("a deadlock whose tasks' holds did not overlap on the timeline: %+v", res.Spans)
			}
			return
		}
		if res.Error != "" || !res.Check.OK || holdsOverlap(res.Spans) {
			t.Fatalf("want a deadlock with stuck tasks, got error %q stuck %v, check %+v, spans %+v", res.Error, res.Stuck, res.Check, res.Spans)
		}
		t.Logf("attempt %d: the tasks did not hold their first resources at once, so both finished (the machine is busy): %+v", attempt, res.Spans)
	}
	t.Skipf("could not judge: in %d attempts the two tasks never held their first resources at once (the machine is busy)", attempts)
}

// holdsOverlap reports whether the deadlock lesson's tasks all held their
// first resource at one moment: whether their first holds ("hold A",
// "hold B", ...) overlap on the timeline.
func holdsOverlap(spans []workloads.Span) bool {
	seen := map[int]bool{}
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	for _, s := range spans {
		if strings.HasPrefix(s.Label, "hold ") && !seen[s.Task] {
			seen[s.Task] = true
			from, to = max(from, s.Start), min(to, s.End)
		}
	}
	return len(seen) >= 2 && from < to
}

func TestRunErrors(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxBody = 1024; c.MaxTimeout = 5 * time.Second })
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		field, msg               string
	}{
		{"bad JSON", "POST", "/api/run", `{"workload": "countdown",`, 400, "", "bad JSON"},
		{"not JSON", "POST", "/api/run", `workload=countdown`, 400, "", "bad JSON"},
		{"empty body", "POST", "/api/run", ``, 400, "", "empty request body"},
		{"two values", "POST", "/api/run", `{"workload":"countdown"} {}`, 400, "", "more than one value"},
		{"array", "POST", "/api/run", `[1,2]`, 400, "", "must be an object"},
		{"unknown workload", "POST", "/api/run", `{"workload":"nope"}`, 400, "workload", `unknown workload "nope"`},
		{"unknown mode", "POST", "/api/run", `{"workload":"countdown","mode":"warp"}`, 400, "mode", "unknown mode"},
		{"browser mode", "POST", "/api/run", `{"workload":"countdown","mode":"cooperative"}`, 422, "mode", "runs in the browser"},
		{"unsupported mode", "POST", "/api/run", `{"workload":"countdown","mode":"workers"}`, 422, "mode", "cannot run in workers mode"},
		{"parameter out of range", "POST", "/api/run", `{"workload":"countdown","params":{"count":0}}`, 400, "count", "from 1 to"},
		{"parameter not a number", "POST", "/api/run", `{"workload":"countdown","params":{"count":"many"}}`, 400, "count", "not a whole number"},
		{"unknown parameter", "POST", "/api/run", `{"workload":"countdown","params":{"cont":5}}`, 400, "cont", "no parameter"},
		{"workers out of range", "POST", "/api/run", `{"workload":"countdown","workers":65}`, 400, "workers", "from 1 to 64"},
		{"workers of the wrong type", "POST", "/api/run", `{"workload":"countdown","workers":"2"}`, 400, "workers", "want a whole number"},
		{"unknown field", "POST", "/api/run", `{"workload":"countdown","wrokers":2}`, 400, "wrokers", "unknown request field"},
		{"timeout over the server's limit", "POST", "/api/run", `{"workload":"countdown","timeout_ms":600000}`, 400, "timeout_ms", "on this server"},
		{"oversized body", "POST", "/api/run", `{"workload":"countdown","params":{"x":"` + strings.Repeat("x", 2000) + `"}}`, 413, "", "larger than 1024 bytes"},
		{"wrong method on run", "GET", "/api/run", ``, 405, "", "use POST"},
		{"wrong method on catalog", "POST", "/api/workloads", `{}`, 405, "", "use GET"},
		{"unknown endpoint", "GET", "/api/nothing", ``, 404, "", "no API endpoint"},
		{"bad delay", "GET", "/api/delay?ms=-1&id=1", ``, 400, "ms", "allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := ts.do(t, tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			var e struct{ Error, Field string }
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body is not JSON: %q", body)
			}
			if e.Field != tc.field || !strings.Contains(e.Error, tc.msg) {
				t.Errorf("got field %q error %q; want field %q and %q", e.Field, e.Error, tc.field, tc.msg)
			}
			if tc.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	if n := len(ts.logs.lines("native run")); n != 0 {
		t.Errorf("invalid requests started %d native runs", n)
	}
}

// The engine's own deadline inside the child: 504 with the partial result.
func TestRunTimeout(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "POST", "/api/run", `{"workload":"countdown","mode":"sequential","params":{"count":20000000000},"timeout_ms":50}`)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var e struct {
		Error, Field string
		Result       *workloads.Result
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	if e.Field != "timeout_ms" || !strings.Contains(e.Error, "deadline") || e.Result == nil || len(e.Result.Spans) == 0 {
		t.Errorf("got %+v", e)
	}
}

// A child that ignores its deadline is killed with its whole process
// group: the child and its own child are gone afterwards.
func TestChildDeadlineKillsProcessGroup(t *testing.T) {
	ts := newTestServer(t, func(c *Config) {
		c.Spawner = testSpawner("hang")
		c.Spawner.KillGrace = 1500 * time.Millisecond
	})
	start := time.Now()
	resp, body := ts.do(t, "POST", "/api/run", `{"workload":"countdown","params":{"count":5},"timeout_ms":500}`)
	took := time.Since(start)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if took > 6*time.Second {
		t.Errorf("the kill at 2 s took %v", took)
	}
	m := regexp.MustCompile(`pids (\d+) (\d+)`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("the error does not carry the child's stderr: %s", body)
	}
	for _, s := range m[1:] {
		pid, _ := strconv.Atoi(s)
		if !proctest.Gone(pid, 2*time.Second) {
			t.Errorf("process %d survived the deadline", pid)
		}
	}
}

// Beyond the queue, runs are refused with 429 and Retry-After.
func TestRunBusy(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Cores = 1; c.MaxChildren = 1; c.MaxQueue = -1 })
	// Fill the only slot as a run in progress would.
	cores, err := ts.adm.acquire(context.Background(), need{Cores: 1})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := ts.do(t, "POST", "/api/run", quickBody("countdown", workloads.Sequential, 1, 1))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	resp, body = ts.do(t, "GET", "/api/health", "")
	var h Health
	if err := json.Unmarshal(body, &h); err != nil || resp.StatusCode != 200 || !h.OK || h.Running != 1 || h.Cores != 1 {
		t.Errorf("health while busy: %d %s", resp.StatusCode, body)
	}
	ts.adm.release(cores, time.Millisecond)
	resp, body = ts.do(t, "POST", "/api/run", quickBody("countdown", workloads.Sequential, 1, 1))
	if resp.StatusCode != 200 {
		t.Errorf("after release: status %d: %s", resp.StatusCode, body)
	}
}

// A queued run waits for room rather than failing.
func TestRunQueues(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Cores = 1; c.MaxChildren = 1; c.MaxQueue = 4 })
	cores, err := ts.adm.acquire(context.Background(), need{Cores: 1})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, func() { ts.adm.release(cores, time.Millisecond) })
	resp, body := ts.do(t, "POST", "/api/run", quickBody("countdown", workloads.Sequential, 1, 1))
	if resp.StatusCode != 200 {
		t.Errorf("status %d: %s", resp.StatusCode, body)
	}
	if q := ts.logs.lines("native run"); len(q) != 1 || q[0]["queue_ms"].(float64) < 100 {
		t.Errorf("the run did not wait in the queue: %v", q)
	}
}

func TestDelayAndPages(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/api/delay?ms=5&id=7&run=x", "")
	if resp.StatusCode != 200 || string(body) != string(workloads.PageBody(7)) {
		t.Errorf("delay: %d %q", resp.StatusCode, body)
	}
	resp, body = ts.do(t, "GET", "/"+workloads.DownloadFile(3)+"?run=y", "")
	if resp.StatusCode != 200 || string(body) != string(workloads.PageBody(3)) {
		t.Errorf("page file: %d %q", resp.StatusCode, body)
	}
	resp, _ = ts.do(t, "GET", "/web/data/page-9999.txt", "")
	if resp.StatusCode != 404 {
		t.Errorf("missing page file: %d", resp.StatusCode)
	}
}

// The download workload fetches natively through the child's own
// loopback server.
func TestRunDownloadNatively(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, source := range []string{"api", "static"} {
		body := fmt.Sprintf(`{"workload":"download","mode":"goroutines","workers":4,"params":{"pages":8,"delay":20,"source":%q}}`, source)
		resp, b := ts.do(t, "POST", "/api/run", body)
		var res workloads.Result
		if resp.StatusCode != 200 || json.Unmarshal(b, &res) != nil || !res.Check.OK {
			t.Errorf("%s: status %d: %s", source, resp.StatusCode, b)
		}
	}
}

func TestBaselineEndpoint(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/api/baseline", "")
	if resp.StatusCode != 404 || !strings.Contains(string(body), "conlab baseline") {
		t.Errorf("no file: %d %s", resp.StatusCode, body)
	}
	date := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	b := &Baseline{Format: BaselineFormat, Date: date, Machine: ThisMachine(), Results: []workloads.Result{failedResult(workloads.Request{Workload: "countdown", Mode: "sequential", Workers: 1, GOMAXPROCS: 1}, errors.New("x"))}}
	if err := os.MkdirAll(filepath.Join(ts.web, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(ts.web, "data", "baseline.json")
	if err := b.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	resp, body = ts.do(t, "GET", "/api/baseline", "")
	var got Baseline
	if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || got.Machine != b.Machine || !got.Date.Equal(date) || len(got.Results) != 1 {
		t.Errorf("with a file: %d %s", resp.StatusCode, body)
	}
	m := b.Machine
	want := fmt.Sprintf("2026-11-02T10:00:00Z; cores=%d; os=%s/%s; go=%s", m.NumCPU, m.GOOS, m.GOARCH, m.GoVersion)
	if m.CPU != "" {
		want = fmt.Sprintf("2026-11-02T10:00:00Z; cpu=%q; cores=%d; os=%s/%s; go=%s", m.CPU, m.NumCPU, m.GOOS, m.GOARCH, m.GoVersion)
	}
	if got := resp.Header.Get("X-Conlab-Recorded"); got != want {
		t.Errorf("X-Conlab-Recorded = %q, want %q", got, want)
	}
	// A stored figure without its date or machine is not served.
	for name, mod := range map[string]func(*Baseline){
		"no date":    func(b *Baseline) { b.Date = time.Time{} },
		"no machine": func(b *Baseline) { b.Machine = Machine{} },
	} {
		nb := *b
		mod(&nb)
		if err := nb.WriteFile(file); err != nil {
			t.Fatal(err)
		}
		resp, body = ts.do(t, "GET", "/api/baseline", "")
		if resp.StatusCode != 404 || !strings.Contains(string(body), "record it again") {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
}

func TestHealth(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Isolate = true })
	resp, body := ts.do(t, "GET", "/api/health", "")
	var h Health
	if resp.StatusCode != 200 || json.Unmarshal(body, &h) != nil || !h.OK || !h.Isolated || h.NumCPU < 1 {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("health may be cached: %q", resp.Header.Get("Cache-Control"))
	}
}

// After Close, a server runs nothing more and leaves no child.
func TestCloseKillsRuns(t *testing.T) {
	ts := newTestServer(t, nil)
	done := make(chan int)
	go func() {
		resp, _ := ts.do(t, "POST", "/api/run", `{"workload":"countdown","mode":"sequential","params":{"count":20000000000}}`)
		done <- resp.StatusCode
	}()
	// Wait for the child to exist.
	deadline := time.Now().Add(10 * time.Second)
	for len(proctest.Children(os.Getpid())) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(proctest.Children(os.Getpid())) == 0 {
		t.Fatal("the run's child never started")
	}
	ts.Close()
	select {
	case st := <-done:
		if st != http.StatusServiceUnavailable {
			t.Errorf("a run killed by Close: status %d, want 503", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request did not end after Close")
	}
	checkNoChildren(t)
}
