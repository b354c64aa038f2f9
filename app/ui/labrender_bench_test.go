package ui

import (
	"context"
	"testing"

	"conlab/wasm"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// manyResultsURL is sumsquares after Run all in four modes at four worker
// counts, three rounds: 39 results on the page.
const manyResultsURL = "/?workload=sumsquares&base=20000&numbers=8&modes=sequential,cooperative,workers,main&workers=1,2,4,8&rounds=3"

// labWithResults is the lab at rawURL after its Run all: every planned
// run, run in this process (fakeBrowser) and recorded as the lab records
// a run, without the waits of a page that draws between runs.
func labWithResults(t testing.TB, rawURL string) *lab {
	t.Helper()
	l := newTestLab(t, rawURL)
	l.native = nativeInfo{Source: nativeNone}
	_, ctx := testEngine(t)
	params, ok := formParams(l.fields)
	if !ok {
		t.Fatalf("%s: the form is not valid", rawURL)
	}
	fb := &fakeBrowser{}
	for _, s := range planRounds(planAll(l.w, l.view.Modes, l.view.Workers, false), l.view.rounds()) {
		res, err := execSpec(context.Background(), s, l.w.ID, runParams(l.w, s.Mode, params), fb, "", nil, func(wasm.Progress) {})
		l.record(ctx, s, "set", res, err, "Chromium")
	}
	return l
}

// lessonHost renders a lab's lesson (the part of its render that grows
// with results: the charts, the timeline, the results table) as its own
// component, so a test engine can re-render it. The header is left out:
// its meter starts ticking when it mounts, and a test engine waits for
// that to end before it renders again.
type lessonHost struct {
	app.Compo
	l   *lab
	ctx app.Context
}

func (h *lessonHost) OnPreRender(ctx app.Context) { h.ctx = ctx }
func (h *lessonHost) OnMount(ctx app.Context)     { h.ctx = ctx }
func (h *lessonHost) Render() app.UI              { return app.Div().Body(h.l.lesson()) }

// mountLesson mounts l's lesson in a test engine (in the page's document
// when the test runs in a browser) and returns the engine and the host.
func mountLesson(t testing.TB, l *lab) (app.TestEngine, *lessonHost) {
	t.Helper()
	e := app.NewTestEngine()
	h := &lessonHost{l: l}
	if err := e.Load(h); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	if h.ctx.Context == nil {
		t.Fatal("no context from the test engine")
	}
	return e, h
}

// BenchmarkLabRender is one render of a lesson with 39 results, as every
// click on the page (a field, a row, a lesson) has it render: render is
// the whole of it, nodes building the nodes alone. Natively it
// is building the nodes and go-app's comparison; in a browser
// (GOOS=js GOARCH=wasm go test -exec bin/wasmbrowser, CONLAB_ENGINE
// picks the engine) the page's DOM updates too.
func BenchmarkLabRender(b *testing.B) {
	l := labWithResults(b, manyResultsURL)
	if len(l.recs) < 33 {
		b.Fatalf("%d results, want 33 or more: %s %v", len(l.recs), l.status, l.errs)
	}
	e, h := mountLesson(b, l)
	b.Run("render", func(b *testing.B) {
		for range b.N {
			h.ctx.Dispatch(func(app.Context) {})
			e.ConsumeAll()
		}
		b.ReportMetric(float64(len(l.recs)), "results")
	})
	// Building the nodes alone, without go-app's comparison and the
	// page's updates.
	b.Run("nodes", func(b *testing.B) {
		for range b.N {
			_ = l.lesson()
		}
	})
}
