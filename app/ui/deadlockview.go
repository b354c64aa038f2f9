package ui

import (
	"strings"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// runtimeVerdictView shows, beside the watchdog's report of a deadlock
// lesson's run, what Go's runtime itself said of the same circle run as
// a program of its own (natively), or why it could not say (the browser,
// a build with cgo). nil for other lessons and runs without a deadlock.
func runtimeVerdictView(r record, spans []workloads.Span) app.UI {
	if r.Result.Workload != "deadlock" {
		return nil
	}
	for _, sp := range spans {
		e, why, ok := workloads.RuntimeVerdict(sp.Label)
		if !ok {
			continue
		}
		head := app.P().Textf("Go's runtime, natively: the same circle of locks, run as a program of its own with plain sync.Mutex and no watchdog, ended with exit code %d and wrote on stderr:", e.Code)
		if why != "" {
			return app.Div().Class("runtime-verdict").Body(
				app.H3().Text("Go's runtime's own verdict"),
				app.P().Text("Go's runtime could not be asked in this run: "+why+". The lab's watchdog reported the deadlock instead."),
			)
		}
		return app.Div().Class("runtime-verdict").Body(
			app.H3().Text("Go's runtime's own verdict"),
			head,
			app.Pre().Class("console-stderr").Text(strings.TrimSpace(e.Stderr)),
			app.P().Class("hint").Text("The runtime can tell only when every goroutine of the whole program is blocked: inside the lab, its server and watchdog keep running, so the watchdog reports the deadlock above."),
		)
	}
	if len(r.Result.Stuck) == 0 {
		return nil
	}
	why := "in the browser the runtime cannot tell: the page's or the worker's events could always wake a goroutine, so the lab's watchdog reports the deadlock."
	if r.Mode == modeNative {
		why = "this run did not ask it (a server without a conlab program to start)."
	}
	return app.Div().Class("runtime-verdict").Body(
		app.H3().Text("Go's runtime's own verdict"),
		app.P().Text("Not shown here: "+why+" Natively (conlab serve, native mode) the lab also runs the same circle as a program of its own, and Go's runtime stops it with \"fatal error: all goroutines are asleep - deadlock!\"."),
	)
}
