package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"conlab/wasm"
	"conlab/workloads"
)

func TestPlanAll(t *testing.T) {
	w := countdown(t)
	got := planAll(w, []Mode{modeWorkers, modeSequential, modeCooperative, modeMain, modeNative}, []int{4, 1, 2}, true)
	var labels []string
	for _, s := range got {
		labels = append(labels, s.label())
	}
	want := []string{
		"sequential",
		"cooperative × 1", "cooperative × 2", "cooperative × 4",
		"workers × 1", "workers × 2", "workers × 4",
		"main thread × 1", "main thread × 2", "main thread × 4",
		"native sequential (GOMAXPROCS=1)",
		"native goroutines × 1 (GOMAXPROCS=1)", "native goroutines × 2 (GOMAXPROCS=2)", "native goroutines × 4 (GOMAXPROCS=4)",
	}
	if !slices.Equal(labels, want) {
		t.Errorf("plan\n%q\nwant\n%q", labels, want)
	}
	if p := planAll(w, []Mode{modeNative}, []int{2}, false); len(p) != 0 {
		t.Errorf("native planned without a server: %v", p)
	}
	r := got[len(got)-1].request("countdown", map[string]any{"count": int64(9)})
	if r.Mode != workloads.Goroutines || r.GOMAXPROCS != 4 || r.Workers != 4 {
		t.Errorf("native request %+v", r)
	}
	if r := got[4].request("countdown", nil); r.Mode != wasm.Workers || r.GOMAXPROCS != 0 {
		t.Errorf("browser request %+v", r)
	}
	// Modes a lesson does not support are never planned.
	for _, wl := range workloads.All() {
		for _, s := range planAll(wl, uiModes, []int{1, 2}, true) {
			if ok, why := supportsMode(wl, s.Mode); !ok {
				t.Errorf("%s: planned %s: %s", wl.ID, s.Mode, why)
			}
		}
	}
	if s := planOne(modeNative, 1); s.Native != workloads.Sequential {
		t.Errorf("planOne native 1: %+v", s)
	}
	if s := planOne(modeSequential, 8); s.Workers != 1 {
		t.Errorf("planOne sequential: %+v", s)
	}
}

func TestFilterCatalog(t *testing.T) {
	all := workloads.All()
	groups := filterCatalog(all, "")
	n := 0
	for _, g := range groups {
		n += len(g.Workloads)
		for _, w := range g.Workloads {
			if w.Kind != g.Kind {
				t.Errorf("%s in group %s", w.ID, g.Kind)
			}
		}
	}
	if n != len(all) {
		t.Errorf("catalog lists %d of %d lessons", n, len(all))
	}
	if g := filterCatalog(all, "COUNTDOWN"); len(g) == 0 || g[0].Workloads[0].ID != "countdown" {
		t.Errorf("search by id: %+v", g)
	}
	for _, g := range filterCatalog(all, "race") {
		for _, w := range g.Workloads {
			if !strings.Contains(strings.ToLower(w.ID+w.Title+string(w.Kind)+w.Summary), "race") {
				t.Errorf("%s matches race without saying it", w.ID)
			}
		}
	}
	if g := filterCatalog(all, "GIL decrement"); len(g) == 0 || g[0].Workloads[0].ID != "countdown" {
		t.Errorf("search by words of the summary: %+v", g)
	}
	if g := filterCatalog(all, "no such lesson anywhere"); len(g) != 0 {
		t.Errorf("nonsense search: %+v", g)
	}
	doc := render(&catalogNav{Current: "countdown", search: "zzzz"})
	mustContain(t, doc, "No lesson matches", "0 lessons match")
	doc = render(&catalogNav{Current: "countdown"})
	mustContain(t, doc, `aria-current="page"`, `href="?workload=countdown"`, `aria-label="Lessons"`)
}

