package ui

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// lab is the page: the catalog, and the lesson the URL names, with its
// form, runs, charts, timeline, results, code and panels. It owns the
// state; its parts render from it.
type lab struct {
	app.Compo

	nextFrames *frameWindow // how the page drew during the run being recorded

	view     View
	problems []Problem
	w        *workloads.Workload
	fields   []field
	runMode  Mode // the mode and worker count of the Run button
	runN     int

	facts      pageFacts
	browser    Browser
	browserErr string
	stats      wasm.Stats
	pool       string // the pool's state in words
	poolReady  bool   // the pool's warm-up ended (or it cannot start)

	native  nativeInfo
	nclient *nativeClient

	settler  *settler   // how far timings have settled (the page's, shared with the embedding API)
	settled  []Settling // the calibrations made before this page's runs
	parallel float64    // the measured parallelism of parK threads (0: not yet)
	parK     int

	recs     []record
	spans    map[string][]workloads.Span
	shown    string // the record in the timeline
	storeErr string

	running    bool
	runID      int
	cancel     context.CancelFunc
	live       liveView
	status     string
	statusKind string // "info", "busy", "ok", "error"
	errs       []string
	autorun    bool // a run was asked by the URL before the lab was ready
	widths     map[string]float64
	charts     chartCache // the charts of the results on the page (chartcache.go)
	steps      stepState  // the step-by-step run (stepper.go)
	seq        int
	sets       int // run sets finished, cancelled or not (data-sets, for tests)

	self    app.Context // the lab's own context, once mounted
	liveBox mountedLive // the live view while a run is in progress

	prediction    string // what the student expects, as typed (predict.go)
	runPrediction string // the prediction of the run set in progress
}

func (l *lab) OnInit() {
	l.spans = map[string][]workloads.Span{}
	l.widths = map[string]float64{}
	l.status, l.statusKind = "Ready.", "info"
}

func (l *lab) OnMount(ctx app.Context) {
	l.self = ctx
	l.facts = readPageFacts()
	l.settler = &pageSettler
	l.settled = pageSettler.settled()
	l.loadRecords(ctx)
	prefix := strings.TrimRight(app.Getenv("GOAPP_ROOT_PREFIX"), "/")
	l.nclient = &nativeClient{
		API:   l.facts.Origin + prefix,
		Files: []string{absURL(l.facts.Origin, ctx.ResolveStaticResource("/web/data/baseline.json")), absURL(l.facts.Origin, ctx.ResolveStaticResource("/web/baseline.json"))},
	}
	nc := l.nclient
	ctx.Async(func() {
		info := nc.probe(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			l.native = info
			l.maybeAutorun(ctx)
		})
	})
	l.pool = "starting"
	ctx.Async(func() {
		b, err := sharedBrowser()
		ctx.Dispatch(func(ctx app.Context) {
			l.browser = b
			if err != nil {
				l.browserErr = err.Error()
				l.pool = "not available: " + err.Error()
				l.poolReady = true
				l.maybeAutorun(ctx)
				return
			}
			l.pool = "warming up"
			if !l.running {
				l.setStatus("busy", "Warming up the worker pool…")
			}
		})
		if err != nil {
			return
		}
		// Compile, start and warm the workers before the first click, so
		// the first run is timed warm.
		werr := b.Warm(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			l.stats = b.Stats()
			l.poolReady = true
			defer l.maybeAutorun(ctx)
			if werr != nil {
				l.pool = "failed to warm up: " + werr.Error()
				if !l.running {
					l.setStatus("error", "The worker pool could not start: "+werr.Error())
				}
				return
			}
			l.pool = "warm"
			l.watchPool(ctx, b)
			if !l.running {
				l.setStatus("ok", fmt.Sprintf("Worker pool warm: %s ready.", count(l.stats.Warm, "worker")))
			}
		})
	})
	l.measure()
}

func (l *lab) OnDismount() {
	if l.cancel != nil {
		l.cancel()
	}
}

