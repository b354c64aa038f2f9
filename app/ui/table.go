package ui

import (
	"fmt"
	"slices"
	"sort"

	"conlab/app/charts"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// resultsTable lists every run, newest first, with selection for comparing
// runs and the export and clear actions.
type resultsTable struct {
	app.Compo

	Records  []record
	Workload string          // the lesson shown: its runs are listed unless All is chosen
	HasSpans map[string]bool // runs whose timeline can be shown
	Shown    string          // the run in the timeline

	// acts does what the table's buttons ask (nil: nothing). It is not a
	// field go-app compares: a func field always differs, and would have
	// the table render again with every render of the page around it.
	acts resultsActions

	all      bool
	selected map[string]bool
}

// resultsActions are what the results table asks of the page: show a
// run's timeline, clear the results, export them.
type resultsActions interface {
	showRun(ctx app.Context, id string)
	clearRecords(ctx app.Context)
	exportJSON(ctx app.Context)
	exportCSV(ctx app.Context)
}

// visibleRecords returns the rows the table shows, newest first.
func visibleRecords(recs []record, workload string, all bool) []record {
	var out []record
	for i := len(recs) - 1; i >= 0; i-- {
		if all || workload == "" || recs[i].Result.Workload == workload {
			out = append(out, recs[i])
		}
	}
	return out
}

// modeText describes the run's mode as the table shows it.
func modeText(r record) string {
	if r.native() {
		if r.Result.Mode == "sequential" {
			return "native sequential"
		}
		return "native goroutines"
	}
	return modeLabel(r.Mode)
}

// envText describes where a run ran.
func envText(r record) string {
	f := r.Result.Facts
	if r.native() {
		s := fmt.Sprintf("%s, %s/%s, GOMAXPROCS=%d, %d CPUs", nativeRunSource(r.Result), f.GOOS, f.GOARCH, f.GOMAXPROCS, f.NumCPU)
		if f.CPU != "" {
			s += ", " + f.CPU
		}
		return s
	}
	s := f.Engine
	if b := browserName(f.Browser); b != "" {
		s = b + ", " + s
	} else if f.Browser != "" {
		s = f.Browser + ", " + s
	}
	return s
}

// nativeRunSource says whether a native run was this request's own or
// shared with identical requests that arrived while it ran.
func nativeRunSource(r workloads.Result) string {
	if r.Shared > 1 {
		return fmt.Sprintf("live, shared by %d requests", r.Shared)
	}
	return "live"
}

// checkCell is the table's compact check: the mark and value, the note
// in smaller print below.
func checkCell(r record) app.UI {
	res := r.Result
	head, note := "", res.Check.Note
	switch {
	case len(res.Stuck) > 0:
		head, note = "✗ deadlock", res.Error
	case res.Error != "":
		head, note = "✗ error", res.Error
	case res.Check.OK:
		head = "✓ " + groupNumber(res.Check.Value)
	default:
		head = failHead(res.Check)
	}
	return app.Td().Class("check-cell").Body(
		app.Span().Class("check-head").Text(head),
		app.If(note != "", func() app.UI { return app.Span().Class("check-note").Text(note) }),
		app.If(r.stepped(), func() app.UI {
			return app.Span().Class("check-note", "schedule").Title(res.Schedule).
				Text(fmt.Sprintf("step by step (%s): schedule %s", res.Outcome, scheduleShort(res.Schedule)))
		}),
		app.If(r.Prediction != "", func() app.UI {
			return app.Span().Class("check-note", "prediction").Text("you predicted: " + r.Prediction)
		}),
	)
}

// maxScheduleCell bounds a schedule as the table shows it: a run to the
// end at random can take thousands of choices (the full text is the
// cell's title and is in the exports).
const maxScheduleCell = 40

// scheduleShort is a schedule's text cut to maxScheduleCell bytes.
func scheduleShort(s string) string {
	if len(s) <= maxScheduleCell {
		return s
	}
	return s[:maxScheduleCell] + "…"
}

// checkText says whether a run checked out, in words.
func checkText(r record) string {
	res := r.Result
	switch {
	case res.Error != "":
		return "✗ " + res.Error
	case res.Check.OK:
		s := "✓ " + groupNumber(res.Check.Value)
		if res.Check.Note != "" {
			s += " (" + res.Check.Note + ")"
		}
		return s
	default:
		return failNote(&res)
	}
}

// comparison is one selected run against the fastest selected one.
type comparison struct {
	Record record
	Ratio  float64 // wall time / the fastest's
}

// compareRecords orders the selected, successful timed runs from fastest
// to slowest with their ratio to the fastest (a stepped run counts steps,
// not time).
func compareRecords(recs []record, selected map[string]bool) []comparison {
	var out []comparison
	for _, r := range recs {
		if selected[r.ID] && r.Result.Error == "" && r.Result.WallUS > 0 && !r.stepped() {
			out = append(out, comparison{Record: r})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Record.Result.WallUS < out[j].Record.Result.WallUS })
	for i := range out {
		out[i].Ratio = float64(out[i].Record.Result.WallUS) / float64(out[0].Record.Result.WallUS)
	}
	return out
}

func (t *resultsTable) toggle(id string) {
	if t.selected == nil {
		t.selected = map[string]bool{}
	}
	if t.selected[id] {
		delete(t.selected, id)
	} else {
		t.selected[id] = true
	}
}

func (t *resultsTable) Render() app.UI {
	rows := visibleRecords(t.Records, t.Workload, t.all)
	sp := speedups(t.Records)
	// Forget selections of runs that are gone (cleared).
	for id := range t.selected {
		if !slices.ContainsFunc(t.Records, func(r record) bool { return r.ID == id }) {
			delete(t.selected, id)
		}
	}
	cmp := compareRecords(rows, t.selected)
	scope := "this lesson"
	every := t.all || t.Workload == ""
	if every {
		scope = "every lesson"
	}
	return app.Section().Class("panel results").Aria("labelledby", "results-h").Body(
		app.Div().Class("panel-head").Body(
			app.H2().ID("results-h").Text("Results"),
			app.Div().Class("actions").Body(
				app.If(t.Workload != "", func() app.UI {
					return app.Label().Class("check").Body(
						app.Input().Type("checkbox").Checked(t.all).
							OnChange(func(ctx app.Context, e app.Event) { t.all = !t.all }),
						app.Text(" every lesson"),
					)
				}),
				app.Button().Type("button").Class("btn-small").Text("Export JSON").
					Disabled(len(t.Records) == 0).OnClick(func(ctx app.Context, e app.Event) { t.act(func(a resultsActions) { a.exportJSON(ctx) }) }),
				app.Button().Type("button").Class("btn-small").Text("Export CSV").
					Disabled(len(t.Records) == 0).OnClick(func(ctx app.Context, e app.Event) { t.act(func(a resultsActions) { a.exportCSV(ctx) }) }),
				app.Button().Type("button").Class("btn-small", "btn-danger").Text("Clear").
					Disabled(len(t.Records) == 0).OnClick(func(ctx app.Context, e app.Event) { t.act(func(a resultsActions) { a.clearRecords(ctx) }) }),
			),
		),
		app.If(len(rows) == 0, func() app.UI {
			return app.P().Class("hint").Text("No runs yet. Press Run all: every run lands here and is kept in this browser.")
		}).Else(func() app.UI {
			return app.Div().Class("table-wrap").TabIndex(0).Aria("labelledby", "results-cap").Body(
				app.Table().Class("results-table").Body(
					app.Caption().ID("results-cap").Textf("%s of %s, newest first. Select two or more to compare them.", count(len(rows), "run"), scope),
					app.THead().Body(app.Tr().Body(
						app.Th().Scope("col").Body(app.Span().Class("sr-only").Text("Compare")),
						app.Th().Scope("col").Text("Time"),
						app.If(every, func() app.UI { return app.Th().Scope("col").Text("Workload") }),
						app.Th().Scope("col").Text("Mode"),
						app.Th().Scope("col").Class("num").Text("Workers"),
						app.Th().Scope("col").Class("num").Text("Round"),
						app.Th().Scope("col").Text("Parameters"),
						app.Th().Scope("col").Class("num").Text("Wall ms"),
						app.Th().Scope("col").Class("num").Text("Speed-up"),
						app.Th().Scope("col").Text("Check"),
						app.Th().Scope("col").Text("Environment"),
						app.Th().Scope("col").Body(app.Span().Class("sr-only").Text("Timeline")),
					)),
					app.TBody().Body(app.Range(rows).Slice(func(i int) app.UI {
						r := rows[i]
						res := r.Result
						speed := "–"
						if v, ok := sp[r.ID]; ok {
							speed = fmt.Sprintf("%.2f×", v)
						}
						workers := fmt.Sprint(res.Workers)
						if r.native() {
							workers = fmt.Sprintf("%d (GOMAXPROCS=%d)", res.Workers, res.Facts.GOMAXPROCS)
						}
						wall := charts.FormatMillis(float64(res.WallUS) / 1000)
						if res.StartupUS > 0 {
							wall += fmt.Sprintf(" (start-up %s)", charts.FormatMillis(float64(res.StartupUS)/1000))
						}
						if r.stepped() {
							wall = count(int(r.stepCount()), "step") + " (times in steps, not ms)"
						}
						cls := "ok"
						if !r.ok() {
							cls = "bad"
						}
						if r.ID == t.Shown {
							cls += " shown"
						}
						// go-app keeps a row's DOM and its handlers when the
						// list shifts; the scope makes it swap the handler
						// too, or a click would act on the run that used to
						// be in that row.
						id := r.ID
						return app.Tr().Class(cls).DataSet("id", r.ID).Body(
							app.Td().Body(app.Input().Type("checkbox").Checked(t.selected[r.ID]).
								Aria("label", fmt.Sprintf("compare run %s %s", modeText(r), workers)).
								OnChange(func(ctx app.Context, e app.Event) { t.toggle(id) }, app.EventScope(id))),
							app.Td().Text(r.At.Local().Format("15:04:05")),
							app.If(every, func() app.UI { return app.Td().Text(res.Workload) }),
							app.Th().Scope("row").Text(modeText(r)),
							app.Td().Class("num").Text(workers),
							app.Td().Class("num").Text(roundCell(r)),
							app.Td().Class("params").Text(paramsShown(res.Workload, res.Params)),
							app.Td().Class("num").Body(app.Text(wall), framesCell(r)),
							app.Td().Class("num").Text(speed),
							checkCell(r),
							app.Td().Class("env").Text(envText(r)),
							app.Td().Body(app.If(t.HasSpans[r.ID], func() app.UI {
								return app.Button().Type("button").Class("btn-small").
									Aria("label", "show the timeline of this run").Text("timeline").
									OnClick(func(ctx app.Context, e app.Event) {
										t.act(func(a resultsActions) { a.showRun(ctx, id) })
									}, app.EventScope(id))
							})),
						)
					})),
				),
			)
		}),
		app.If(len(cmp) >= 2, func() app.UI {
			return app.Div().Class("compare").Body(
				app.H3().Text("Comparison"),
				app.Ol().Body(app.Range(cmp).Slice(func(i int) app.UI {
					c := cmp[i]
					rel := "fastest"
					if i > 0 {
						rel = fmt.Sprintf("%.2f× slower", c.Ratio)
					}
					return app.Li().Textf("%s, %s, %s, %s: %s ms (%s)", c.Record.Result.Workload, modeText(c.Record),
						count(c.Record.Result.Workers, "worker"), paramsShown(c.Record.Result.Workload, c.Record.Result.Params),
						charts.FormatMillis(float64(c.Record.Result.WallUS)/1000), rel)
				})),
			)
		}),
	)
}

// act calls f with the table's actions, if it has them.
func (t *resultsTable) act(f func(resultsActions)) {
	if t.acts != nil {
		f(t.acts)
	}
}
