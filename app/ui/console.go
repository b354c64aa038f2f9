package ui

import (
	"fmt"
	"sort"
	"strings"

	"conlab/app/charts"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// childConsole is what one child of the subprocess lesson said, read from
// its task's spans: each line from its stdout with the time it arrived,
// and its exit.
type childConsole struct {
	Task   int
	Name   string // "child 0"
	Lines  []consoleLine
	Exit   workloads.Exit
	Exited bool
	ExitAt int64
}

type consoleLine struct {
	At   int64 // µs since the run's start
	Text string
}

// childConsoles groups a run's stdout and exit marks by task; nil when the
// run has none (every lesson but subprocess).
func childConsoles(spans []workloads.Span) []childConsole {
	by := map[int]*childConsole{}
	get := func(task int) *childConsole {
		c := by[task]
		if c == nil {
			c = &childConsole{Task: task, Name: fmt.Sprintf("child %d", task)}
			by[task] = c
		}
		return c
	}
	for _, sp := range spans {
		if line, ok := strings.CutPrefix(sp.Label, workloads.StdoutPrefix); ok {
			c := get(sp.Task)
			c.Lines = append(c.Lines, consoleLine{At: sp.Start, Text: line})
		} else if e, ok := workloads.ParseExitLabel(sp.Label); ok {
			c := get(sp.Task)
			c.Exit, c.Exited, c.ExitAt = e, true, sp.Start
		}
	}
	if len(by) == 0 {
		return nil
	}
	out := make([]childConsole, 0, len(by))
	for _, c := range by {
		sort.SliceStable(c.Lines, func(i, j int) bool { return c.Lines[i].At < c.Lines[j].At })
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Task < out[j].Task })
	return out
}

// consoles shows one console per child: its lines as they arrived, then
// ✓ and exit code 0, or ✗ with the exit code and what it wrote to stderr.
// live marks a run in progress (a child not yet exited is "running").
func consoles(cs []childConsole, live bool) app.UI {
	return app.Div().Class("consoles").Body(app.Range(cs).Slice(func(i int) app.UI {
		c := cs[i]
		var status app.UI = app.P().Class("console-exit", "running").Text("running…")
		switch {
		case c.Exited && c.Exit.Code == 0:
			status = app.P().Class("console-exit", "ok").Textf("✓ exit code 0 at %s", charts.FormatMicros(float64(c.ExitAt)))
		case c.Exited:
			stderr := c.Exit.Stderr
			if stderr == "" {
				stderr = "(nothing on stderr)"
			}
			status = app.Div().Class("console-exit", "bad").Body(
				app.P().Textf("✗ exit code %d at %s; stderr:", c.Exit.Code, charts.FormatMicros(float64(c.ExitAt))),
				app.Pre().Class("console-stderr").Text(stderr),
			)
		case !live:
			status = app.P().Class("console-exit", "bad").Text("✗ no exit seen: the run ended first")
		}
		cls := []string{"console"}
		if c.Exited && c.Exit.Code != 0 {
			cls = append(cls, "console-failed")
		}
		return app.Figure().Class(cls...).Aria("label", c.Name+"'s output").Body(
			app.FigCaption().Textf("%s: %s on stdout", c.Name, count(len(c.Lines), "line")),
			app.Ol().Class("console-lines").Body(app.Range(c.Lines).Slice(func(j int) app.UI {
				l := c.Lines[j]
				return app.Li().Body(
					app.Span().Class("console-time").Text(charts.FormatMicros(float64(l.At))),
					app.Span().Class("console-text").Text(l.Text),
				)
			})),
			status,
		)
	}))
}
