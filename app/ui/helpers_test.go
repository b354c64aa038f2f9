package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"conlab/app/charts"
	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ctxGrab captures an app.Context from go-app's test engine: natively the
// engine pre-renders, so OnPreRender runs and hands one over; in the
// browser (GOOS=js tests) it mounts, and OnMount does.
type ctxGrab struct {
	app.Compo
	ctx app.Context
}

func (g *ctxGrab) OnPreRender(ctx app.Context) { g.ctx = ctx } // natively
func (g *ctxGrab) OnMount(ctx app.Context)     { g.ctx = ctx } // in the browser
func (g *ctxGrab) Render() app.UI              { return app.Div() }

// testEngine returns a test engine and a context of a mounted component.
func testEngine(t testing.TB) (app.TestEngine, app.Context) {
	t.Helper()
	e := app.NewTestEngine()
	g := &ctxGrab{}
	if err := e.Load(g); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	if g.ctx.Context == nil {
		t.Fatal("no context from the test engine")
	}
	return e, g.ctx
}

// newTestLab makes a lab showing rawURL's query.
func newTestLab(t testing.TB, rawURL string) *lab {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	l := &lab{}
	l.OnInit()
	l.applyURL(u)
	return l
}

// render renders a component as the server would pre-render it.
func render(c app.UI) string { return app.HTMLString(c) }

func mustContain(t *testing.T, doc string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(doc, w) {
			t.Errorf("rendered page lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, doc string, bads ...string) {
	t.Helper()
	for _, b := range bads {
		if strings.Contains(doc, b) {
			t.Errorf("rendered page has %q", b)
		}
	}
}

// fakeBrowser is a browser engine that runs the real engine in this
// process (natively, goroutines are threads) and reports the browser's
// mode ids, as the pool does. Workers runs are recorded as the engine's
// goroutines mode with a start-up span per lane.
type fakeBrowser struct {
	mu        sync.Mutex
	reqs      []workloads.Request
	fail      error
	settles   []int    // calibrations asked: 0 the page, n > 0 n workers
	kernels   []string // the kernel of each
	settleErr error
	parallel  float64
}

func (f *fakeBrowser) Warm(context.Context) error { return nil }

func (f *fakeBrowser) Stats() wasm.Stats { return wasm.Stats{Size: 2, Alive: 2, Warm: 2} }

// The fake measures the parallelism it is told to (2 by default).
func (f *fakeBrowser) Parallelism(ctx context.Context, k int) (float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.parallel == 0 {
		return min(2, float64(k)), nil
	}
	return f.parallel, nil
}

// The fake's calibrations settle at once, and are counted.
func (f *fakeBrowser) SettlePage(ctx context.Context, req workloads.Request, limit time.Duration) (Settling, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settles, f.kernels = append(f.settles, 0), append(f.kernels, req.Workload)
	return Settling{Where: "the page", Reps: 2, Settled: true}, f.settleErr
}

func (f *fakeBrowser) SettleWorkers(ctx context.Context, req workloads.Request, n int, limit time.Duration) (Settling, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settles, f.kernels = append(f.settles, n), append(f.kernels, req.Workload)
	return Settling{Where: workersText(n), Reps: 2, Settled: true}, f.settleErr
}

func (f *fakeBrowser) Run(ctx context.Context, req workloads.Request, progress func(wasm.Progress)) (*workloads.Result, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	if _, err := wasm.Prepare(req); err != nil {
		return nil, err // what the pool refuses
	}
	eng := req
	eng.Mode = wasm.EngineMode(req.Mode)
	if req.Mode == wasm.Workers {
		eng.Mode = workloads.Goroutines // the workers' lanes run at once
	}
	res, err := workloads.Run(ctx, eng, workloads.Options{OnSpan: func(s workloads.Span) {
		progress(wasm.Progress{Stage: "running", Span: &s})
	}})
	if res == nil {
		return nil, err
	}
	res.Mode = req.Mode
	res.Facts.Engine = "wasm-worker"
	if req.Mode == wasm.Workers {
		for lane := range req.Workers {
			res.Spans = append(res.Spans, workloads.Span{Lane: lane, Task: -1, Label: fmt.Sprintf("start worker %d", lane), State: workloads.Startup, Start: 0, End: 1})
		}
	}
	return res, err
}

func fmtAny(v any) string { return fmt.Sprint(v) }

func chartsFull(total float64) charts.View { return charts.FullView(total) }

// handlerClient is an HTTP client whose requests h answers in this
// process: the native API's tests then run natively and in the browser,
// where a test cannot listen on a port.
func handlerClient(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result(), nil
	})}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// unreachable is a client for a server that is not there.
var unreachable = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
})}