func (l *lab) OnResize(ctx app.Context) { l.measure() }

func (l *lab) OnNav(ctx app.Context) {
	l.applyURL(ctx.Page().URL())
	if l.w != nil {
		ctx.Page().SetTitle("%s · conlab", shortTitle(l.w.Title))
	} else {
		ctx.Page().SetTitle("conlab: a Go concurrency lab")
	}
	// The server pre-renders the page: only the browser runs anything.
	if l.view.Autorun && l.w != nil && app.IsClient {
		l.autorun = true
		l.maybeAutorun(ctx)
	}
	ctx.Defer(func(ctx app.Context) {
		if l.measure() {
			ctx.Update()
		}
	})
}

// maybeAutorun starts the run a URL asked for once the lab is ready: the
// native probe has said whether native runs are possible, and the pool is
// warm, so the first run is not timed cold.
func (l *lab) maybeAutorun(ctx app.Context) {
	l.maybeOpenSteps(ctx)
	if !l.autorun || l.native.Source == nativeUnknown || !l.poolReady || l.running {
		return
	}
	l.autorun = false
	l.runAll(ctx)
}

// applyURL sets the lab's state from a URL; a run of another lesson is
// cancelled.
func (l *lab) applyURL(u *url.URL) {
	v, probs := ParseView(u.Query())
	if l.running && v.Workload != l.view.Workload && l.cancel != nil {
		l.cancel()
	}
	l.view, l.problems = v, probs
	l.w = nil
	l.fields = nil
	if v.Workload != "" {
		l.w, _ = workloads.Lookup(v.Workload)
	}
	if l.w == nil {
		return
	}
	l.fields = newFields(l.w, v.Params)
	if v.Schedule != "" && (l.steps.res == nil || l.steps.res.Schedule != v.Schedule || l.steps.workload != v.Workload) {
		l.steps.loadURL = v.Schedule
	}
	l.runMode = ""
	for _, m := range []Mode{modeWorkers, modeCooperative, modeSequential} {
		if ok, _ := supportsMode(l.w, m); ok {
			l.runMode = m
			break
		}
	}
	l.runN = slices.Max(v.Workers)
	if sp := l.timelineRuns(); len(sp) > 0 {
		l.shown = sp[len(sp)-1].ID
	}
}

// syncURL writes the lab's state into the address bar without adding a
// history entry, so the link always reproduces what is on screen.
func (l *lab) syncURL(ctx app.Context) {
	if l.w == nil {
		return
	}
	v := l.view
	v.Params = formRaw(l.fields)
	v.Autorun = false // a copied link must not run by surprise
	u := *ctx.Page().URL()
	u.RawQuery = strings.TrimPrefix(v.Encode(), "?")
	ctx.Page().ReplaceURL(&u)
}

func (l *lab) setParam(ctx app.Context, name, raw string) {
	for i := range l.fields {
		if l.fields[i].Param.Name == name {
			l.fields[i].set(raw)
		}
	}
	l.problems = slices.DeleteFunc(l.problems, func(p Problem) bool { return p.Key == name })
	l.steps.res, l.view.Schedule = nil, "" // the steps were of other parameters
	l.syncURL(ctx)
}

func (l *lab) toggleMode(ctx app.Context, m Mode) {
	if i := slices.Index(l.view.Modes, m); i >= 0 {
		l.view.Modes = slices.Delete(slices.Clone(l.view.Modes), i, i+1)
	} else {
		l.view.Modes = orderModes(append(slices.Clone(l.view.Modes), m))
	}
	l.syncURL(ctx)
}

func (l *lab) toggleWorkers(ctx app.Context, n int) {
	if i := slices.Index(l.view.Workers, n); i >= 0 {
		l.view.Workers = slices.Delete(slices.Clone(l.view.Workers), i, i+1)
	} else {
		l.view.Workers = append(slices.Clone(l.view.Workers), n)
		slices.Sort(l.view.Workers)
	}
	l.syncURL(ctx)
}

