//go:build !wasm

package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"conlab/app/internal/browsertest"
	"conlab/app/internal/site"
	"conlab/app/internal/webdriver"
	"conlab/workloads"
)

//go:embed testdata/host.html
var hostPage []byte

// labPath is the sub-path the site is published under: the site was
// built without knowing it.
const labPath = "/course/week3/lab/"

// browserTimeout bounds one browser's whole scenario.
const browserTimeout = 4 * time.Minute

var (
	siteOnce sync.Once
	siteDir  string
	siteErr  error
	siteOpts site.Options // what built siteDir
	tmpRoot  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpRoot != "" {
		os.RemoveAll(tmpRoot)
	}
	os.Exit(code)
}

// builtSite builds the wasm binaries and the static site once for every
// test of the package.
func builtSite(t *testing.T) string {
	t.Helper()
	siteOnce.Do(func() {
		start := time.Now()
		siteDir, siteErr = buildSite()
		if siteErr == nil {
			t.Logf("built the wasm binaries and the site in %v", time.Since(start).Round(time.Millisecond))
		}
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteDir
}

func buildSite() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	if tmpRoot, err = os.MkdirTemp("", "conlab-e2e-"); err != nil {
		return "", err
	}
	bins := map[string]string{"./app": "app.wasm", "./wasm/worker": "worker.wasm"}
	for _, pkg := range []string{"./app", "./wasm/worker"} {
		tags := "" // the UI shows the lessons' sources; the workers leave them out
		if pkg == "./wasm/worker" {
			tags = browsertest.WorkerTag
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", tags, "-o", filepath.Join(tmpRoot, bins[pkg]), pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building %s for the browser: %v\n%s", pkg, err, out)
		}
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	baseline := filepath.Join(tmpRoot, "baseline.json")
	if err := writeBaseline(ctx, baseline); err != nil {
		return "", err
	}
	siteOpts = site.Options{
		Dir:        filepath.Join(tmpRoot, "site"),
		Public:     filepath.Join(root, "public"),
		AppWasm:    filepath.Join(tmpRoot, "app.wasm"),
		WorkerWasm: filepath.Join(tmpRoot, "worker.wasm"),
		WasmExec:   filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js"),
		Baseline:   baseline,
	}
	s, err := site.Generate(ctx, siteOpts)
	if err != nil {
		return "", err
	}
	return s.Dir, nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("the tests must run inside the conlab module")
	}
	return filepath.Dir(mod), nil
}

// writeBaseline records a small native baseline, in the form `conlab
// baseline` writes, for the site to ship.
func writeBaseline(ctx context.Context, name string) error {
	var results []*workloads.Result
	for _, mode := range []workloads.Mode{workloads.Sequential, workloads.Goroutines} {
		res, err := workloads.Run(ctx, workloads.Request{Workload: "countdown", Mode: mode, Workers: 2, Params: map[string]any{"count": 100_000}}, workloads.Options{})
		if err != nil {
			return fmt.Errorf("native baseline run: %w", err)
		}
		results = append(results, res)
	}
	b, err := json.Marshal(map[string]any{
		"format": 1, "date": time.Now().UTC(), "quick": true,
		"machine": map[string]any{"numcpu": runtime.NumCPU(), "goos": runtime.GOOS, "goarch": runtime.GOARCH, "go_version": runtime.Version()},
		"results": results,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}

// labServer is a plain static file server for the site, under labPath.
type labServer struct {
	URL string // the lab's folder, ending in /
	srv *http.Server

	mu   sync.Mutex
	hits map[string]int
	dir  string                   // the site served
	held map[string]chan struct{} // paths whose requests wait, see hold
}

// deploy switches the server to another build of the site at once, as a
// host's atomic deployment does.
func (s *labServer) deploy(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dir = dir
}

// hold makes the requests for name, under the lab's folder, wait until
// release is called; they are then answered as usual.
func (s *labServer) hold(name string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string]chan struct{}{}
	}
	s.held[labPath+name] = ch
	return sync.OnceFunc(func() {
		s.mu.Lock()
		delete(s.held, labPath+name)
		s.mu.Unlock()
		close(ch)
	})
}

