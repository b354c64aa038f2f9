package ui

import (
	"testing"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

type ownOuter struct {
	app.Compo
	renders int
	inner   *ownInner
	ctx     app.Context
}

// The context comes with OnMount in a browser, OnPreRender natively.
func (o *ownOuter) OnMount(ctx app.Context)     { o.ctx = ctx }
func (o *ownOuter) OnPreRender(ctx app.Context) { o.ctx = ctx }
func (o *ownOuter) Render() app.UI              { o.renders++; return app.Div().Body(o.inner) }

type ownInner struct {
	app.Compo
	renders, n int
	ctx        app.Context
}

func (i *ownInner) OnMount(ctx app.Context)     { i.ctx = ctx }
func (i *ownInner) OnPreRender(ctx app.Context) { i.ctx = ctx }
func (i *ownInner) Render() app.UI              { i.renders++; return app.Span().Textf("%d", i.n) }

// dispatchOwn re-renders the component alone, where go-app's Dispatch
// re-renders everything around it too.
func TestDispatchOwn(t *testing.T) {
	e := app.NewTestEngine()
	o := &ownOuter{inner: &ownInner{}}
	if err := e.Load(o); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()

	outer, inner := o.renders, o.inner.renders
	o.inner.ctx.Dispatch(func(app.Context) { o.inner.n++ })
	e.ConsumeAll()
	if o.renders != outer+1 {
		t.Fatalf("go-app's Dispatch: the outer component rendered %d times, want 1", o.renders-outer)
	}

	outer, inner = o.renders, o.inner.renders
	dispatchOwn(o.inner.ctx, &o.ctx, func() { o.inner.n++ })
	e.ConsumeAll()
	if o.renders != outer || o.inner.renders != inner+1 || o.inner.n != 2 {
		t.Errorf("outer rendered %d times, inner %d (n=%d); want 0 and 1", o.renders-outer, o.inner.renders-inner, o.inner.n)
	}

	// The outer component's own updates still render it.
	outer = o.renders
	dispatchOwn(o.inner.ctx, &o.ctx, nil)
	o.ctx.Dispatch(nil)
	e.ConsumeAll()
	if o.renders != outer+1 {
		t.Errorf("outer rendered %d times after its own dispatch, want 1", o.renders-outer)
	}
}

// The live box draws its timeline from the start of a run, spans or not:
// a timeline mounting mid-run would re-render the whole lab (go-app
// dispatches OnMount), on the page's thread, while the run is timed.
func TestLiveBoxKeepsItsTimeline(t *testing.T) {
	empty := render(&liveBox{View: liveView{Label: "workers × 2 (3 of 9)", Lanes: 2}})
	mustContain(t, empty, `id="tl-live"`, "2 lanes at work")
	spans := []workloads.Span{{Lane: 0, Task: 0, State: workloads.Running, Start: 0, End: 10}}
	full := render(&liveBox{View: liveView{Label: "workers × 2 (3 of 9)", Lanes: 2, Spans: spans, Done: 1, Total: 4}})
	mustContain(t, full, `id="tl-live"`, "task 1 of 4 done")
	mustNotContain(t, full, "at work")
}
