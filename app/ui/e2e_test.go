//go:build !wasm && e2e

// End-to-end tests of the lab's UI in headless Chromium against `conlab
// serve`. They build everything they need themselves (the conlab binary,
// app.wasm and worker.wasm, into a temporary site folder), so no `make
// build` is needed first; they need Chromium on PATH (Debian: chromium).
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
			{nil, []string{"build", "-o", filepath.Join(dir, "conlab"), "./app"}},
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

// browser opens a fresh headless Chromium (its own profile: empty
// storage) and returns a tab's context, valid for timeout.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("no Chromium on PATH (Debian: apt-get install chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return tab
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

func waitFor(t *testing.T, tab context.Context, expr string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, within)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		status := eval[string](t, tab, `(document.getElementById("status")||{}).textContent||""`)
		t.Fatalf("waiting for %s: %v (status: %q)", expr, err, status)
	}
}

func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
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
	dir := os.Getenv("CONLAB_E2E_SHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "conlab-e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// From the top: the sticky header and catalog then sit where a
	// student sees them.
	chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0); document.querySelectorAll(".table-wrap").forEach(e => e.scrollLeft = 0)`), chromedp.Sleep(300*time.Millisecond))
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
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
func TestE2EAutorun(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 6*time.Minute)
	load := open(t, tab, base+"/?workload=countdown&count=300000000&modes=sequential,cooperative,workers,native&workers=1,2&rounds=1&autorun=1")
	t.Logf("page load, cold, localhost: %v", load.Round(time.Millisecond))
	waitFor(t, tab, statusSets+` >= 1`, 4*time.Minute)

	if state := eval[string](t, tab, statusState); state != "ok" {
		t.Fatalf("status %s: %s\n%s", state, eval[string](t, tab, `document.getElementById("status").textContent`), eval[string](t, tab, `document.body.innerText.slice(0, 3000)`))
	}
	// sequential, cooperative ×1 ×2, workers ×1 ×2, native sequential, native ×1 ×2.
	rows := eval[[]string](t, tab, `[...document.querySelectorAll(".results-table tbody tr")].map(r => r.querySelector("th").textContent + " " + r.querySelectorAll("td")[2].textContent)`)
	want := []string{"native goroutines 2", "native goroutines 1", "native sequential 1", "workers 2", "workers 1", "cooperative 2", "cooperative 1", "sequential 1"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		// Native rows name their GOMAXPROCS too; compare the start.
		for i := range want {
			if i >= len(rows) || !strings.HasPrefix(rows[i], want[i]) {
				t.Fatalf("table rows %q, want %q", rows, want)
			}
		}
	}
	if bad := eval[int](t, tab, `document.querySelectorAll(".results-table tbody tr.bad").length`); bad != 0 {
		t.Errorf("%d runs did not check out", bad)
	}
	// The timeline shows the last run (native goroutines × 2): show the
	// workers × 2 run instead, from its row, and count its lanes.
	id := eval[string](t, tab, `[...document.querySelectorAll(".results-table tbody tr")].find(r => r.querySelector("th").textContent == "workers" && r.querySelectorAll("td")[2].textContent == "2").dataset.id`)
	click(t, tab, `tr[data-id="`+id+`"] button`)
	waitFor(t, tab, `!!document.querySelector("#tl-result-svg") && document.querySelector(".tl-title").textContent.startsWith("workers, 2 workers")`, 10*time.Second)
	lanes := eval[[]string](t, tab, `[...document.querySelectorAll("#tl-result-svg .lane-label")].map(e => e.textContent)`)
	if strings.Join(lanes, ",") != "worker 0,worker 1" {
		t.Errorf("timeline lanes %q, want one per worker", lanes)
	}
	if n := eval[int](t, tab, `document.querySelectorAll("#chart-wall .bar").length`); n != 8 {
		t.Errorf("%d bars in the wall-time chart, want 8", n)
	}
	if n := eval[int](t, tab, `document.querySelectorAll("#chart-speed circle").length`); n < 4 {
		t.Errorf("%d points on the speed-up chart, want 4 or more", n)
	}
	screenshot(t, tab, "lesson-after-run")
	// Every run is kept across a reload.
	open(t, tab, base+"/?workload=countdown&count=300000000")
	if n := eval[int](t, tab, `document.querySelectorAll(".results-table tbody tr").length`); n != 8 {
		t.Errorf("%d rows after a reload, want 8", n)
	}
}

// Cancel stops a run in progress; the page, the pool and later runs keep
// working.
func TestE2ECancel(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 4*time.Minute)
	open(t, tab, base+"/?workload=countdown&count=20000000000&modes=workers&workers=2")
	waitFor(t, tab, `!document.getElementById("run-all").disabled`, time.Minute)
	click(t, tab, "#run-all")
	waitFor(t, tab, statusState+` == "running"`, 30*time.Second)
	time.Sleep(time.Second)
	start := time.Now()
	click(t, tab, "#cancel")
	waitFor(t, tab, statusSets+` == 1`, 30*time.Second)
	t.Logf("cancel took %v", time.Since(start).Round(time.Millisecond))
	if s := eval[string](t, tab, `document.getElementById("status").textContent`); !strings.HasPrefix(s, "Cancelled") {
		t.Errorf("status after cancel: %q", s)
	}
	if n := eval[int](t, tab, `document.querySelectorAll(".results-table tbody tr").length`); n != 0 {
		t.Errorf("%d rows after a cancelled run", n)
	}
	// The next run works: a small count, one run.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("param-count"); e.value = "50000000"; e.dispatchEvent(new Event("input", {bubbles: true})); })()`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, `!document.getElementById("run-one").disabled && location.search.includes("count=50000000")`, 10*time.Second)
	click(t, tab, "#run-one")
	waitFor(t, tab, statusSets+` == 2`, 2*time.Minute)
	if s := eval[string](t, tab, statusState); s != "ok" {
		t.Errorf("the run after a cancel: %s %q", s, eval[string](t, tab, `document.getElementById("status").textContent`))
	}
	screenshot(t, tab, "after-cancel")
}

