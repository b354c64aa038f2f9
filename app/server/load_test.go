//go:build !wasm

package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoad is the classroom load test, opt-in because it takes a while:
//
//	CONLAB_LOADTEST=1 go test -run TestLoad -v ./app/server/
//
// (CONLAB_LOADTEST_CLIENTS and CONLAB_LOADTEST_DURATION change its size.)
// 100 clients on loopback for 10 s mix catalog reads, runs with default
// parameters (cached), fresh runs and bad requests. It checks that no
// answer is a 5xx, that fresh runs beyond capacity get 429 with
// Retry-After and nothing else, that memory stays bounded and no child
// process is left, and reports throughput and latencies.
func TestLoad(t *testing.T) {
	if os.Getenv("CONLAB_LOADTEST") == "" || testing.Short() {
		t.Skip("the load test is opt-in: CONLAB_LOADTEST=1 go test -run TestLoad -v ./app/server/")
	}
	clients := envInt(t, "CONLAB_LOADTEST_CLIENTS", 100)
	duration := 10 * time.Second
	if d := os.Getenv("CONLAB_LOADTEST_DURATION"); d != "" {
		var err error
		if duration, err = time.ParseDuration(d); err != nil {
			t.Fatal(err)
		}
	}

	counts := &countingHandler{}
	s, err := New(Config{Public: t.TempDir(), Spawner: testSpawner("conlab"), Logger: slog.New(counts)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- s.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	base := <-urls

	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	g0 := runtime.NumGoroutine()

	type op struct {
		name, method, path string
		body               func(client, i int) string
		ok                 func(status int) bool
	}
	ok200 := func(s int) bool { return s == 200 }
	okRun := func(s int) bool { return s == 200 || s == 429 }
	okBad := func(s int) bool { return s == 400 || s == 422 || s == 413 || s == 405 }
	ops := []op{
		{"catalog", "GET", "/api/workloads", nil, ok200},
		{"health", "GET", "/api/health", nil, ok200},
		// Default parameters: every client asks for the same few runs.
		{"cached run", "POST", "/api/run", func(c, i int) string {
			return []string{
				`{"workload":"countdown","mode":"goroutines","workers":2,"gomaxprocs":2}`,
				`{"workload":"countdown","mode":"sequential","workers":2,"gomaxprocs":1}`,
				`{"workload":"sleep","mode":"goroutines","workers":5}`,
			}[i%3]
		}, okRun},
		// Unique parameters: each is a new native run.
		{"fresh run", "POST", "/api/run", func(c, i int) string {
			return fmt.Sprintf(`{"workload":"countdown","mode":"goroutines","workers":2,"gomaxprocs":2,"params":{"count":%d}}`, 1_000_000+c*100_000+i)
		}, okRun},
		{"bad request", "POST", "/api/run", func(c, i int) string {
			return []string{
				`{"workload":"countdown",`,
				`{"workload":"countdown","params":{"count":0}}`,
				`{"workload":"nope"}`,
				`{"workload":"countdown","mode":"workers"}`,
				`{"workload":"countdown","params":{"x":"` + strings.Repeat("x", 70_000) + `"}}`,
			}[i%5]
		}, okBad},
		{"wrong method", "DELETE", "/api/run", nil, okBad},
	}
	// Of every 20 requests: 8 catalog, 1 health, 5 cached, 2 fresh, 3 bad, 1 method.
	mix := []int{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5}

	type sample struct {
		op     int
		status int
		d      time.Duration
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	client := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	var mu sync.Mutex
	var samples []sample
	var bad []string
	var retryMissing atomic.Int32
	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			for i := 0; time.Now().Before(stop); i++ {
				k := mix[(c*7+i)%len(mix)]
				o := ops[k]
				var body io.Reader
				if o.body != nil {
					body = strings.NewReader(o.body(c, i))
				}
				req, _ := http.NewRequest(o.method, base+o.path, body)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%s: %v", o.name, err))
					mu.Unlock()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(start)
				if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
					retryMissing.Add(1)
				}
				if !o.ok(resp.StatusCode) {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%s: status %d", o.name, resp.StatusCode))
					mu.Unlock()
				}
				mine = append(mine, sample{k, resp.StatusCode, d})
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := duration
	tr.CloseIdleConnections()

	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	cancel()
	if err := <-served; err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
	checkNoChildren(t)

	if len(bad) > 0 {
		t.Errorf("%d unexpected answers, first: %v", len(bad), bad[:min(len(bad), 5)])
	}
	if n := retryMissing.Load(); n > 0 {
		t.Errorf("%d answers 429 without Retry-After", n)
	}
	statuses := map[int]int{}
	var all []time.Duration
	byOp := make([][]time.Duration, len(ops))
	for _, s := range samples {
		statuses[s.status]++
		all = append(all, s.d)
		byOp[s.op] = append(byOp[s.op], s.d)
		if s.status >= 500 {
			t.Errorf("a %d answer to %s", s.status, ops[s.op].name)
		}
	}
	t.Logf("%d clients, %v: %d requests, %.0f req/s; statuses %v", clients, elapsed, len(samples), float64(len(samples))/elapsed.Seconds(), statuses)
	t.Logf("all: p50 %v p99 %v", pct(all, 50), pct(all, 99))
	for k, o := range ops {
		t.Logf("%-12s n=%-6d p50 %-10v p99 %v", o.name, len(byOp[k]), pct(byOp[k], 50), pct(byOp[k], 99))
	}
	t.Logf("native runs %d, refused %d; heap %d MiB -> %d MiB; goroutines %d -> %d",
		counts.get("native run"), counts.get("native run refused"), m0.HeapAlloc>>20, m1.HeapAlloc>>20, g0, runtime.NumGoroutine())
	if grow := int64(m1.HeapAlloc) - int64(m0.HeapAlloc); grow > 64<<20 {
		t.Errorf("the heap grew by %d MiB under load", grow>>20)
	}
	if statuses[200] == 0 || statuses[429] == 0 {
		t.Logf("note: no 429 at all means the load stayed within capacity")
	}
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// countingHandler is a slog.Handler that counts records by message.
type countingHandler struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[r.Message]++
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }
func (h *countingHandler) get(msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[msg]
}
