package ui

import (
	"fmt"
	"slices"
	"strconv"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

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
		app.If(l.running, func() app.UI { return &liveBox{View: l.live, lab: l} }),
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
		return fmt.Sprintf("%s From %s to %s; default %s.", p.Help, workloads.GroupDigits(p.Min), workloads.GroupDigits(p.Max), groupNumber(defaultRaw(p)))
	}
	def := defaultRaw(p)
	if p.Type == workloads.Bool {
		def = map[bool]string{true: "on", false: "off"}[p.Default == true]
	}
	return p.Help + " Default: " + def + "."
}

func (l *lab) modeFieldset() app.UI {
	return app.FieldSet().Class("modes").Body(
		app.Legend().Text("Modes to compare"),
		app.Range(uiModes).Slice(func(i int) app.UI {
			m := uiModes[i]
			ok, why := supportsMode(l.w, m)
			id := "mode-" + string(m)
			note := ""
			switch {
			case !ok:
				note = "Not for this lesson: " + why
			case m == modeNative:
				note = l.nativeNote()
			case m == modeMain:
				if params, ok := l.currentParams(); ok {
					note = mainRunNote(l.w, params)
				}
			}
			// The help is a phrase; a note after it starts a sentence.
			help := modeInfos[m].Help
			if note != "" {
				help += "."
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