// An invalid parameter shows its message at the field and disables Run;
// a valid value clears both. The link's problem is reported too.
func TestE2EInvalidParameter(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 2*time.Minute)
	open(t, tab, base+"/?workload=countdown&count=0&modes=cooperative,turbo")
	msg := eval[string](t, tab, `(document.getElementById("param-count-err")||{}).textContent||""`)
	if !strings.Contains(msg, "out of range") || !strings.Contains(msg, "allowed: a whole number from 1 to") {
		t.Errorf("field message %q", msg)
	}
	if !eval[bool](t, tab, `document.getElementById("run-all").disabled && document.getElementById("run-one").disabled`) {
		t.Error("Run enabled with an invalid value")
	}
	if inv := eval[string](t, tab, `document.getElementById("param-count").getAttribute("aria-invalid")`); inv != "true" {
		t.Errorf("aria-invalid = %q", inv)
	}
	banner := eval[string](t, tab, `(document.querySelector(".banner")||{}).textContent||""`)
	if !strings.Contains(banner, `unknown mode "turbo"`) {
		t.Errorf("banner %q", banner)
	}
	screenshot(t, tab, "invalid-parameter")
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("param-count"); e.value = "1000"; e.dispatchEvent(new Event("input", {bubbles: true})); })()`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, `!document.getElementById("param-count-err") && !document.getElementById("run-all").disabled`, 10*time.Second)
}

// The main-thread mode freezes the page, and the responsiveness meter
// shows it; in a worker the page keeps drawing.
func TestE2EMainThreadFreezes(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two cores to tell a frozen page from a busy machine")
	}
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 4*time.Minute)
	open(t, tab, base+"/?workload=countdown&count=1500000000&modes=main&workers=1&rounds=1")
	waitFor(t, tab, `!document.getElementById("run-all").disabled`, time.Minute)
	time.Sleep(2 * time.Second) // let the meter forget the page load
	click(t, tab, "#run-all")
	waitFor(t, tab, statusSets+` == 1`, 2*time.Minute)
	time.Sleep(600 * time.Millisecond) // the meter shows its figures four times a second
	frozen := eval[string](t, tab, `document.querySelector(".meter").className`)
	longest := eval[string](t, tab, `document.querySelector(".meter-long strong").textContent`)
	t.Logf("main thread: meter %q, longest frame %s", frozen, longest)
	if !strings.Contains(frozen, "meter-frozen") {
		t.Errorf("the meter did not see the freeze: %q %s", frozen, longest)
	}
	screenshot(t, tab, "main-thread")
}
