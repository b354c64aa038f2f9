//go:build !wasm && e2e

// End-to-end tests of the lab's UI against `conlab serve`, in each of the
// three engines (package webdriver: Chromium, Firefox ESR, WebKitGTK).
// They build everything they need themselves (the conlab binary,
// app.wasm and worker.wasm, into a temporary site folder), so no `make
// build` is needed first. A missing browser skips its subtests (fails
// them under CONLAB_REQUIRE_BROWSERS=1).
//
//	go test -tags e2e -run E2E -v ./app/ui/
//
// Screenshots go to $CONLAB_E2E_SHOTS, or to conlab-e2e in the system's
// temporary folder; each test logs the path of its own.
package ui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conlab/app/internal/browsertest"
	"conlab/app/internal/webdriver"
)

var (
	siteOnce sync.Once
	siteDir  string // holds conlab and public/web
	siteErr  error
)

// TestMain removes the site the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if siteDir != "" {
		os.RemoveAll(siteDir)
	}
	os.Exit(code)
}

// buildSite builds the lab once per test binary.
func buildSite(t *testing.T) string {
	t.Helper()
	siteOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			siteErr = err
			return
		}
		dir, err := os.MkdirTemp("", "conlab-e2e-site-")
		if err != nil {
			siteErr = err
			return
		}
		siteDir = dir
		web := filepath.Join(dir, "public", "web")
		if err := os.MkdirAll(web, 0o755); err != nil {
			siteErr = err
			return
		}
		// The hand-written assets, as the repository has them: not the
		// built binaries, nor their compressed copies (the server would
		// prefer a stale app.wasm.br from an earlier make build).
		src := filepath.Join(root, "public", "web")
		entries, err := os.ReadDir(src)
		if err != nil {
			siteErr = err
			return
		}
		for _, e := range entries {
			if e.IsDir() || strings.Contains(e.Name(), ".wasm") {
				continue
			}
			if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(web, e.Name())); err != nil {
				siteErr = err
				return
			}
		}
		goroot := strings.TrimSpace(run(root, nil, "go", "env", "GOROOT"))
		if err := copyFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"), filepath.Join(web, "wasm_exec.js")); err != nil {
			siteErr = err
			return
		}
		wasmEnv := []string{"GOOS=js", "GOARCH=wasm"}
		steps := []struct {
			env  []string
			args []string
		}{
			// Without cgo, as make builds it: the deadlock lesson's child then
			// gets the Go runtime's own verdict.
			{[]string{"CGO_ENABLED=0"}, []string{"build", "-o", filepath.Join(dir, "conlab"), "./app"}},
			{wasmEnv, []string{"build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(web, "app.wasm"), "./app"}},
			{wasmEnv, []string{"build", "-trimpath", "-ldflags=-s -w", "-tags", browsertest.WorkerTag, "-o", filepath.Join(web, "worker.wasm"), "./wasm/worker"}},
		}
		for _, s := range steps {
			cmd := exec.Command("go", s.args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), s.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				siteErr = fmt.Errorf("go %s: %v\n%s", strings.Join(s.args, " "), err, out)
				return
			}
		}
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteDir
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the conlab module")
	}
	return filepath.Dir(mod), nil
}

