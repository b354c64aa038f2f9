//go:build !wasm

package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
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
// On loopback, bounded in count and time. 100 students, each from a
// loopback address of its own (127.0.0.x, as students have their own
// machines), mix catalog reads, runs with default parameters, fresh runs
// and bad requests. Beside them, the hostile mix: a client starting pool
// runs with cpu set, one asking for a mergesort larger than the memory
// budget, a greedy client sending long runs as fast as it can, and a
// client holding idle connections open. It checks that no answer is a
// 5xx; that the students' runs are served (429 only with Retry-After) each
// within its deadline, and at least as many as the hostile clients got;
// that the oversized run is refused with 422 and the greedy client held to
// its share; that the CPU the runs keep busy and the
// memory they hold stay within the budgets; and that no child process is
// left. It reports throughput, latencies, refusals, the load average, the
// peak memory of the runs and orphans.
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
	const (
		memoryBudget = 768 << 20
		perClient    = 3
		maxConns     = 256
		idleConns    = 150 // the idle client's connections: most of maxConns
		runDeadline  = 20_000
	)

	counts := &countingHandler{}
	s, err := New(Config{Public: t.TempDir(), Spawner: testSpawner("conlab"), Logger: slog.New(counts),
		Memory: memoryBudget, PerClient: perClient, MaxConns: maxConns, IdleTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- s.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	base := <-urls
	load0 := loadAvg()

	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	g0 := runtime.NumGoroutine()

	// What the runs hold and keep busy, sampled: the server's own budget
	// accounting and the real memory of every process under this one.
	var peakRSS, peakCores, peakEst atomic.Int64
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if m := descendantsRSS(os.Getpid()); m > peakRSS.Load() {
				peakRSS.Store(m)
			}
			c, b := s.adm.usage()
			if int64(c) > peakCores.Load() {
				peakCores.Store(int64(c))
			}
			if b > peakEst.Load() {
				peakEst.Store(b)
			}
			select {
			case <-sampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()

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
		{"default run", "POST", "/api/run", func(c, i int) string {
			return []string{
				`{"workload":"countdown","mode":"goroutines","workers":2,"gomaxprocs":2,"params":{"count":20000000},"timeout_ms":20000}`,
				`{"workload":"countdown","mode":"sequential","workers":2,"gomaxprocs":1,"params":{"count":20000000},"timeout_ms":20000}`,
				`{"workload":"sleep","mode":"goroutines","workers":5,"timeout_ms":20000}`,
			}[i%3]
		}, okRun},
		// Unique parameters: each is a new native run.
		{"fresh run", "POST", "/api/run", func(c, i int) string {
			return fmt.Sprintf(`{"workload":"countdown","mode":"goroutines","workers":2,"gomaxprocs":2,"params":{"count":%d},"timeout_ms":20000}`, 1_000_000+c*100_000+i)
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
	// Of every 20 requests: 8 catalog, 1 health, 5 default, 2 fresh, 3 bad, 1 method.
	mix := []int{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5}

	type sample struct {
		op     int
		status int
		d      time.Duration
	}
	var mu sync.Mutex
	var samples []sample
	var bad []string
	var retryMissing, late atomic.Int32
	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := clientFrom(c + 10)
			defer client.CloseIdleConnections()
			var mine []sample
			for i := 0; time.Now().Before(stop); i++ {
				k := mix[(c*7+i)%len(mix)]
				o := ops[k]
				var body io.Reader
				if o.body != nil {
					body = strings.NewReader(o.body(c, i))
				}
				req, _ := http.NewRequest(o.method, base+o.path, body)
				if o.method == "POST" {
					req.Header.Set("Content-Type", "application/json")
				}
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
				if o.path == "/api/run" && resp.StatusCode == 200 && d > runDeadline*time.Millisecond {
					late.Add(1)
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

	// The hostile mix, each from an address of its own.
	hostile := map[string]map[int]int{} // client -> status -> count
	var hmu sync.Mutex
	hit := func(who string, status int) {
		hmu.Lock()
		defer hmu.Unlock()
		if hostile[who] == nil {
			hostile[who] = map[int]int{}
		}
		hostile[who][status]++
	}
	post := func(client *http.Client, body string) int {
		resp, err := client.Post(base+"/api/run", "application/json", strings.NewReader(body))
		if err != nil {
			// A connection closed to make room for others (or idle too
			// long) as the client reused it: the hostile clients hold
			// many.
			return -1
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	hammer := func(who string, addr, parallel int, body func(i int) string) {
		client := clientFrom(addr)
		for p := range parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; time.Now().Before(stop); i++ {
					st := post(client, body(p*1000+i))
					hit(who, st)
					if st == 429 {
						time.Sleep(100 * time.Millisecond) // as fast as a script would, without spinning
					}
				}
			}()
		}
	}
	// CPU work the admission counted as none: pools with cpu set.
	hammer("cpu pool", 2, 6, func(i int) string {
		return fmt.Sprintf(`{"workload":"pool","mode":"goroutines","workers":8,"gomaxprocs":2,"params":{"jobs":8,"duration":%d,"cpu":true},"timeout_ms":20000}`, 500+i%7)
	})
	// More memory than the whole budget.
	hammer("oversized", 3, 2, func(int) string {
		return `{"workload":"mergesort","mode":"goroutines","workers":64,"params":{"lists":10000,"size":1000000}}`
	})
	// Long runs that only wait, as many as it can: they would fill every
	// child slot.
	hammer("greedy", 4, 8, func(i int) string {
		return fmt.Sprintf(`{"workload":"sleep","mode":"goroutines","workers":64,"params":{"tasks":64,"unit":%d,"pattern":"2,3"},"timeout_ms":20000}`, 500+i)
	})
	// Connections that send nothing, reopened when the server closes them.
	var idleOpen atomic.Int32
	for range idleConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 5)}}
			for time.Now().Before(stop) {
				c, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				idleOpen.Add(1)
				c.SetReadDeadline(stop)
				c.Read(make([]byte, 1)) // until the server closes it, or the end
				c.Close()
			}
		}()
	}
	wg.Wait()
	elapsed := duration
	close(sampling)
	<-sampled
	load1 := loadAvg()

	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	cancel()
	if err := <-served; err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
	orphans := 0
	for range 50 {
		if orphans = len(descendants(os.Getpid())); orphans == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkNoChildren(t)

	if len(bad) > 0 {
		t.Errorf("%d unexpected answers, first: %v", len(bad), bad[:min(len(bad), 5)])
	}
	if n := retryMissing.Load(); n > 0 {
		t.Errorf("%d answers 429 without Retry-After", n)
	}
	if n := late.Load(); n > 0 {
		t.Errorf("%d students' runs answered after their deadline of %d ms", n, runDeadline)
	}
	statuses := map[int]int{}
	var all, runs []time.Duration
	served200, refused := 0, 0
	byOp := make([][]time.Duration, len(ops))
	for _, s := range samples {
		statuses[s.status]++
		all = append(all, s.d)
		byOp[s.op] = append(byOp[s.op], s.d)
		if s.status >= 500 {
			t.Errorf("a %d answer to %s", s.status, ops[s.op].name)
		}
		if ops[s.op].path == "/api/run" && ops[s.op].method == "POST" && s.op <= 3 {
			runs = append(runs, s.d)
			switch s.status {
			case 200:
				served200++
			case 429:
				refused++
			}
		}
	}
	hostileRuns := 0
	for who, st := range hostile {
		hostileRuns += st[200]
		for code, n := range st {
			// 504 is a run past the deadline its client set: an answer.
			if code >= 500 && code != 504 {
				t.Errorf("%s: %d answers %d", who, n, code)
			}
		}
	}
	if st := hostile["oversized"]; st[422] == 0 || len(st) != 1 {
		t.Errorf("the oversized mergesort: %v, want only 422", st)
	}
	if st := hostile["greedy"]; st[429] == 0 {
		t.Errorf("the greedy client was never held to its share: %v", st)
	}
	// The hostile clients are three addresses among a hundred: they may
	// not take more runs than the students.
	if served200 == 0 || served200 < hostileRuns {
		t.Errorf("students' runs: %d served, %d refused, against %d runs of the hostile clients: the hostile mix crowded them out", served200, refused, hostileRuns)
	}
	if pc := peakCores.Load(); pc > int64(s.cfg.Cores) {
		t.Errorf("runs kept %d cores busy by their declarations, over the budget of %d", pc, s.cfg.Cores)
	}
	if pe := peakEst.Load(); pe > memoryBudget {
		t.Errorf("runs in progress held %d MB by estimate, over the budget of %d MB", pe>>20, memoryBudget>>20)
	}
	t.Logf("%d students + hostile mix, %v: %d student requests, %.0f req/s; statuses %v", clients, elapsed, len(samples), float64(len(samples))/elapsed.Seconds(), statuses)
	t.Logf("all: p50 %v p99 %v; students' runs: %d served, %d refused (429), p50 %v p99 %v", pct(all, 50), pct(all, 99), served200, refused, pct(runs, 50), pct(runs, 99))
	for k, o := range ops {
		t.Logf("%-12s n=%-6d p50 %-10v p99 %v", o.name, len(byOp[k]), pct(byOp[k], 50), pct(byOp[k], 99))
	}
	for _, who := range []string{"cpu pool", "oversized", "greedy"} {
		t.Logf("hostile %-9s statuses %v (-1: its connection was closed as it sent)", who, hostile[who])
	}
	t.Logf("idle connections opened %d (limit %d open at once)", idleOpen.Load(), maxConns)
	t.Logf("native runs %d; cores busy by declaration: peak %d of %d; memory by estimate: peak %d MB of %d MB; measured peak of all runs' processes %d MB",
		counts.get("native run"), peakCores.Load(), s.cfg.Cores, peakEst.Load()>>20, memoryBudget>>20, peakRSS.Load()>>20)
	t.Logf("load average (1 min) %s -> %s on %d cores; orphans %d; heap %d MiB -> %d MiB; goroutines %d -> %d",
		load0, load1, runtime.NumCPU(), orphans, m0.HeapAlloc>>20, m1.HeapAlloc>>20, g0, runtime.NumGoroutine())
	if grow := int64(m1.HeapAlloc) - int64(m0.HeapAlloc); grow > 64<<20 {
		t.Errorf("the heap grew by %d MiB under load", grow>>20)
	}
}

// clientFrom is an HTTP client whose connections come from loopback
// address 127.0.0.n (2 ≤ n ≤ 254): one client address per student.
func clientFrom(n int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(n/250), byte(2+n%250))}, Timeout: 30 * time.Second}
	return &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 8}}
}

// loadAvg is the 1-minute load average, "" where the OS does not say.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// descendants lists the processes under pid (children, theirs, ...).
func descendants(pid int) []int {
	parent := procParents()
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// descendantsRSS sums the resident memory of the processes under pid.
func descendantsRSS(pid int) int64 {
	var sum int64
	for _, p := range descendants(pid) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/statm")
		if err != nil {
			continue
		}
		f := bytes.Fields(b)
		if len(f) > 1 {
			n, _ := strconv.ParseInt(string(f[1]), 10, 64)
			sum += n * int64(os.Getpagesize())
		}
	}
	return sum
}

// procParents maps every live process to its parent, from /proc.
func procParents() map[int]int {
	m := map[int]int{}
	eachProcStat(func(pid int, f [][]byte) {
		if len(f) > 1 && string(f[0]) != "Z" {
			m[pid], _ = strconv.Atoi(string(f[1]))
		}
	})
	return m
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