// hitsOf returns how many requests for name, under the lab's folder, the
// server has had.
func (s *labServer) hitsOf(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[labPath+name]
}

// wasmType is the Content-Type a lab server sends for .wasm files: ""
// leaves net/http's (application/wasm).
func startLab(t *testing.T, dir string) *labServer { return startLabTyped(t, dir, "") }

func startLabTyped(t *testing.T, dir, wasmType string) *labServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &labServer{URL: "http://" + ln.Addr().String() + labPath, hits: map[string]int{}, dir: dir}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		dir, held := s.dir, s.held[r.URL.Path]
		s.mu.Unlock()
		if held != nil {
			select {
			case <-held:
			case <-r.Context().Done():
				return
			}
		}
		if !strings.HasPrefix(r.URL.Path, labPath) {
			http.NotFound(w, r)
			return
		}
		if wasmType != "" && strings.HasSuffix(r.URL.Path, ".wasm") {
			// A server that does not know the type: set first, kept by
			// FileServer.
			w.Header().Set("Content-Type", wasmType)
		}
		http.StripPrefix(labPath, http.FileServer(http.Dir(dir))).ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// stop closes the server and every connection: the site is gone.
func (s *labServer) stop() { s.srv.Close() }

func (s *labServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}

// collector serves the host page and receives what it reports.
type collector struct {
	URL     string
	reports chan report
	goOn    chan struct{}
	t       *testing.T

	mu  sync.Mutex
	log []string
}

type report struct {
	Phase string          `json:"phase"`
	Error string          `json:"error"`
	Stack string          `json:"stack"`
	Raw   json.RawMessage `json:"-"`
}

func startCollector(t *testing.T) *collector {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{URL: "http://" + ln.Addr().String(), reports: make(chan report, 8), goOn: make(chan struct{}), t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /host.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(hostPage)
	})
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		var rep report
		if err == nil {
			err = json.Unmarshal(b, &rep)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rep.Raw = b
		select {
		case c.reports <- rep:
		default:
		}
	})
	mux.HandleFunc("POST /log", func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Msg string }
		if json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&m) == nil {
			c.mu.Lock()
			c.log = append(c.log, time.Now().Format("15:04:05.000")+" host: "+m.Msg)
			c.mu.Unlock()
		}
	})
	mux.HandleFunc("GET /next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-c.goOn:
			io.WriteString(w, "go")
		case <-time.After(20 * time.Second):
			io.WriteString(w, "wait")
		case <-r.Context().Done():
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return c
}

func (c *collector) hostURL(lab string) string {
	runs, _ := json.Marshal(scenario)
	return c.URL + "/host.html?" + url.Values{"lab": {lab}, "run": {string(runs)}}.Encode()
}

func (c *collector) transcript() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.log, "\n")
}

// wait returns the next report, failing on an error report or a timeout.
func (c *collector) wait(ctx context.Context, phase string) report {
	c.t.Helper()
	select {
	case rep := <-c.reports:
		if rep.Phase == "error" {
			c.t.Fatalf("the host page failed in the %s phase: %s\n%s\nhost's log:\n%s", phase, rep.Error, rep.Stack, c.transcript())
		}
		if rep.Phase != phase {
			c.t.Fatalf("got the %s report, want %s", rep.Phase, phase)
		}
		return rep
	case <-ctx.Done():
		c.t.Fatalf("no %s report from the browser: %v\nhost's log:\n%s", phase, ctx.Err(), c.transcript())
	}
	return report{}
}

// countdownCount makes each countdown lane take some tenths of a second,
// long enough for lanes that run at once to overlap visibly.
const countdownCount = 160_000_000

// scenario is what the host page runs in the lab, by name.
var scenario = map[string]map[string]map[string]any{
	"frame": {
		"coop":     {"workload": "countdown", "mode": "cooperative", "workers": 2, "params": map[string]any{"count": countdownCount}},
		"workers":  {"workload": "countdown", "mode": "workers", "workers": 2, "params": map[string]any{"count": countdownCount}},
		"sleep":    {"workload": "sleep", "mode": "cooperative", "workers": 4, "params": map[string]any{"tasks": 4, "unit": 60}},
		"download": {"workload": "download", "mode": "cooperative", "workers": 4, "params": map[string]any{"pages": 12, "source": "static"}},
	},
	"popup": {
		"sleep": {"workload": "sleep", "mode": "cooperative", "workers": 3, "params": map[string]any{"tasks": 3, "unit": 60}},
		"seq":   {"workload": "countdown", "mode": "sequential", "params": map[string]any{"count": 1_000_000}},
	},
}