func run(dir string, env []string, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.Output()
	return string(out)
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// serve starts `conlab serve` on a free loopback port and returns its URL.
// The server is stopped when the test ends.
func serve(t *testing.T, site string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(site, "conlab"), "serve", "-addr", "127.0.0.1:0", "-public", filepath.Join(site, "public"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "conlab: serving on "); ok {
				urls <- strings.TrimSuffix(u, "/")
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("conlab serve did not say where it serves")
		return ""
	}
}

// engines runs test in a fresh browser of every engine, one subtest
// each, named after the engine.
func engines(t *testing.T, test func(t *testing.T, e webdriver.Engine)) {
	for _, e := range webdriver.Engines {
		t.Run(e.Title(), func(t *testing.T) {
			webdriver.Require(t, e)
			test(t, e)
		})
	}
}

// e2ePage is a page of the lab in a fresh browser, and the time the test
// gives it.
type e2ePage struct {
	t      *testing.T
	ctx    context.Context
	engine webdriver.Engine
	p      webdriver.Page
}

// browserIn opens a fresh browser of engine e (its own profile: empty
// storage), with timeout for the test's whole use of it.
func browserIn(t *testing.T, e webdriver.Engine, timeout time.Duration) *e2ePage {
	t.Helper()
	b := webdriver.Start(t, e, webdriver.Options{Width: 1280, Height: 900})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return &e2ePage{t: t, ctx: ctx, engine: e, p: b.Page()}
}

// open loads url and waits until the lab's wasm runs (go-app removes its
// loader); it returns the page's load time, cold (fresh profile).
func (l *e2ePage) open(url string) time.Duration {
	l.t.Helper()
	if err := l.p.Navigate(l.ctx, url); err != nil {
		l.t.Fatalf("loading %s: %v", url, err)
	}
	l.waitFor(`!document.getElementById("app-wasm-loader") && !!document.getElementById("status")`, 2*time.Minute)
	ms := evalIn[float64](l, `performance.now()`)
	return time.Duration(ms * float64(time.Millisecond))
}

func (l *e2ePage) waitFor(expr string, within time.Duration) {
	l.t.Helper()
	if err := webdriver.Wait(l.ctx, l.p, expr, within); err != nil {
		status, _ := webdriver.Eval[string](l.ctx, l.p, `(document.getElementById("status")||{}).textContent||""`)
		l.t.Fatalf("%v (status: %q)", err, status)
	}
}

func evalIn[T any](l *e2ePage, expr string) T {
	l.t.Helper()
	v, err := webdriver.Eval[T](l.ctx, l.p, expr)
	if err != nil {
		l.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// click clicks the element sel as a user would, with the pointer, after
// scrolling it to the middle of the window (the sticky header would
// otherwise cover an element scrolled to the top).
func (l *e2ePage) click(sel string) {
	l.t.Helper()
	if err := l.p.Click(l.ctx, sel); err != nil {
		l.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// setValue types value into the input field id, as far as the page can
// tell.
func (l *e2ePage) setValue(id, value string) {
	l.t.Helper()
	evalIn[any](l, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); })()`, id, value))
}

// screenshot writes the whole page as ENGINE-NAME.png and logs where.
func (l *e2ePage) screenshot(name string) {
	l.t.Helper()
	// From the top: the sticky header and catalog then sit where a
	// student sees them.
	evalIn[any](l, `(window.scrollTo(0, 0), document.querySelectorAll(".table-wrap").forEach(e => e.scrollLeft = 0), null)`)
	time.Sleep(300 * time.Millisecond)
	webdriver.SaveScreenshot(l.t, l.ctx, l.p, string(l.engine)+"-"+name)
}

// The helpers below drive a Chromium tab through chromedp directly, for
// the tests that need DevTools or were written against it
// (e2e_firstround_test.go, lessons_e2e_test.go). The browser comes from
// package webdriver, as every engine's does.

// browser opens a fresh headless Chromium (its own profile: empty
// storage) and returns its tab's chromedp context, valid for timeout.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	l := browserIn(t, webdriver.Chromium, timeout)
	tab, _ := webdriver.Tab(l.p)
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(cancel)
	return ctx
}

// open loads url and waits until the lab's wasm runs (go-app removes its
// loader); it returns the page's load time, cold (fresh profile).
func open(t *testing.T, tab context.Context, url string) time.Duration {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	waitFor(t, tab, `!document.getElementById("app-wasm-loader") && !!document.getElementById("status")`, time.Minute)
	ms := eval[float64](t, tab, `performance.now()`)
	return time.Duration(ms * float64(time.Millisecond))
}

// waitFor polls expr in tab until it is true, for at most within, across
// the page's navigations.
func waitFor(t *testing.T, tab context.Context, expr string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, within)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond)))
		if err == nil {
			return
		}
		if !webdriver.IsNavigated(err) || ctx.Err() != nil {
			status := eval[string](t, tab, `(document.getElementById("status")||{}).textContent||""`)
			t.Fatalf("waiting for %s: %v (status: %q)", expr, err, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// eval evaluates expr in tab, again while a navigation ends the
// evaluation.
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	for {
		v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
		if err == nil {
			return v
		}
		if !webdriver.IsNavigated(err) || tab.Err() != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click clicks the element sel as a user would, with the mouse, after
// scrolling it to the middle of the window (the sticky header would
// otherwise cover an element scrolled to the top).
func click(t *testing.T, tab context.Context, sel string) {
	t.Helper()
	center := fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"})`, sel)
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](center), chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

// screenshot writes the whole page as a PNG and logs where.
func screenshot(t *testing.T, tab context.Context, name string) string {
	t.Helper()
	// From the top: the sticky header and catalog then sit where a
	// student sees them.
	chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0); document.querySelectorAll(".table-wrap").forEach(e => e.scrollLeft = 0)`), chromedp.Sleep(300*time.Millisecond))
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := webdriver.ShotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
	return file
}

const (
	statusSets  = `+(document.getElementById("status")||{dataset:{}}).dataset.sets`
	statusState = `(document.getElementById("status")||{dataset:{}}).dataset.state`
)

// A lesson opened by a link with autorun=1 runs every chosen mode and
// count, fills the table, draws the charts, and draws the last run's
// timeline with one lane per worker.
func TestE2EAutorun(t *testing.T) { engines(t, e2eAutorun) }

func e2eAutorun(t *testing.T, e webdriver.Engine) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, e, 8*time.Minute)
	load := tab.open(base + "/?workload=countdown&count=300000000&modes=sequential,cooperative,workers,native&workers=1,2&rounds=1&autorun=1")
	t.Logf("page load, cold, localhost: %v", load.Round(time.Millisecond))
	tab.waitFor(statusSets+` >= 1`, 4*time.Minute)

	if state := evalIn[string](tab, statusState); state != "ok" {
		t.Fatalf("status %s: %s\n%s", state, evalIn[string](tab, `document.getElementById("status").textContent`), evalIn[string](tab, `document.body.innerText.slice(0, 3000)`))
	}
	// sequential, cooperative ×1 ×2, workers ×1 ×2, native sequential, native ×1 ×2.
	rows := evalIn[[]string](tab, `[...document.querySelectorAll(".results-table tbody tr")].map(r => r.querySelector("th").textContent + " " + r.querySelectorAll("td")[2].textContent)`)
	want := []string{"native goroutines 2", "native goroutines 1", "native sequential 1", "workers 2", "workers 1", "cooperative 2", "cooperative 1", "sequential 1"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		// Native rows name their GOMAXPROCS too; compare the start.
		for i := range want {
			if i >= len(rows) || !strings.HasPrefix(rows[i], want[i]) {
				t.Fatalf("table rows %q, want %q", rows, want)
			}
		}
	}
	if bad := evalIn[int](tab, `document.querySelectorAll(".results-table tbody tr.bad").length`); bad != 0 {
		t.Errorf("%d runs did not check out", bad)
	}
	// The timeline shows the last run (native goroutines × 2): show the
	// workers × 2 run instead, from its row, and count its lanes.
	id := evalIn[string](tab, `[...document.querySelectorAll(".results-table tbody tr")].find(r => r.querySelector("th").textContent == "workers" && r.querySelectorAll("td")[2].textContent == "2").dataset.id`)
	tab.click(`tr[data-id="` + id + `"] button`)
	tab.waitFor(`!!document.querySelector("#tl-result-svg") && document.querySelector(".tl-title").textContent.startsWith("workers, 2 workers")`, 10*time.Second)
	lanes := evalIn[[]string](tab, `[...document.querySelectorAll("#tl-result-svg .lane-label")].map(e => e.textContent)`)
	if strings.Join(lanes, ",") != "worker 0,worker 1" {
		t.Errorf("timeline lanes %q, want one per worker", lanes)
	}
	if n := evalIn[int](tab, `document.querySelectorAll("#chart-wall .bar").length`); n != 8 {
		t.Errorf("%d bars in the wall-time chart, want 8", n)
	}
	if n := evalIn[int](tab, `document.querySelectorAll("#chart-speed circle").length`); n < 4 {
		t.Errorf("%d points on the speed-up chart, want 4 or more", n)
	}
	tab.screenshot("lesson-after-run")
	// Every run is kept across a reload.
	tab.open(base + "/?workload=countdown&count=300000000")
	if n := evalIn[int](tab, `document.querySelectorAll(".results-table tbody tr").length`); n != 8 {
		t.Errorf("%d rows after a reload, want 8", n)
	}
}

// Cancel stops a run in progress; the page, the pool and later runs keep
// working.
func TestE2ECancel(t *testing.T) { engines(t, e2eCancel) }

func e2eCancel(t *testing.T, e webdriver.Engine) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, e, 5*time.Minute)
	tab.open(base + "/?workload=countdown&count=20000000000&modes=workers&workers=2")
	// The pool warm first: on a busy machine its "Worker pool warm" can
	// come after a run that started before it and write over the run's
	// status (a fault of the page's, reported; this test is of Cancel).
	tab.waitFor(`!document.getElementById("run-all").disabled && document.getElementById("status").textContent.startsWith("Worker pool warm")`, 2*time.Minute)
	tab.click("#run-all")
	tab.waitFor(statusState+` == "running"`, 30*time.Second)
	time.Sleep(time.Second)
	start := time.Now()
	tab.click("#cancel")
	tab.waitFor(statusSets+` == 1`, 30*time.Second)
	t.Logf("cancel took %v", time.Since(start).Round(time.Millisecond))
	if s := evalIn[string](tab, `document.getElementById("status").textContent`); !strings.HasPrefix(s, "Cancelled") {
		t.Errorf("status after cancel: %q", s)
	}
	if n := evalIn[int](tab, `document.querySelectorAll(".results-table tbody tr").length`); n != 0 {
		t.Errorf("%d rows after a cancelled run", n)
	}
	// The next run works: a small count, one run.
	tab.setValue("param-count", "50000000")
	tab.waitFor(`!document.getElementById("run-one").disabled && location.search.includes("count=50000000")`, 10*time.Second)
	tab.click("#run-one")
	tab.waitFor(statusSets+` == 2`, 2*time.Minute)
	if s := evalIn[string](tab, statusState); s != "ok" {
		t.Errorf("the run after a cancel: %s %q", s, evalIn[string](tab, `document.getElementById("status").textContent`))
	}
	tab.screenshot("after-cancel")
}

// An invalid parameter shows its message at the field and disables Run;
// a valid value clears both. The link's problem is reported too.
func TestE2EInvalidParameter(t *testing.T) { engines(t, e2eInvalidParameter) }

func e2eInvalidParameter(t *testing.T, e webdriver.Engine) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, e, 3*time.Minute)
	tab.open(base + "/?workload=countdown&count=0&modes=cooperative,turbo")
	msg := evalIn[string](tab, `(document.getElementById("param-count-err")||{}).textContent||""`)
	if !strings.Contains(msg, "out of range") || !strings.Contains(msg, "allowed: a whole number from 1 to") {
		t.Errorf("field message %q", msg)
	}
	if !evalIn[bool](tab, `document.getElementById("run-all").disabled && document.getElementById("run-one").disabled`) {
		t.Error("Run enabled with an invalid value")
	}
	if inv := evalIn[string](tab, `document.getElementById("param-count").getAttribute("aria-invalid")`); inv != "true" {
		t.Errorf("aria-invalid = %q", inv)
	}
	banner := evalIn[string](tab, `(document.querySelector(".banner:not(.banner-update)")||{}).textContent||""`)
	if !strings.Contains(banner, `unknown mode "turbo"`) {
		t.Errorf("banner %q", banner)
	}
	tab.screenshot("invalid-parameter")
	tab.setValue("param-count", "1000")
	tab.waitFor(`!document.getElementById("param-count-err") && !document.getElementById("run-all").disabled`, 10*time.Second)
}

// The main-thread mode freezes the page, and the responsiveness meter
// shows it; in a worker the page keeps drawing.
func TestE2EMainThreadFreezes(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two cores to tell a frozen page from a busy machine")
	}
	webdriver.Require(t, webdriver.Chromium)
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, webdriver.Chromium, 4*time.Minute)
	tab.open(base + "/?workload=countdown&count=1500000000&modes=main&workers=1&rounds=1")
	tab.waitFor(`!document.getElementById("run-all").disabled`, time.Minute)
	time.Sleep(2 * time.Second) // let the meter forget the page load
	tab.click("#run-all")
	tab.waitFor(statusSets+` == 1`, 2*time.Minute)
	time.Sleep(600 * time.Millisecond) // the meter shows its figures four times a second
	frozen := evalIn[string](tab, `document.querySelector(".meter").className`)
	longest := evalIn[string](tab, `document.querySelector(".meter-long strong").textContent`)
	t.Logf("main thread: meter %q, longest frame %s", frozen, longest)
	if !strings.Contains(frozen, "meter-frozen") {
		t.Errorf("the meter did not see the freeze: %q %s", frozen, longest)
	}
	tab.screenshot("main-thread")
}
