package ui

import (
	"fmt"
	"strings"

	"conlab/app/charts"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func (l *lab) timelineSection() app.UI {
	runs := l.timelineRuns()
	var shown *record
	for i := range runs {
		if runs[i].ID == l.shown {
			shown = &runs[i]
		}
	}
	if shown == nil && len(runs) > 0 {
		shown = &runs[len(runs)-1]
	}
	return app.Section().Class("panel").Aria("labelledby", "timeline-h").Body(
		app.Div().Class("panel-head").Body(
			app.H2().ID("timeline-h").Text("Timeline"),
			app.If(len(runs) > 1, func() app.UI {
				return app.Div().Class("actions").Body(
					app.Label().For("timeline-run").Text("Run shown "),
					app.Select().ID("timeline-run").
						OnChange(func(ctx app.Context, e app.Event) { l.shown = ctx.JSSrc().Get("value").String() }).
						Body(app.Range(runs).Slice(func(i int) app.UI {
							r := runs[len(runs)-1-i]
							return app.Option().Value(r.ID).Selected(shown != nil && r.ID == shown.ID).
								Textf("%s × %d: %s", modeText(r), r.Result.Workers, charts.FormatMicros(float64(r.Result.WallUS)))
						})),
				)
			}),
		),
		app.If(shown == nil, func() app.UI {
			return app.P().Class("hint").Text("Run the lesson to see its timeline: one lane per goroutine or worker, every span coloured by what the task was doing.")
		}).Else(func() app.UI {
			r := *shown
			return app.Div().Body(
				app.P().Class("tl-title").Textf("%s, %s: %s wall time%s. %s%s", modeText(r), count(r.Result.Workers, "worker"),
					charts.FormatMicros(float64(r.Result.WallUS)), startupText(r), checkText(r), checkTimeText(r)),
				&timeline{DOMID: "tl-result", Key: r.ID, Spans: l.spans[r.ID], WallUS: r.Result.WallUS, Mode: r.Mode, Lanes: l.laneCount(r)},
				app.If(childConsoles(l.spans[r.ID]) != nil, func() app.UI {
					return app.Div().Body(
						app.H3().Class("consoles-h").Text("What each child wrote, as it arrived"),
						consoles(childConsoles(l.spans[r.ID]), false),
					)
				}),
				app.If(len(r.Result.Stuck) > 0, func() app.UI {
					return app.P().Class("hint", "warn").Textf("Stuck when the deadlock was declared: %s.", stuckText(r.Result.Stuck))
				}),
				runtimeVerdictView(r, l.spans[r.ID]),
			)
		}),
	)
}

func startupText(r record) string {
	if r.Result.StartupUS <= 0 {
		return ""
	}
	return fmt.Sprintf(", of which worker start-up %s", charts.FormatMicros(float64(r.Result.StartupUS)))
}

// checkTimeText says what checking the outputs took, when that is long
// enough to notice: the page waited for it, but the wall time ends before.
func checkTimeText(r record) string {
	if r.Result.CheckUS < 1000 {
		return ""
	}
	return fmt.Sprintf("; checking it took %s more, not timed", charts.FormatMicros(float64(r.Result.CheckUS)))
}

func stuckText(st []workloads.StuckTask) string {
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = fmt.Sprintf("task %d on lane %d (%s)", s.Task, s.Lane, s.Label)
	}
	return strings.Join(parts, ", ")
}
