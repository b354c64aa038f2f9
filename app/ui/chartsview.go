package ui

import (
	"fmt"
	"slices"
	"strings"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func (l *lab) chartsSection() app.UI {
	params, ok := l.currentParams()
	if !ok {
		return app.Section().Class("panel charts").Body(
			app.H2().Text("Wall time and speed-up"),
			app.P().Class("hint").Text("The charts show runs with the parameters in the form: fix the parameters to see them."),
		)
	}
	recorded := l.recordedFor()
	memo := l.chartsData(recorded, params)
	d := memo.d
	return app.Section().ID("charts").Class("panel charts").Aria("labelledby", "charts-h").Body(
		app.H2().ID("charts-h").Text("Wall time and speed-up"),
		app.If(d.empty(), func() app.UI {
			return app.Div().Body(
				app.P().Class("hint").Text("No runs with these parameters yet: press Run all."),
				// The other methods' runs still compare on the method chart.
				app.If(l.w.ID == "multiply", func() app.UI { return l.multiplyFigure(params, recorded) }),
			)
		}).Else(func() app.UI {
			return app.Div().Body(
				app.Div().Class("figures").Body(
					app.Figure().ID("fig-wall").Class("figure").Body(
						app.Raw(memo.drawing("wall", "chart-wall", l.width("fig-wall"), wallSVG)),
						app.FigCaption().Text("Wall time (lower is faster); each bar is the median of its rounds, the whisker their range from fastest to slowest. ✗ marks a run whose check failed; ! marks rounds more than 20 % apart. Native bars are the same Go code on real threads."),
						chartFlags(d),
					),
					app.If(l.w.ID == "spawn", func() app.UI {
						return l.spawnFigure(params)
					}).ElseIf(l.w.ID == "multiply", func() app.UI {
						return l.multiplyFigure(params, recorded)
					}).ElseIf(noSpeedupWhy(l.w.ID) != "", func() app.UI {
						return app.Div().ID("fig-speed").Class("figure", "figure-empty").Body(
							app.P().Class("hint").Text(noSpeedupWhy(l.w.ID)),
						)
					}).ElseIf(d.hasSpeedups(), func() app.UI {
						return app.Figure().ID("fig-speed").Class("figure").Body(
							app.Raw(memo.drawing("speed", "chart-speed", l.width("fig-speed"), speedSVG)),
							app.FigCaption().Text(d.speedCaption()),
							app.If(d.orderNote() != "", func() app.UI {
								return app.P().Class("hint", "order-note").Text(d.orderNote())
							}),
						)
					}).Else(func() app.UI {
						return app.Div().ID("fig-speed").Class("figure", "figure-empty").Body(
							app.P().Class("hint").Text("The speed-up chart needs a sequential run and a run of another mode with the same parameters: choose sequential too, and Run all."),
						)
					}),
				),
				seriesLegend(d),
				app.If(d.Recorded, func() app.UI {
					return app.P().Class("hint", "native-source").Textf("Native figures marked recorded were recorded on %s (%s): they are not live runs.", orUnknown(l.native.Date), l.native.Machine.String())
				}),
				app.If(d.liveNative(), func() app.UI {
					return app.P().Class("hint", "native-source").Text("Native figures marked live ran just now on this lab's server; a run marked shared answered other students' identical requests too, which arrived while it ran.")
				}),
				app.Details().Class("data").Body(
					app.Summary().Text("The charts' figures as text"),
					app.P().Text(d.wallSummary()),
					app.If(l.w.ID != "spawn" && l.w.ID != "multiply" && noSpeedupWhy(l.w.ID) == "", func() app.UI { return app.P().Text(d.speedSummary()) }),
				),
			)
		}),
	)
}

// chartFlags lists, under the wall-time chart, what its marks mean for
// each marked bar, in a student's words.
func chartFlags(d chartData) app.UI {
	type flag struct{ mark, text string }
	var fs []flag
	for gi, g := range d.groups() {
		for s, v := range g.Values {
			if !present(v) {
				continue
			}
			sl, ok := d.slotAt(gi, s)
			if !ok || (!sl.failed() && !sl.busy()) {
				continue
			}
			name := seriesInfo[s].Name
			if g.Label != "sequential" { // the group of one-lane runs: the name says it
				name += ", " + g.Label
			}
			for _, f := range sl.Failed {
				fs = append(fs, flag{"✗", name + ": " + strings.TrimPrefix(f, "✗ ")})
			}
			if sl.Errored > 0 {
				fs = append(fs, flag{"✗", fmt.Sprintf("%s: %d of %s ended with an error (see the table)", name, sl.Errored, count(sl.Runs, "run"))})
			}
			if sl.busy() {
				fs = append(fs, flag{"!", fmt.Sprintf("%s: %s (%s)", name, sl.flagText(), sl.spreadText())})
			}
		}
	}
	if len(fs) == 0 {
		return nil
	}
	return app.Ul().Class("chart-flags").Body(app.Range(fs).Slice(func(i int) app.UI {
		return app.Li().Body(app.Span().Class("flag-mark").Aria("hidden", "true").Text(fs[i].mark+" "), app.Text(fs[i].text))
	}))
}

func seriesLegend(d chartData) app.UI {
	var present []int
	for k := range d.Wall {
		if !slices.Contains(present, k.Series) {
			present = append(present, k.Series)
		}
	}
	slices.Sort(present)
	return app.Ul().Class("legend").Aria("label", "Series").Body(app.Range(present).Slice(func(i int) app.UI {
		s := present[i]
		return app.Li().Body(
			app.Span().Class("swatch", seriesInfo[s].Class, "pat-"+seriesPattern[s]).Aria("hidden", "true"),
			app.Text(seriesInfo[s].Name),
		)
	}))
}

// noSpeedupWhy says why a lesson draws no speed-up chart where one would
// mislead; "" where it draws one. The deadlock lesson's parallel runs never
// finish, and fixed they take the resources in turn: an ideal line of N
// times would promise what the lesson is not about.
func noSpeedupWhy(lesson string) string {
	if lesson == "deadlock" {
		return "No speed-up chart in this lesson: a deadlocked run never finishes, so it has no speed-up (the wall-time chart marks it ✗ at the moment the deadlock was declared), and with fix=ordered the tasks take the resources in turn."
	}
	return ""
}

// speedupData is the speed-up chart's data for params, its ideal line at
// the cores the lab goes by, or at the reported ones when runs beat those
// (chartData.trustReported).
func (l *lab) speedupData(recorded []workloads.Result, params map[string]any) chartData {
	d := buildChartData(l.recs, recorded, l.w.ID, params, max(l.cores(), 1))
	if l.cores() == 0 {
		d.Cores = max(1, l.stats.Size)
	}
	d.CPUBound = computes(l.w)
	return d.trustReported(l.facts.Cores)
}

// idealCores is the cores the speed-up chart's ideal line stops at for
// the form's parameters, 0 when it draws none for them.
func (l *lab) idealCores() int {
	if l.w == nil {
		return 0
	}
	params, ok := l.currentParams()
	if !ok {
		return 0
	}
	return l.chartsData(nil, params).d.Cores
}