// roundChoices are the rounds the form offers: every allowed number.
var roundChoices = []int{1, 2, 3, 4, 5, 6, 7, 8, 9}

// setRounds takes the rounds of Run all from the form; a value out of
// range (only a hand-edited page can send one) says so in the status.
func (l *lab) setRounds(ctx app.Context, raw string) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxRounds {
		l.setStatus("error", fmt.Sprintf("rounds %q is not allowed: choose 1 to %d.", raw, maxRounds))
		return
	}
	l.view.Rounds = n
	l.problems = slices.DeleteFunc(l.problems, func(p Problem) bool { return p.Key == keyRounds })
	l.syncURL(ctx)
}

// blockers returns why Run all cannot start, if it cannot.
func (l *lab) blockers() []string {
	var why []string
	if l.w == nil {
		return []string{"choose a lesson"}
	}
	if !formValid(l.fields) {
		why = append(why, "fix the parameters marked above")
	}
	if len(l.view.Modes) == 0 {
		why = append(why, "choose at least one mode")
	}
	if len(l.view.Workers) == 0 {
		why = append(why, "choose at least one worker count")
	}
	if len(why) == 0 && len(planAll(l.w, l.view.Modes, l.view.Workers, l.native.Source == nativeLive)) == 0 {
		why = append(why, "the native baseline cannot run here; choose a browser mode")
	}
	return why
}

func (l *lab) setStatus(kind, text string) { l.status, l.statusKind = text, kind }

// runState is the status line's machine-readable state (data-state), for
// tests and the embedding page: "running", or the last status kind.
func (l *lab) runState() string {
	if l.running {
		return "running"
	}
	return l.statusKind
}

// measure reads the widths the charts are drawn at; it reports a change.
func (l *lab) measure() bool {
	changed := false
	for _, id := range []string{"fig-wall", "fig-speed", "tl-result", "tl-live"} {
		w := elementWidth(id, 0)
		if w > 0 && w != l.widths[id] {
			l.widths[id] = w
			changed = true
		}
	}
	return changed
}

func (l *lab) width(id string) float64 {
	if w := l.widths[id]; w > 0 {
		return w
	}
	return 640
}

func (l *lab) loadRecords(ctx app.Context) {
	recs, err := loadRecords(ctx.LocalStorage().Get)
	if err != nil {
		l.storeErr = err.Error()
	}
	l.recs = recs
}

func (l *lab) saveRecords(ctx app.Context) {
	if err := ctx.LocalStorage().Set(storageKey, storable(l.recs)); err != nil {
		l.storeErr = "Results could not be saved in this browser (" + err.Error() + "); they are kept until the page is closed."
		return
	}
	l.storeErr = ""
}

func (l *lab) clearRecords(ctx app.Context) {
	l.recs = nil
	l.spans = map[string][]workloads.Span{}
	l.shown = ""
	ctx.LocalStorage().Del(storageKey)
	l.setStatus("info", "Results cleared.")
}

func (l *lab) exportJSON(ctx app.Context) {
	b, err := exportJSON(l.recs, l.spans, time.Now())
	if err != nil {
		l.setStatus("error", "Export failed: "+err.Error())
		return
	}
	download("conlab-results.json", "application/json", b)
}

func (l *lab) exportCSV(ctx app.Context) {
	b, err := exportCSV(l.recs)
	if err != nil {
		l.setStatus("error", "Export failed: "+err.Error())
		return
	}
	download("conlab-results.csv", "text/csv", b)
}

// timelineRuns are the runs of this lesson whose spans are in memory.
func (l *lab) timelineRuns() []record {
	var out []record
	for _, r := range l.recs {
		if _, ok := l.spans[r.ID]; ok && l.w != nil && r.Result.Workload == l.w.ID {
			out = append(out, r)
		}
	}
	return out
}

// absURL makes a site path absolute against origin (the HTTP client of
// the wasm build needs absolute URLs); absolute URLs pass unchanged.
func absURL(origin, p string) string {
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		return p
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return origin + p
}
