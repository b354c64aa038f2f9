package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"conlab/app/charts"
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
		&meter{Running: l.running},
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
					Records: l.recs, Workload: w.ID, HasSpans: l.hasSpans(), Shown: l.shown,
					OnShow:       func(ctx app.Context, id string) { l.shown = id; ctx.ScrollTo("timeline-h") },
					OnClear:      l.clearRecords,
					OnExportJSON: l.exportJSON,
					OnExportCSV:  l.exportCSV,
				},
				app.If(l.storeErr != "", func() app.UI { return app.P().Class("hint", "warn").Text(l.storeErr) }),
				l.codePanel(),
				app.Div().Class("panels").Body(l.nativePanel(), l.envPanel()),
			)
		}),
	)
}

func (l *lab) hasSpans() map[string]bool {
	m := make(map[string]bool, len(l.spans))
	for id := range l.spans {
		m[id] = true
	}
	return m
}

// controls is the lesson's form: parameters, modes, worker counts, the
// buttons, the status line and the live progress.
func (l *lab) controls() app.UI {
	why := l.blockers()
	canRun := len(why) == 0 && !l.running
	return app.Section().Class("panel controls").Aria("labelledby", "controls-h").Body(
		app.H2().ID("controls-h").Class("sr-only").Text("Run the experiment"),
		app.Div().Class("control-grid").Body(
			l.paramFieldset(),
			l.modeFieldset(),
			l.workerFieldset(),
		),
		l.predictionField(),
		app.Div().Class("run-bar").Body(
			app.Button().ID("run-all").Type("button").Class("btn", "btn-primary").
				Disabled(!canRun).
				Title("Run every chosen mode at every chosen worker count").
				Text("Run all").
				OnClick(func(ctx app.Context, e app.Event) { l.runAll(ctx) }),
			app.Div().Class("rounds").Body(
				app.Label().For("rounds").Text("rounds"),
				app.Select().ID("rounds").Disabled(l.running).
					Title("Run all runs every configuration this many times, in a rotated order; each bar is the median of its rounds").
					OnChange(func(ctx app.Context, e app.Event) {
						l.setRounds(ctx, ctx.JSSrc().Get("value").String())
					}).
					Body(app.Range(roundChoices).Slice(func(i int) app.UI {
						n := roundChoices[i]
						return app.Option().Value(strconv.Itoa(n)).Selected(n == l.view.rounds()).Text(strconv.Itoa(n))
					})),
			),
			app.Div().Class("run-one").Role("group").Aria("label", "Run a single mode").Body(
				app.Button().ID("run-one").Type("button").Class("btn").
					Disabled(l.running || !formValid(l.fields)).
					Text("Run").
					OnClick(func(ctx app.Context, e app.Event) { l.runOne(ctx) }),
				app.Label().For("run-mode").Class("sr-only").Text("mode of the single run"),
				app.Select().ID("run-mode").Disabled(l.running).
					OnChange(func(ctx app.Context, e app.Event) { l.runMode = Mode(ctx.JSSrc().Get("value").String()) }).
					Body(app.Range(uiModes).Slice(func(i int) app.UI {
						m := uiModes[i]
						ok, _ := supportsMode(l.w, m)
						return app.Option().Value(m).Selected(m == l.runMode).Disabled(!ok).Text(modeLabel(m))
					})),
				app.Span().Aria("hidden", "true").Text("×"),
				app.Label().For("run-n").Class("sr-only").Text("workers of the single run"),
				app.Select().ID("run-n").Disabled(l.running || l.runMode == modeSequential).
					OnChange(func(ctx app.Context, e app.Event) {
						if n, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil {
							l.runN = n
						}
					}).
					Body(app.Range(l.countChoices()).Slice(func(i int) app.UI {
						n := l.countChoices()[i]
						return app.Option().Value(strconv.Itoa(n)).Selected(n == l.runN).Text(strconv.Itoa(n))
					})),
			),
			app.Button().ID("cancel").Type("button").Class("btn", "btn-danger").
				Disabled(!l.running).
				Text("Cancel").
				OnClick(func(ctx app.Context, e app.Event) { l.cancelRun() }),
		),
		app.If(len(why) > 0 && !l.running, func() app.UI {
			return app.P().ID("run-why").Class("hint").Text("To run: " + joinAnd(why) + ".")
		}),
		app.P().ID("status").Class("status", "status-"+l.statusKind).Role("status").Aria("live", "polite").
			DataSet("state", l.runState()).DataSet("sets", l.sets).Text(l.status),
		app.If(len(l.errs) > 0, func() app.UI {
			return app.Ul().Class("errors").Body(app.Range(l.errs).Slice(func(i int) app.UI {
				// A crashed native run can bring a whole goroutine dump:
				// the list shows its start, the title all of it.
				return app.Li().Title(l.errs[i]).Text(clip(l.errs[i], 400))
			}))
		}),
		app.If(l.running, l.liveProgress),
	)
}