// phaseReport is what the host page reports of one phase.
type phaseReport struct {
	Frame windowReport `json:"frame"`
	Popup windowReport `json:"popup"`
}

type windowReport struct {
	Ready struct {
		Type    string `json:"type"`
		Version string `json:"version"`
		Error   string `json:"error"`
	} `json:"ready"`
	Runs      map[string]labResult `json:"runs"`
	Order     []string             `json:"order"`
	Malformed []struct {
		ID   string    `json:"id"`
		Want string    `json:"want"`
		Got  labResult `json:"got"`
	} `json:"malformed"`
	Seen struct {
		Origins  []string `json:"origins"`
		Types    []string `json:"types"`
		Resizes  []int    `json:"resizes"`
		Answered []any    `json:"answered"`
	} `json:"seen"`
}

type labResult struct {
	Type   string            `json:"type"`
	ID     any               `json:"id"`
	OK     bool              `json:"ok"`
	Error  string            `json:"error"`
	Result *workloads.Result `json:"result"`
}

// browserRun is a browser showing the host page.
type browserRun struct {
	logs func() string     // the browser's own log, for a failure message
	shot func(name string) // a screenshot of the host page, if the browser can
	// offlineEmbedFails: offline, the lab embedded by another origin's
	// page loads, but its worker pool cannot start (WebKitGTK 2.50).
	offlineEmbedFails bool
}