func TestBrowserName(t *testing.T) {
	const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	if got := browserName(chrome, "Google Chrome", "Chromium"); got != "Chrome 131 on Windows" {
		t.Errorf("with brands: %q", got)
	}
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36":         "Chromium 156 (headless) on Linux",
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                "Firefox 128 on Linux",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15": "Safari 17.4 on macOS",
		"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0":                                 "Edge 120 on Windows",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15":                 "WebKitGTK on Linux",
		"curl/8":               "",
		"Firefox 153 on Linux": "", // a result that holds a name already
	} {
		if got := browserName(ua); got != want {
			t.Errorf("browserName(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestFrameStats(t *testing.T) {
	var s frameStats
	for i := range 120 { // two seconds at 60 fps
		s.frame(float64(i) * 1000 / 60)
	}
	if fps := s.fps(119 * 1000 / 60); fps < 59 || fps > 61 {
		t.Errorf("fps %d, want 60", fps)
	}
	if s.longest < 16 || s.longest > 17 {
		t.Errorf("longest %v, want a frame", s.longest)
	}
	// A 1.5 s freeze: no frames, then one.
	s.frame(1983 + 1500)
	if s.longest < 1499 || smoothness(s.longest) != "frozen" {
		t.Errorf("freeze not seen: %v", s.longest)
	}
	if fps := s.fps(1983 + 1500); fps != 1 {
		t.Errorf("fps after the freeze %d, want 1", fps)
	}
	s.reset()
	if s.longest != 0 {
		t.Error("reset")
	}
	s.pause()
	s.frame(10_000)
	if s.longest != 0 {
		t.Errorf("the hidden tab's gap counted: %v", s.longest)
	}
	if smoothness(20) != "smooth" || smoothness(150) != "janky" {
		t.Error("smoothness")
	}
}

// Every lesson of the catalog renders its page: explanation, form, modes
// with the reasons of unsupported ones, code side by side, panels.
func TestEveryLessonRenders(t *testing.T) {
	for _, w := range workloads.All() {
		doc := render(newTestLab(t, "/?workload="+w.ID))
		mustContain(t, doc, w.ID, `id="lesson-title"`, `id="run-all"`, `id="cancel"`, `id="status"`, "Modes to compare", "Worker counts (N)",
			"lang-go", "lang-python", "Native baseline", "Environment", "freezes the page", `class="meter`)
		if !strings.Contains(doc, esc(w.Mapping)) && !strings.Contains(doc, w.Mapping) {
			t.Errorf("%s: mapping text missing", w.ID)
		}
		for _, p := range w.Params {
			mustContain(t, doc, `id="param-`+p.Name+`"`)
		}
		for m, why := range wasm.Unsupported(w) {
			if validUIMode(Mode(m)) {
				mustContain(t, doc, "Not for this lesson: "+esc(why))
			}
		}
	}
	home := render(newTestLab(t, "/"))
	mustContain(t, home, "Concurrency lessons, run for real", `class="card"`)
	mustNotContain(t, home, `id="run-all"`)
	embed := render(newTestLab(t, "/?workload=countdown&embed=1"))
	mustContain(t, embed, `class="lab embed"`, `id="run-all"`, "Timeline")
	mustNotContain(t, embed, `aria-label="Lessons"`, "lang-python", `id="results-h"`)
}

// liveServer is a stand-in for conlab serve's API: it runs requests in
// this process.
func liveServer() *nativeClient {
	return &nativeClient{API: "http://lab.test", HTTP: handlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/health":
			fmt.Fprint(w, `{"ok": true, "numcpu": 2, "goos": "linux", "goarch": "amd64"}`)
		case "/api/run":
			var req workloads.Request
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			res, err := workloads.Run(r.Context(), req, workloads.Options{Engine: "native"})
			if res == nil {
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
				return
			}
			json.NewEncoder(w).Encode(res)
		default:
			http.NotFound(w, r)
		}
	}))}
}

