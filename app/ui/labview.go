package ui

import (
	"slices"
	"strings"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func (l *lab) Render() app.UI {
	cls := []string{"lab"}
	if l.view.Embed {
		cls = append(cls, "embed")
	}
	return app.Div().Class(cls...).Body(
		app.A().Class("skip").Href("#main").Text("Skip to the lesson"),
		l.header(),
		&updateBanner{},
		app.Div().Class("layout").Body(
			app.If(!l.view.Embed, func() app.UI { return &catalogNav{Current: l.view.Workload} }),
			app.Main().ID("main").TabIndex(-1).Body(
				l.problemsBanner(),
				app.If(l.w == nil, l.home).Else(l.lesson),
			),
		),
		app.If(!l.view.Embed, func() app.UI {
			return app.Footer().Class("foot").Body(
				app.P().Text("conlab runs the same Go code natively, in one WebAssembly instance (cooperative goroutines) and across Web Workers (parallel). Nothing on this page is loaded from another site."),
			)
		}),
	)
}

func (l *lab) header() app.UI {
	return app.Header().Class("top").Body(
		app.A().Class("brand").Href("?").Aria("label", "conlab home").Body(
			app.Img().Src("/web/icon.svg").Alt("").Width(28).Height(28),
			app.Span().Text("conlab"),
		),
		app.If(!l.view.Embed, func() app.UI {
			return app.Span().Class("tagline").Text("a Go concurrency lab: threads, processes and asyncio, in your browser")
		}),
		&meter{Running: l.running, lab: l},
	)
}

func (l *lab) problemsBanner() app.UI {
	if len(l.problems) == 0 {
		return nil
	}
	return app.Div().Class("banner", "banner-warn").Role("alert").Body(
		app.P().Body(app.Strong().Text("This link had values the lab could not use:")),
		app.Ul().Body(app.Range(l.problems).Slice(func(i int) app.UI {
			return app.Li().Text(l.problems[i].Msg)
		})),
		app.Button().Type("button").Class("btn-small").Text("Dismiss").
			OnClick(func(ctx app.Context, e app.Event) { l.problems = nil }),
	)
}

// home is the page without a lesson: what the lab is, and every lesson.
func (l *lab) home() app.UI {
	groups := filterCatalog(workloads.All(), "")
	return app.Div().Class("home").Body(
		app.H1().Text("Concurrency lessons, run for real"),
		app.P().Class("lead").Text("Each lesson is a classic Python concurrency experiment (threads, processes, asyncio) rewritten in Go and run in every mode: "+
			"one goroutine, many goroutines sharing one thread, many Web Workers in parallel, the page's own thread, and natively on a server. "+
			"Pick a lesson, press Run all, and read the bars, the speed-up curve and the timeline."),
		app.Ul().Class("mode-list").Body(app.Range(uiModes).Slice(func(i int) app.UI {
			m := uiModes[i]
			return app.Li().Body(app.Strong().Text(modeInfos[m].Label), app.Text(": "+modeInfos[m].Help))
		})),
		app.Range(groups).Slice(func(i int) app.UI {
			g := groups[i]
			return app.Section().Class("cards").Aria("label", string(g.Kind)).Body(
				app.H2().Text(string(g.Kind)),
				app.Div().Class("card-grid").Body(app.Range(g.Workloads).Slice(func(j int) app.UI {
					w := g.Workloads[j]
					return app.A().Class("card").Href(lessonHref(w.ID)).Body(
						app.Span().Class("card-title").Text(shortTitle(w.Title)),
						app.Span().Class("card-id").Text(w.ID),
						app.Span().Class("card-text").Text(firstSentence(w.Summary)),
					)
				})),
			)
		}),
	)
}

func (l *lab) lesson() app.UI {
	w := l.w
	return app.Article().Class("lesson").Aria("labelledby", "lesson-title").Body(
		app.Div().Class("lesson-head").Body(
			app.Span().Class("badge").Text(string(w.Kind)),
			app.H1().ID("lesson-title").Text(w.Title),
			app.If(!l.view.Embed, func() app.UI { return &embedButton{Title: w.Title} }),
			app.If(!l.view.Embed, func() app.UI { return app.P().Class("summary").Text(w.Summary) }),
		),
		l.controls(),
		l.chartsSection(),
		l.timelineSection(),
		app.If(slices.Contains(stepLessons, w.ID), l.stepPanel),
		app.If(!l.view.Embed, func() app.UI {
			return app.Div().Body(
				&resultsTable{
					Records: l.recs, Workload: w.ID, HasSpans: l.hasSpans(), Shown: l.shown, acts: l,
				},
				app.If(l.storeErr != "", func() app.UI { return app.P().Class("hint", "warn").Text(l.storeErr) }),
				l.codePanel(),
				app.Div().Class("panels").Body(l.nativePanel(), l.envPanel()),
			)
		}),
	)
}

// showRun shows run id in the timeline, and scrolls to it.
func (l *lab) showRun(ctx app.Context, id string) {
	l.shown = id
	ctx.ScrollTo("timeline-h")
}

func (l *lab) hasSpans() map[string]bool {
	m := make(map[string]bool, len(l.spans))
	for id := range l.spans {
		m[id] = true
	}
	return m
}

// liveMode recovers the mode from a live label, for naming lanes.
func liveMode(label string) Mode {
	if strings.HasPrefix(label, string(modeWorkers)) {
		return modeWorkers
	}
	return modeCooperative
}

func (l *lab) currentParams() (map[string]any, bool) { return formParams(l.fields) }