// scenarioRun drives one browser through both phases; launch opens the
// host page in it.
func scenarioRun(t *testing.T, wasmType string, launch func(ctx context.Context, url string) browserRun) {
	dir := builtSite(t)
	lab := startLabTyped(t, dir, wasmType)
	col := startCollector(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()

	start := time.Now()
	b := launch(ctx, col.hostURL(lab.URL))
	defer func() {
		if t.Failed() {
			t.Logf("host's log:\n%s\nbrowser's log:\n%s", col.transcript(), b.logs())
		}
	}()

	online := decodePhase(t, col.wait(ctx, "online"))
	t.Logf("online phase done in %v (%d requests to the lab's server)", time.Since(start).Round(time.Millisecond), lab.requests())
	checkReady(t, "online frame", online.Frame)
	checkReady(t, "online popup", online.Popup)
	if online.Frame.Ready.Version != online.Popup.Ready.Version {
		t.Errorf("the frame and the window run different versions: %q, %q", online.Frame.Ready.Version, online.Popup.Ready.Version)
	}
	checkRuns(t, "online frame", online.Frame.Runs)
	checkRuns(t, "online popup", online.Popup.Runs)
	checkMalformed(t, online.Frame)
	if !slices.Equal(online.Frame.Order, []string{"b1", "b2", "b3"}) {
		t.Errorf("three runs posted at once were answered in the order %v", online.Frame.Order)
	}
	checkEmbedding(t, online.Frame, lab.URL)

	// The network goes away: the lab's server stops, connections and all.
	lab.stop()
	before := lab.requests()
	close(col.goOn)
	offline := decodePhase(t, col.wait(ctx, "offline"))
	t.Logf("offline phase done, %v in all", time.Since(start).Round(time.Millisecond))
	if n := lab.requests(); n != before {
		t.Errorf("the stopped server was reached %d times", n-before)
	}
	if offline.Frame.Ready.Version != online.Frame.Ready.Version {
		t.Errorf("offline the lab is version %q, online it was %q", offline.Frame.Ready.Version, online.Frame.Ready.Version)
	}
	for _, w := range []struct {
		where string
		w     windowReport
	}{{"offline frame", offline.Frame}, {"offline popup", offline.Popup}} {
		if b.offlineEmbedFails && strings.HasPrefix(w.w.Ready.Error, "the worker pool could not start") && w.w.Ready.Version == online.Frame.Ready.Version {
			t.Logf("%s: the lab's page came from its service worker, but: %s (a known difference of this engine, embedded offline)", w.where, w.w.Ready.Error)
			continue
		}
		checkReady(t, w.where, w.w)
		checkRuns(t, w.where, w.w.Runs)
	}
	if len(offline.Frame.Seen.Resizes) == 0 {
		t.Errorf("offline frame: no lab:resize")
	}
	if b.shot != nil {
		b.shot("embedded-offline")
	}
}

func decodePhase(t *testing.T, rep report) phaseReport {
	t.Helper()
	var p phaseReport
	if err := json.Unmarshal(rep.Raw, &p); err != nil {
		t.Fatalf("the %s report: %v", rep.Phase, err)
	}
	return p
}

func checkReady(t *testing.T, where string, w windowReport) {
	t.Helper()
	if w.Ready.Type != "lab:ready" || w.Ready.Version == "" || w.Ready.Error != "" {
		t.Errorf("%s: lab:ready = %+v, want a version and no error", where, w.Ready)
	}
}

// checkRuns checks every result, and the lessons' shapes.
func checkRuns(t *testing.T, where string, runs map[string]labResult) {
	t.Helper()
	for name, r := range runs {
		if !r.OK || r.Result == nil || !r.Result.Check.OK {
			t.Errorf("%s: %s: %+v", where, name, r)
			continue
		}
		if e := r.Result.Facts.Engine; e != "wasm-worker" {
			t.Errorf("%s: %s ran on engine %q, want wasm-worker", where, name, e)
		}
	}
	if t.Failed() {
		return
	}
	if coop, ok := runs["coop"]; ok {
		// Cooperative: one thread, no preemption: one lane runs, then the
		// other. Workers: two threads: both run at once.
		c, w := coop.Result, runs["workers"].Result
		if o := maxOverlap(c); o > 0.05 {
			t.Errorf("%s: cooperative countdown lanes overlap by %.0f%%: goroutines in one worker ran in parallel?\n%s", where, 100*o, spansText(c))
		}
		if o := maxOverlap(w); o < 0.5 {
			t.Errorf("%s: workers countdown lanes overlap by only %.0f%%: the workers did not run in parallel\n%s", where, 100*o, spansText(w))
		}
		t.Logf("%s: countdown of %d: cooperative %v, workers %v (ratio %.2f; start-up %v)", where, countdownCount,
			us(runWall(c)), us(runWall(w)), float64(runWall(c))/float64(runWall(w)), us(w.StartupUS))
	}
	if s, ok := runs["sleep"]; ok {
		// Overlapping sleeps: about the longest, far from the sum.
		units := sleepUnits(s.Result)
		var sum, longest int64
		for _, u := range units {
			sum += u
			longest = max(longest, u)
		}
		unit := int64(asInt(s.Result.Params["unit"])) * 1000
		wall := runWall(s.Result)
		// On the timeline, every sleep waits at once.
		if n := waitingAtOnce(s.Result); n != len(units) {
			t.Errorf("%s: at most %d of the %d sleeps wait at once on the timeline: the sleeps did not overlap\n%s", where, n, len(units), spansText(s.Result))
		}
		switch {
		case wall < longest*unit*95/100:
			t.Errorf("%s: cooperative sleep took %v, less than its longest sleep, %v", where, us(wall), us(longest*unit))
		case wall > (longest*unit+sum*unit)/2:
			// Late timers on a busy machine look like sleeps in turn.
			if p := webdriver.Parallelism(); p < webdriver.FreeCores {
				t.Logf("%s: cooperative sleep took %v; the longest sleep is %v, the sum %v: could not judge the timing, the machine is busy (control parallelism %.2f)", where, us(wall), us(longest*unit), us(sum*unit), p)
			} else {
				t.Errorf("%s: cooperative sleep took %v; the longest sleep is %v, the sum %v: the sleeps did not overlap (control parallelism %.2f)", where, us(wall), us(longest*unit), us(sum*unit), p)
			}
		}
	}
	if d, ok := runs["download"]; ok && d.Result.Params["source"] != "static" {
		t.Errorf("%s: download ran from %v", where, d.Result.Params["source"])
	}
}

// runWall is a run's time without the worker start-up it paid.
func runWall(r *workloads.Result) int64 { return r.WallUS - r.StartupUS }

func sleepUnits(r *workloads.Result) []int64 {
	n := asInt(r.Params["tasks"])
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func asInt(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case json.Number:
		i, _ := x.Int64()
		return int(i)
	}
	return 0
}

// waitingAtOnce is the most tasks waiting at once on r's timeline.
func waitingAtOnce(r *workloads.Result) int {
	best := 0
	for _, a := range r.Spans {
		if a.State != workloads.Waiting {
			continue
		}
		tasks := map[int]bool{}
		for _, b := range r.Spans {
			if b.State == workloads.Waiting && b.Start <= a.Start && a.Start < b.End {
				tasks[b.Task] = true
			}
		}
		best = max(best, len(tasks))
	}
	return best
}

// maxOverlap is the largest overlap of two tasks' running time, as a
// share of the shorter one.
func maxOverlap(r *workloads.Result) float64 {
	type span struct{ start, end int64 }
	byTask := map[int]span{}
	for _, s := range r.Spans {
		if s.Task < 0 || s.State != workloads.Running {
			continue
		}
		b, ok := byTask[s.Task]
		if !ok {
			b = span{s.Start, s.End}
		}
		b.start, b.end = min(b.start, s.Start), max(b.end, s.End)
		byTask[s.Task] = b
	}
	tasks := make([]int, 0, len(byTask))
	for k := range byTask {
		tasks = append(tasks, k)
	}
	slices.Sort(tasks)
	best := 0.0
	for i, a := range tasks {
		for _, b := range tasks[i+1:] {
			x, y := byTask[a], byTask[b]
			shorter := min(x.end-x.start, y.end-y.start)
			if shorter <= 0 {
				continue
			}
			o := min(x.end, y.end) - max(x.start, y.start)
			best = max(best, float64(o)/float64(shorter))
		}
	}
	return best
}

func spansText(r *workloads.Result) string {
	var b strings.Builder
	for _, s := range r.Spans {
		fmt.Fprintf(&b, "  lane %d task %d %-8s %8d..%8d µs %s\n", s.Lane, s.Task, s.State, s.Start, s.End, s.Label)
	}
	return b.String()
}

func us(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

func checkMalformed(t *testing.T, w windowReport) {
	t.Helper()
	if len(w.Malformed) == 0 {
		t.Errorf("no answers to the malformed messages")
	}
	for _, m := range w.Malformed {
		if m.Got.Type != "lab:result" || m.Got.OK || !strings.Contains(m.Got.Error, m.Want) {
			t.Errorf("malformed %s: answer %+v, want an error mentioning %q", m.ID, m.Got, m.Want)
		}
	}
	// Only messages with an id were answered: the others were ignored,
	// and the lab went on running the next ones.
	for _, id := range w.Seen.Answered {
		s, _ := id.(string)
		if !strings.HasPrefix(s, "r") && !strings.HasPrefix(s, "b") && s != "no-type" {
			t.Errorf("the lab answered a message it should have ignored: id %v", id)
		}
	}
}

func checkEmbedding(t *testing.T, w windowReport, labURL string) {
	t.Helper()
	origin := strings.TrimSuffix(labURL, labPath)
	if !slices.Equal(w.Seen.Origins, []string{origin}) {
		t.Errorf("messages came from %v, want only the lab's origin %s", w.Seen.Origins, origin)
	}
	if len(w.Seen.Types) == 0 || w.Seen.Types[0] == "lab:result" {
		t.Errorf("message order: %v", w.Seen.Types)
	}
	if len(w.Seen.Resizes) == 0 {
		t.Fatalf("no lab:resize message (saw %v)", w.Seen.Types)
	}
	for _, h := range w.Seen.Resizes {
		if h <= 0 || h > 100000 {
			t.Errorf("lab:resize height %d", h)
		}
	}
	if !slices.Contains(w.Seen.Types, "lab:offline") {
		t.Errorf("no lab:offline message: the service worker never served the lab")
	}
}
