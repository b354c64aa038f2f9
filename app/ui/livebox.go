package ui

import (
	"fmt"
	"sync/atomic"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// liveBox shows the run in progress: its stage, a progress bar and the
// spans reported so far. The lab ticks it ten times a second during a
// run; it re-renders alone (dispatchOwn), never the page around it.
type liveBox struct {
	app.Compo

	View liveView

	lab *lab
	ctx app.Context
}

// mountedLive is the lab's live box while it is on the page.
type mountedLive = atomic.Pointer[liveBox]

func (b *liveBox) OnMount(ctx app.Context) {
	b.ctx = ctx
	if b.lab != nil {
		b.lab.liveBox.Store(b)
	}
}

func (b *liveBox) OnDismount() {
	if b.lab != nil {
		b.lab.liveBox.CompareAndSwap(b, nil)
	}
}

// showLive sets the lab's live view to what fn leaves in l.live, and
// re-renders the live box alone; with no box on the page, the lab.
func (l *lab) showLive(ctx app.Context, fn func()) {
	b := l.liveBox.Load()
	if b == nil {
		ctx.Dispatch(func(app.Context) { fn() })
		return
	}
	dispatchOwn(b.ctx, &l.self, func() {
		fn()
		b.View = l.live
	})
}

func (b *liveBox) Render() app.UI {
	lv := b.View
	pct := 0
	if lv.Total > 0 {
		pct = 100 * lv.Done / lv.Total
	}
	stage := stageText(lv.Stage)
	if stage == "" {
		stage = "starting"
	}
	return app.Div().Class("live").Body(
		app.Div().Class("live-head").Body(
			app.Strong().Text(lv.Label),
			app.Span().Textf(" · %s", stage),
			app.If(lv.Total > 0, func() app.UI { return app.Span().Textf(" · task %d of %d done", lv.Done, lv.Total) }),
		),
		app.Progress().Class("live-bar").Max(max(lv.Total, 1)).Value(lv.Done).
			Aria("label", fmt.Sprintf("tasks done: %d%%", pct)),
		// The timeline stays mounted from the first run of a set to the
		// last: a component mounting dispatches its OnMount, which
		// re-renders the whole lab, here in the middle of a timed run.
		&timeline{DOMID: "tl-live", Key: lv.Label, Spans: lv.Spans, Mode: liveMode(lv.Label), Live: true},
		app.If(len(lv.Spans) == 0, func() app.UI {
			return app.P().Class("hint").Textf("%s at work; each lane's spans appear as its tasks report them.", count(max(lv.Lanes, 1), "lane"))
		}),
		app.If(childConsoles(lv.Spans) != nil, func() app.UI { return consoles(childConsoles(lv.Spans), true) }),
	)
}