func (l *lab) countChoices() []int {
	ns := slices.Clone(workerChoices)
	for _, n := range append(slices.Clone(l.view.Workers), l.runN) {
		if n > 0 && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	return ns
}

func (l *lab) paramFieldset() app.UI {
	return app.FieldSet().Class("param-set").Body(
		app.Legend().Text("Parameters"),
		app.If(len(l.fields) == 0, func() app.UI { return app.P().Class("hint").Text("This lesson has no parameters.") }),
		app.Range(l.fields).Slice(func(i int) app.UI {
			f := l.fields[i]
			p := f.Param
			id := "param-" + p.Name
			hint := id + "-hint"
			errID := id + "-err"
			described := hint
			if f.Err != "" {
				described = errID + " " + hint
			}
			name := p.Name
			// The scope ties the handler to its lesson and parameter: go-app
			// reuses the element (and would keep a stale handler) when
			// another lesson's form takes its place.
			scope := app.EventScope(l.w.ID, name)
			onInput := func(ctx app.Context, e app.Event) { l.setParam(ctx, name, ctx.JSSrc().Get("value").String()) }
			var input app.UI
			switch p.Type {
			case workloads.Bool:
				input = app.Input().ID(id).Type("checkbox").Checked(f.Raw == "true").
					Aria("describedby", described).
					OnChange(func(ctx app.Context, e app.Event) {
						l.setParam(ctx, name, strconv.FormatBool(ctx.JSSrc().Get("checked").Bool()))
					}, scope)
			case workloads.Choice:
				input = app.Select().ID(id).Aria("describedby", described).OnChange(onInput, scope).Body(
					app.Range(p.Choices).Slice(func(j int) app.UI {
						return app.Option().Value(p.Choices[j]).Selected(p.Choices[j] == f.Raw).Text(p.Choices[j])
					}),
				)
			default:
				input = app.Input().ID(id).Type("number").Step(1).
					Min(p.Min).Max(p.Max).Value(f.Raw).
					Aria("invalid", strconv.FormatBool(f.Err != "")).
					Aria("describedby", described).
					OnInput(onInput, scope)
			}
			label := fieldLabel(p.Label, p.Unit)
			return app.Div().Class("field").Body(
				app.Label().For(id).Text(label),
				input,
				app.If(f.Err != "", func() app.UI {
					return app.P().ID(errID).Class("field-error").Role("alert").Text(f.Err)
				}),
				app.P().ID(hint).Class("field-hint").Text(paramHint(p)),
				app.If(p.Type == workloads.Choice && f.Raw == "shared" && app.IsClient && !l.facts.Isolated, func() app.UI {
					return app.P().Class("field-note", "warn").Text(noSharedMemoryNote)
				}),
			)
		}),
	)
}

// paramHint is the help shown under a field: what it does and its bounds.
func paramHint(p workloads.Param) string {
	if p.Type == workloads.Int {
		return fmt.Sprintf("%s From %s to %s; default %s.", p.Help, groupDigits(p.Min), groupDigits(p.Max), defaultRaw(p))
	}
	return p.Help + " Default: " + defaultRaw(p) + "."
}

func (l *lab) modeFieldset() app.UI {
	return app.FieldSet().Class("modes").Body(
		app.Legend().Text("Modes to compare"),
		app.Range(uiModes).Slice(func(i int) app.UI {
			m := uiModes[i]
			ok, why := supportsMode(l.w, m)
			id := "mode-" + string(m)
			help := modeInfos[m].Help
			note := ""
			switch {
			case !ok:
				note = "Not for this lesson: " + why
			case m == modeNative:
				note = l.nativeNote()
			}
			cls := []string{"mode"}
			if m == modeMain {
				cls = append(cls, "mode-main")
			}
			return app.Div().Class(cls...).Body(
				app.Input().ID(id).Type("checkbox").
					Checked(ok && slices.Contains(l.view.Modes, m)).
					Disabled(!ok || l.running).
					Aria("describedby", id+"-help").
					OnChange(func(ctx app.Context, e app.Event) { l.toggleMode(ctx, m) }, app.EventScope(m)),
				app.Label().For(id).Body(
					app.Strong().Text(modeInfos[m].Label),
					app.If(m == modeMain, func() app.UI { return app.Span().Class("warn-tag").Text("freezes the page") }),
				),
				app.P().ID(id+"-help").Class("mode-help").Body(
					app.Text(help),
					app.If(note != "", func() app.UI { return app.Span().Class("mode-note").Text(" " + note) }),
				),
			)
		}),
	)
}

func (l *lab) nativeNote() string {
	switch l.native.Source {
	case nativeLive:
		return "Live from this lab's server (" + l.native.Machine.String() + ")."
	case nativeRecorded:
		return "This page has no server: the recorded baseline is shown (default parameters only)."
	case nativeNone:
		return "Not available: " + l.native.Why
	}
	return "Looking for the native server…"
}

func (l *lab) workerFieldset() app.UI {
	ns := slices.Clone(workerChoices)
	for _, n := range l.view.Workers {
		if !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	cores := l.facts.Cores
	return app.FieldSet().Class("workers").Body(
		app.Legend().Text("Worker counts (N)"),
		app.Div().Class("chips").Body(app.Range(ns).Slice(func(i int) app.UI {
			n := ns[i]
			id := fmt.Sprintf("workers-%d", n)
			return app.Span().Class("chip").Body(
				app.Input().ID(id).Type("checkbox").Checked(slices.Contains(l.view.Workers, n)).Disabled(l.running).
					OnChange(func(ctx app.Context, e app.Event) { l.toggleWorkers(ctx, n) }, app.EventScope(n)),
				app.Label().For(id).Text(strconv.Itoa(n)),
			)
		})),
		app.P().Class("field-hint").Body(
			app.Text("N goroutines (cooperative, main thread, native) or N Web Workers (workers). "),
			app.If(cores > 0 && computes(l.w), func() app.UI {
				return app.Textf("This browser %s: beyond %s, computing gets no further speed-up.", l.coresText(), count(l.cores(), "worker"))
			}),
			app.If(cores > 0 && !computes(l.w), func() app.UI {
				return app.Textf("This browser %s, but a task that waits does not use a core: more workers than cores still overlap their waits.", l.coresText())
			}),
		),
	)
}

func (l *lab) liveProgress() app.UI {
	lv := l.live
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
		app.If(len(lv.Spans) > 0, func() app.UI {
			return app.Div().Body(
				&timeline{DOMID: "tl-live", Key: lv.Label, Spans: lv.Spans, Mode: liveMode(lv.Label), Live: true},
				app.If(childConsoles(lv.Spans) != nil, func() app.UI { return consoles(childConsoles(lv.Spans), true) }),
			)
		}).Else(func() app.UI {
			return app.P().Class("hint").Textf("%s at work; each lane's spans appear as its tasks report them.", count(max(lv.Lanes, 1), "lane"))
		}),
	)
}

// liveMode recovers the mode from a live label, for naming lanes.
func liveMode(label string) Mode {
	if strings.HasPrefix(label, string(modeWorkers)) {
		return modeWorkers
	}
	return modeCooperative
}

func (l *lab) currentParams() (map[string]any, bool) { return formParams(l.fields) }

func (l *lab) chartsSection() app.UI {
	params, ok := l.currentParams()
	if !ok {
		return app.Section().Class("panel charts").Body(
			app.H2().Text("Wall time and speed-up"),
			app.P().Class("hint").Text("The charts show runs with the parameters in the form: fix the parameters to see them."),
		)
	}
	var recorded []workloads.Result
	if l.native.Source == nativeRecorded && slices.Contains(l.view.Modes, modeNative) {
		recorded = l.native.Results
	}
	d := buildChartData(l.recs, recorded, l.w.ID, params, max(l.cores(), 1))
	if l.cores() == 0 {
		d.Cores = max(1, l.stats.Size)
	}
	d.CPUBound = computes(l.w)
	d.Bound, d.BoundWhy = speedBound(l.w.ID, params)
	for k, sl := range d.Slots {
		if sl.Source == sourceRecorded {
			sl.Source = fmt.Sprintf("recorded on %s (%s), not live", orUnknown(l.native.Date), l.native.Machine.String())
			d.Slots[k] = sl
		}
	}
	return app.Section().ID("charts").Class("panel charts").Aria("labelledby", "charts-h").Body(
		app.H2().ID("charts-h").Text("Wall time and speed-up"),
		app.If(d.empty(), func() app.UI {
			return app.P().Class("hint").Text("No runs with these parameters yet: press Run all.")
		}).Else(func() app.UI {
			return app.Div().Body(
				app.Div().Class("figures").Body(
					app.Figure().ID("fig-wall").Class("figure").Body(
						app.Raw(wallSVG("chart-wall", d, l.width("fig-wall"))),
						app.FigCaption().Text("Wall time (lower is faster); each bar is the median of its rounds, the whisker their range from fastest to slowest. ✗ marks a run whose check failed; ! marks rounds more than 20 % apart. Native bars are the same Go code on real threads."),
						chartFlags(d),
					),
					app.If(l.w.ID == "spawn", func() app.UI {
						return l.spawnFigure(params)
					}).ElseIf(d.hasSpeedups(), func() app.UI {
						return app.Figure().ID("fig-speed").Class("figure").Body(
							app.Raw(speedSVG("chart-speed", d, l.width("fig-speed"))),
							app.FigCaption().Textf("Speed-up over the sequential run; the dashed line is the %s. Labels: parallel efficiency (speed-up ÷ N).", d.idealText()),
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
					app.If(l.w.ID != "spawn", func() app.UI { return app.P().Text(d.speedSummary()) }),
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
				fs = append(fs, flag{"✗", fmt.Sprintf("%s: %d of %d runs ended with an error (see the table)", name, sl.Errored, sl.Runs)})
			}
			if sl.busy() {
				fs = append(fs, flag{"!", fmt.Sprintf("%s: %s (%s)", name, busyText, sl.spreadText())})
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

func (l *lab) codePanel() app.UI {
	w := l.w
	return app.Section().Class("panel code").Aria("labelledby", "code-h").Body(
		app.H2().ID("code-h").Text("The code"),
		app.P().Class("mapping").Text(w.Mapping),
		app.Div().Class("code-grid").Body(
			app.Figure().Class("code-fig").Body(
				app.FigCaption().Textf("Go: the workload itself (workloads/%s.go)", w.ID),
				app.Pre().TabIndex(0).Aria("label", "Go source").Body(app.Code().Class("lang-go").Text(w.Source)),
			),
			app.Figure().Class("code-fig").Body(
				app.FigCaption().Textf("Python: the classic lesson (lesson_%s.py)", w.ID),
				app.Pre().TabIndex(0).Aria("label", "Python source").Body(app.Code().Class("lang-python").Text(w.Python)),
			),
		),
	)
}

func (l *lab) nativePanel() app.UI {
	n := l.native
	var body []app.UI
	switch n.Source {
	case nativeUnknown:
		body = append(body, app.P().Text("Looking for the native baseline…"))
	case nativeNone:
		body = append(body, app.P().Class("warn").Text("No native baseline. "+n.Why))
	case nativeLive:
		body = append(body,
			app.P().Text("Source: live, from the conlab server this page came from. Choose the native mode and press Run all to run the same Go code on its real threads."),
			app.P().Text("Machine: "+n.Machine.String()+"."),
		)
	case nativeRecorded:
		body = append(body,
			app.P().Textf("Source: the recorded baseline shipped with this site (%s), recorded on %s.", n.URL, orUnknown(n.Date)),
			app.P().Text("Machine: "+n.Machine.String()+"."),
		)
		var mine []workloads.Result
		for _, r := range n.Results {
			if l.w != nil && r.Workload == l.w.ID {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			body = append(body, app.P().Class("hint").Text("It has no run of this lesson."))
		} else {
			params := "default parameters"
			if n.Quick {
				params = "the quick parameters of a smoke test"
			}
			body = append(body, app.Table().Class("mini").Body(
				app.Caption().Textf("Recorded native runs of this lesson (%s: %s)", params, paramsText(mine[0].Workload, mine[0].Params)),
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text("Mode"), app.Th().Scope("col").Class("num").Text("GOMAXPROCS"),
					app.Th().Scope("col").Class("num").Text("Workers"), app.Th().Scope("col").Class("num").Text("Wall"),
					app.Th().Scope("col").Text("Check"),
				)),
				app.TBody().Body(app.Range(mine).Slice(func(i int) app.UI {
					r := mine[i]
					ok := "✓"
					if r.Error != "" || !r.Check.OK {
						ok = "✗ " + r.Error
					}
					return app.Tr().Body(
						app.Th().Scope("row").Text(string(r.Mode)), app.Td().Class("num").Text(strconv.Itoa(r.Facts.GOMAXPROCS)),
						app.Td().Class("num").Text(strconv.Itoa(r.Workers)), app.Td().Class("num").Text(charts.FormatMicros(float64(r.WallUS))),
						app.Td().Text(ok),
					)
				})),
			))
		}
	}
	return app.Section().Class("panel").Aria("labelledby", "native-h").Body(
		append([]app.UI{app.H2().ID("native-h").Text("Native baseline")}, body...)...,
	)
}

func (l *lab) envPanel() app.UI {
	f := l.facts
	st := l.stats
	cores := "unknown"
	if f.Cores > 0 {
		cores = strconv.Itoa(f.Cores)
	}
	shared := "not available: the page is not cross-origin isolated, so SharedArrayBuffer is off and the shared-memory variants explain why they cannot run (serve with conlab serve -isolate to try them)"
	if f.Isolated {
		shared = "available: the page is cross-origin isolated, so workers can share memory (SharedArrayBuffer with Atomics)"
	}
	pool := l.pool
	if pool == "" {
		pool = "not started"
	}
	if st.Size > 0 {
		pool += fmt.Sprintf("; %s (%d alive, %d busy, %d warm)", count(st.Size, "worker"), st.Alive, st.Busy, st.Warm)
	}
	startup := "–"
	if st.CompileMS > 0 || len(st.InstantiateMS) > 0 {
		inst := make([]string, len(st.InstantiateMS))
		for i, v := range st.InstantiateMS {
			inst[i] = charts.FormatMillis(v)
		}
		startup = fmt.Sprintf("download and compile %s ms once; instantiate %s ms per worker; warm-up %s ms", charts.FormatMillis(st.CompileMS), strings.Join(inst, ", "), charts.FormatMillis(st.WarmupMS))
	}
	browser := browserName(f.UserAgent, f.Brands...)
	if browser == "" {
		browser = f.UserAgent
	}
	if browser == "" {
		browser = "unknown"
	}
	native := "none"
	if l.native.Source == nativeLive || l.native.Source == nativeRecorded {
		native = l.native.Machine.String()
	}
	item := func(k, v string) []app.UI { return []app.UI{app.Dt().Text(k), app.Dd().Text(v)} }
	var dl []app.UI
	dl = append(dl, item("Cores (navigator.hardwareConcurrency)", cores)...)
	dl = append(dl, item("Cores measured", l.measuredText())...)
	dl = append(dl, item("Worker pool", pool)...)
	dl = append(dl, item("Start-up cost", startup)...)
	dl = append(dl, item("Settling before the first timed run", settledText(l.settled))...)
	dl = append(dl, item("Shared memory", shared)...)
	dl = append(dl, item("Browser", browser)...)
	dl = append(dl, item("Native machine", native)...)
	return app.Section().Class("panel").Aria("labelledby", "env-h").Body(
		app.H2().ID("env-h").Text("Environment"),
		app.Dl().Class("facts").Body(dl...),
	)
}

// settledText says how long the lab waited for timings to settle, and
// where.
func settledText(ss []Settling) string {
	if len(ss) == 0 {
		return "not yet: the first run waits until the browser has finished compiling (a short calibration, timed until two timings agree within 10 %)"
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return strings.Join(parts, "; ")
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown date"
	}
	return s
}

// firstSentence is the first sentence of a summary, for a lesson card.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}
