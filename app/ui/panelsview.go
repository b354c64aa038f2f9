package ui

import (
	"fmt"
	"strconv"
	"strings"

	"conlab/app/charts"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

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
				app.Caption().Textf("Recorded native runs of this lesson (%s: %s)", params, paramsShown(mine[0].Workload, mine[0].Params)),
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
		return "not yet: the first run waits until the browser has finished compiling (a short calibration, timed until three rounds agree within 10 %), then has each worker run the lesson once, untimed, at its size (twice for a run that makes much garbage)"
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