// Run all runs every chosen mode and count, browser and native, records
// each run (stored, with its spans for the timeline), and shows the charts.
func TestRunAll(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown&count=2000000&modes=sequential,cooperative,workers,native&workers=1,2&rounds=1")
	fb := &fakeBrowser{}
	l.browser = fb
	l.nclient = liveServer()
	l.native = l.nclient.probe(context.Background())
	if l.native.Source != nativeLive {
		t.Fatalf("probe: %+v", l.native)
	}
	l.runAll(ctx)
	if !l.running {
		t.Fatalf("not running: %s", l.status)
	}
	doc := render(l)
	if !boolAttr(tag(doc, `id="run-all"`), "disabled") || boolAttr(tag(doc, `id="cancel"`), "disabled") {
		t.Error("while running, Run all must be disabled and Cancel enabled")
	}
	eng.ConsumeAll()
	if l.running || l.statusKind != "ok" || !strings.HasPrefix(l.status, "Done: 8 runs") {
		t.Fatalf("after the runs: running=%v %s %q %v", l.running, l.statusKind, l.status, l.errs)
	}
	if len(fb.reqs) != 5 || fb.reqs[0].Mode != workloads.Sequential || fb.reqs[4].Mode != wasm.Workers || fb.reqs[4].Workers != 2 {
		t.Errorf("browser requests %+v", fb.reqs)
	}
	if len(l.recs) != 8 {
		t.Fatalf("%d records, want 8", len(l.recs))
	}
	var modes []Mode
	for _, r := range l.recs {
		modes = append(modes, r.Mode)
		if _, ok := l.spans[r.ID]; !ok || len(r.Result.Spans) != 0 {
			t.Errorf("%s: spans must be kept in memory, not in the record", r.ID)
		}
	}
	if want := []Mode{"sequential", "cooperative", "cooperative", "workers", "workers", "native", "native", "native"}; !slices.Equal(modes, want) {
		t.Errorf("modes %v, want %v", modes, want)
	}
	stored, err := loadRecords(ctx.LocalStorage().Get)
	if err != nil || len(stored) != 8 {
		t.Errorf("stored %d records: %v", len(stored), err)
	}
	doc = render(l)
	mustContain(t, doc, `id="chart-wall"`, `id="chart-speed"`, "8 runs of this lesson", `id="tl-result"`, "native, GOMAXPROCS=N", "ideal (")
	// The timeline shows the run that tells the lesson, not the last one:
	// workers × 2, one lane per worker, and its start-up spans.
	if shown := l.recs[slices.IndexFunc(l.recs, func(r record) bool { return r.ID == l.shown })]; shown.Mode != modeWorkers || shown.Result.Workers != 2 {
		t.Errorf("after Run all the timeline shows %s × %d, want workers × 2", shown.Mode, shown.Result.Workers)
	}
	mustContain(t, doc, ">worker 0<", ">worker 1<", "st-startup")
	mustNotContain(t, doc, ">worker 2<")
	// Showing the last run, native goroutines × 2: a lane per goroutine
	// that ran a task.
	last := l.recs[len(l.recs)-1]
	if last.Mode != modeNative || last.Result.Workers != 2 {
		t.Fatalf("last run %+v", last)
	}
	l.shown = last.ID
	doc = render(l)
	lanes := map[int]bool{}
	for _, s := range l.spans[last.ID] {
		lanes[s.Lane] = true
	}
	for lane := range 3 {
		if has := strings.Contains(doc, fmt.Sprintf(">goroutine %d<", lane)); has != lanes[lane] {
			t.Errorf("lane %d drawn: %v, has spans: %v", lane, has, lanes[lane])
		}
	}

	// Clearing empties the table and the storage.
	l.clearRecords(ctx)
	if stored, _ := loadRecords(ctx.LocalStorage().Get); len(stored) != 0 || len(l.recs) != 0 {
		t.Error("clear left results")
	}
}

// Cancel stops the set: the run in progress ends with the context's error
// and no further run starts.
func TestCancel(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown&count=20000000000&modes=sequential,workers&workers=1,2&rounds=1")
	l.browser = &fakeBrowser{}
	l.native = nativeInfo{Source: nativeNone}
	l.runAll(ctx)
	time.Sleep(50 * time.Millisecond)
	l.cancelRun()
	eng.ConsumeAll()
	if l.running || !strings.HasPrefix(l.status, "Cancelled after 0 of 3 runs") {
		t.Errorf("after cancel: running=%v %q", l.running, l.status)
	}
	if len(l.recs) != 0 {
		t.Errorf("a cancelled run was recorded: %+v", l.recs)
	}
}

// A browser engine that cannot run says why, and the set goes on.
func TestRunErrors(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown&count=2000&modes=sequential,cooperative&workers=2")
	l.browser = &fakeBrowser{fail: errors.New("worker.wasm failed to load")}
	l.native = nativeInfo{Source: nativeNone}
	l.runAll(ctx)
	eng.ConsumeAll()
	if l.statusKind != "error" || len(l.errs) != 2 || !strings.Contains(l.errs[0], "worker.wasm failed to load") {
		t.Errorf("status %q, errors %v", l.status, l.errs)
	}
	mustContain(t, render(l), "worker.wasm failed to load")

	// No browser engine at all (natively): the reason is given.
	l2 := newTestLab(t, "/?workload=countdown&count=2000&modes=sequential&workers=1")
	l2.browserErr = errNoBrowser.Error()
	l2.native = nativeInfo{Source: nativeNone}
	l2.runAll(ctx)
	eng.ConsumeAll()
	if len(l2.errs) != 1 || !strings.Contains(l2.errs[0], "only in the browser") {
		t.Errorf("errors %v", l2.errs)
	}

	// Nothing runnable: native only, without a server.
	l3 := newTestLab(t, "/?workload=countdown&modes=native")
	l3.native = nativeInfo{Source: nativeNone, Why: "no server"}
	if why := l3.blockers(); len(why) != 1 || !strings.Contains(why[0], "native baseline cannot run here") {
		t.Errorf("blockers %v", why)
	}
	doc := render(l3)
	mustContain(t, doc, "No native baseline. no server", "Not available: no server")
}

// Editing modes and counts keeps the URL in step, so the link is the view.
func TestControlsSyncURL(t *testing.T) {
	_, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown")
	l.toggleMode(ctx, modeNative)
	l.toggleMode(ctx, modeMain)
	l.toggleWorkers(ctx, 8)
	l.toggleWorkers(ctx, 1)
	if got, want := ctx.Page().URL().RawQuery, "workload=countdown&modes=sequential,cooperative,workers,main&workers=2,4,8"; got != want {
		t.Errorf("URL %q\nwant %q", got, want)
	}
	l.view.Autorun, l.view.Embed = true, true
	l.syncURL(ctx)
	if got := ctx.Page().URL().RawQuery; strings.Contains(got, "autorun") || !strings.Contains(got, "embed=1") {
		t.Errorf("autorun must not survive in a link, embed must: %q", got)
	}
}

// The deadlock lesson draws no speed-up chart, and says why: its parallel
// runs never finish.
func TestDeadlockDrawsNoSpeedup(t *testing.T) {
	l := runAllInBrowser(t, "/?workload=deadlock&pause=10&modes=sequential,cooperative&workers=1,2&rounds=1")
	if l.running || len(l.recs) != 3 {
		t.Fatalf("after the runs: running=%v, %d records, %q %v", l.running, len(l.recs), l.status, l.errs)
	}
	doc := render(l)
	mustContain(t, doc, `id="chart-wall"`, "No speed-up chart in this lesson")
	mustNotContain(t, doc, `id="chart-speed"`, "waiting needs no core")
}

// runAllInBrowser presses Run all in the lab at url, with no native
// server, and waits until its runs end.
func runAllInBrowser(t *testing.T, url string) *lab {
	t.Helper()
	eng, ctx := testEngine(t)
	l := newTestLab(t, url)
	l.browser = &fakeBrowser{}
	l.native = nativeInfo{Source: nativeNone}
	l.runAll(ctx)
	eng.ConsumeAll()
	return l
}
