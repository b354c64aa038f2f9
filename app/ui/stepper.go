package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Step mode: the student is the scheduler. The lesson's goroutines stop
// at every point where they touch what the tasks share (a read, a write, a
// lock, a sleep, a channel), and the student clicks the one that goes
// next. Each click is a run in the browser's cooperative engine with the
// schedule so far and the rule "stop" (workloads.Schedule): the engine
// replays the steps and pauses with every goroutine's next step. Undo
// replays one step fewer. The schedule goes into the URL (schedule=), so a
// link opens the same steps and outcome.

// stepLessons are the lessons whose outcome depends on the order of their
// tasks' steps: the ones step mode offers.
var stepLessons = []string{"counter", "dbupdate", "deadlock", "semaphore", "queue", "pool"}

// stepPresets are parameters small enough to step through by hand.
var stepPresets = map[string]map[string]string{
	"counter":   {"tasks": "2", "increments": "2", "yield": "true"},
	"deadlock":  {"tasks": "2"},
	"semaphore": {"tasks": "3", "limit": "2"},
	"queue":     {"items": "3", "buffer": "1"},
	"pool":      {"jobs": "4"},
}

// stepState is the lab's step-by-step run.
type stepState struct {
	workload string            // the lesson it belongs to
	res      *workloads.Result // the last run: paused, or ended
	err      string
	busy     bool
	seed     uint64 // the next seed of "at random"
	loadURL  string // a schedule from the URL, opened once the pool is ready
	want     string // the outcome Find one looks for ("": the lesson's)
	found    string // what the last search found, in words
}

// stepFindRuns bounds the schedules a search in the page checks: each is
// a run in a worker.
const stepFindRuns = 400

// stepFindOutcomes are the outcomes a student may look for, in words.
var stepFindOutcomes = []struct{ id, label string }{
	{workloads.OutcomeLostUpdate, "an update is lost"},
	{workloads.OutcomeDeadlock, "the tasks deadlock"},
	{workloads.OutcomeAllFinish, "every task finishes and the check passes"},
}

// stepWant is the outcome Find one looks for: the student's choice, or
// the lesson's own bug.
func (l *lab) stepWant() string {
	if l.steps.want != "" {
		return l.steps.want
	}
	switch l.w.ID {
	case "counter", "dbupdate":
		return workloads.OutcomeLostUpdate
	case "deadlock":
		return workloads.OutcomeDeadlock
	}
	return workloads.OutcomeAllFinish
}

// stepFind searches the schedules for the outcome wanted, each one a run
// in the worker pool, and shows the shortest it found.
func (l *lab) stepFind(ctx app.Context) {
	req, br, ok := l.stepBegin("Searching…")
	if !ok {
		return
	}
	want := l.stepWant()
	ctx.Async(func() {
		f, err := workloads.FindWith(context.Background(), want, workloads.FindOptions{MaxRuns: stepFindRuns, Seed: 1},
			func(c context.Context, schedule string) (*workloads.Result, error) {
				r := req
				r.Schedule = schedule
				return br.Run(c, r, func(wasm.Progress) {})
			})
		ctx.Dispatch(func(ctx app.Context) {
			if !l.stepEnded(req.Workload) {
				return
			}
			words := want
			for _, o := range stepFindOutcomes {
				if o.id == want {
					words = o.label
				}
			}
			switch {
			case err != nil:
				l.steps.found, l.steps.err = "", err.Error()
			case f.Found:
				l.steps.found = fmt.Sprintf("Found a schedule in which %s, after checking %s. The shortest: %s (%s in all).",
					words, workloads.GroupDigits(int64(f.Checked)), f.Schedule, count(len(f.Result.Steps), "step"))
				l.steps.res = f.Result
				l.recordStepped(ctx, f.Result)
				l.view.Schedule = f.Result.Schedule
				l.syncURL(ctx)
			case f.Exhaustive:
				l.steps.found = fmt.Sprintf("There is no schedule in which %s: all %s were checked.", words, workloads.GroupDigits(int64(f.Checked)))
			default:
				l.steps.found = fmt.Sprintf("In none of the %s checked does it happen that %s; there are more to check.", count(f.Checked, "schedule"), words)
			}
		})
	})
}

// stepBegin starts a step-by-step run or search when one can start (none
// going, valid parameters, the browser engine ready), showing found in
// the panel. It returns the lesson's request in the cooperative mode,
// without a schedule, and the engine; when the run cannot start it says
// why in the panel and returns false.
func (l *lab) stepBegin(found string) (workloads.Request, Browser, bool) {
	if l.steps.busy || l.w == nil {
		return workloads.Request{}, nil, false
	}
	params, ok := formParams(l.fields)
	if !ok {
		l.steps.err = "Fix the parameters marked above first."
		return workloads.Request{}, nil, false
	}
	br := l.browser
	if br == nil {
		l.steps.err = "The browser engine is not ready yet."
		if l.browserErr != "" {
			l.steps.err = "The browser engine cannot run here: " + l.browserErr
		}
		return workloads.Request{}, nil, false
	}
	l.steps.busy, l.steps.err, l.steps.found, l.steps.workload = true, "", found, l.w.ID
	return workloads.Request{Workload: l.w.ID, Mode: wasm.Cooperative, Workers: l.stepWorkers(), Params: params}, br, true
}

// stepEnded marks the step-by-step run over and reports whether the
// student is still on its lesson, whose panel shows what it did.
func (l *lab) stepEnded(workload string) bool {
	l.steps.busy = false
	return l.w != nil && l.w.ID == workload
}

// stepWorkers is how many goroutines a step-by-step run has: the Run
// button's worker count, at least 2 so there is a choice.
func (l *lab) stepWorkers() int { return max(l.runN, 2) }

// stepChoices returns the choices of the run shown.
func (l *lab) stepChoices() []int {
	if l.steps.res == nil || l.steps.res.Schedule == "" {
		return nil
	}
	s, err := workloads.ParseSchedule(l.steps.res.Schedule)
	if err != nil {
		return nil
	}
	return s.Choices
}

// stepUndo goes back one step: the run replayed with one choice fewer.
// Handlers read the state when clicked, not when drawn: a redrawn button
// may keep the handler it was first given.
func (l *lab) stepUndo(ctx app.Context) {
	if c := l.stepChoices(); len(c) > 0 {
		l.stepTo(ctx, c[:len(c)-1], "stop")
	}
}

// stepTo runs the lesson step by step with choices, then the rule then
// ("stop", "rr", "random:N", "first").
func (l *lab) stepTo(ctx app.Context, choices []int, then string) {
	req, br, ok := l.stepBegin("")
	if !ok {
		return
	}
	req.Schedule = workloads.FormatChoices(choices) + "~" + then
	ctx.Async(func() {
		res, err := br.Run(context.Background(), req, func(wasm.Progress) {})
		ctx.Dispatch(func(ctx app.Context) {
			if !l.stepEnded(req.Workload) {
				return
			}
			if res == nil || (err != nil && res.Outcome != workloads.OutcomeDeadlock && res.Outcome != workloads.OutcomeFailed) {
				l.steps.err = fmt.Sprint(err)
				return
			}
			if res.Outcome == workloads.OutcomeFailed {
				l.steps.err = res.Error
				return
			}
			l.steps.res = res
			l.recordStepped(ctx, res)
			l.view.Schedule = res.Schedule
			if l.view.Schedule == "" {
				l.view.Schedule = "~stop"
			}
			l.syncURL(ctx)
		})
	})
}

// recordStepped adds a step-by-step run that ended (not one paused for
// the next choice) to the results table, with its schedule and outcome.
// Its spans stay in the step panel: the results' timeline is timed in
// milliseconds, and this run's clock counts steps.
func (l *lab) recordStepped(ctx app.Context, res *workloads.Result) {
	if res == nil || res.Schedule == "" || res.Outcome == workloads.OutcomePaused {
		return
	}
	r := *res
	r.Spans, r.Next = nil, nil
	if r.Facts.Browser == "" {
		r.Facts.Browser = browserName(l.facts.UserAgent, l.facts.Brands...)
	}
	l.seq++
	l.keep(ctx, record{ID: fmt.Sprintf("%d-%d", time.Now().UnixMilli(), l.seq), At: time.Now(), Mode: uiModeOf(&r), Result: r})
}

// maybeOpenSteps opens the schedule the URL named, once the pool is ready.
func (l *lab) maybeOpenSteps(ctx app.Context) {
	if l.steps.loadURL == "" || !l.poolReady || l.w == nil {
		return
	}
	s, err := workloads.ParseSchedule(l.steps.loadURL)
	l.steps.loadURL = ""
	if err != nil {
		l.steps.err = err.Error()
		return
	}
	l.stepTo(ctx, s.Choices, "stop")
}

// stepPanel is the step-by-step section of a lesson that has one.
func (l *lab) stepPanel() app.UI {
	w := l.w
	st := &l.steps
	res := st.res
	if st.workload != w.ID {
		res = nil
	}
	ready := l.browser != nil && !st.busy
	choices := l.stepChoices()
	paused := res != nil && res.Outcome == workloads.OutcomePaused
	preset := stepPresets[w.ID]
	small := true
	for _, f := range l.fields {
		if v, ok := preset[f.Param.Name]; ok && f.Raw != v {
			small = false
		}
	}
	outcome := ""
	if res != nil {
		outcome = res.Outcome
	}
	return app.Section().ID("steps").Class("panel", "steps").Aria("labelledby", "steps-h").
		DataSet("outcome", outcome).DataSet("steps", len(choices)).DataSet("busy", st.busy).Body(
		app.H2().ID("steps-h").Text("Step by step: you are the scheduler"),
		app.P().Class("hint").Text("Each goroutine stops wherever it touches what the tasks share: a read or a write, "+
			"a lock, a sleep, a queue. Click the goroutine that goes next, and watch the shared values. "+
			"Undo goes back a step; the link in the address bar replays your schedule."),
		app.If(!small, func() app.UI {
			keys := slices.Sorted(maps.Keys(preset))
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + " = " + preset[k]
			}
			return app.P().Class("hint").Body(
				app.Text("Stepping by hand needs a small run. "),
				app.Button().ID("step-small").Type("button").Class("btn").Text("Use "+strings.Join(parts, ", ")).
					OnClick(func(ctx app.Context, e app.Event) {
						for _, k := range keys {
							l.setParam(ctx, k, preset[k])
						}
						st.res = nil
					}),
			)
		}),
		app.Div().Class("step-bar").Body(
			app.Button().ID("step-start").Type("button").Class("btn", "btn-primary").Disabled(!ready).
				Text(map[bool]string{true: "Start over", false: "Start stepping"}[res != nil]).
				OnClick(func(ctx app.Context, e app.Event) { l.stepTo(ctx, nil, "stop") }),
			app.Button().ID("step-undo").Type("button").Class("btn").Disabled(!ready || len(choices) == 0).
				Text("Undo").
				OnClick(func(ctx app.Context, e app.Event) { l.stepUndo(ctx) }),
			app.Button().ID("step-rr").Type("button").Class("btn").Disabled(!ready || !paused).
				Title("The goroutines take turns, one step each, to the end").
				Text("Run to the end: in turn").
				OnClick(func(ctx app.Context, e app.Event) { l.stepTo(ctx, l.stepChoices(), "rr") }),
			app.Button().ID("step-random").Type("button").Class("btn").Disabled(!ready || !paused).
				Title("A seeded random choice at every step, to the end").
				Text("at random").
				OnClick(func(ctx app.Context, e app.Event) {
					st.seed++
					l.stepTo(ctx, l.stepChoices(), "random:"+strconv.FormatUint(st.seed, 10))
				}),
		),
		app.Div().Class("step-bar").Body(
			app.Label().For("step-want").Text("Find a schedule in which"),
			app.Select().ID("step-want").Disabled(st.busy).
				OnChange(func(ctx app.Context, e app.Event) { st.want = ctx.JSSrc().Get("value").String() }).
				Body(app.Range(stepFindOutcomes).Slice(func(i int) app.UI {
					o := stepFindOutcomes[i]
					return app.Option().Value(o.id).Selected(o.id == l.stepWant()).Text(o.label)
				})),
			app.Button().ID("step-find").Type("button").Class("btn").Disabled(!ready).
				Title(fmt.Sprintf("Search the interleavings, shortest first (at most %d)", stepFindRuns)).
				Text("Find one").
				OnClick(func(ctx app.Context, e app.Event) { l.stepFind(ctx) }),
		),
		app.If(st.found != "" && st.workload == w.ID, func() app.UI { return app.P().ID("step-found").Class("step-found").Text(st.found) }),
		app.If(st.err != "", func() app.UI { return app.P().ID("step-error").Class("hint", "warn").Text(st.err) }),
		app.If(res != nil, func() app.UI { return l.stepView(res, ready) }),
	)
}

// stepView shows a step-by-step run: the goroutines and their next steps,
// the shared values, the steps taken, and the outcome.
func (l *lab) stepView(res *workloads.Result, ready bool) app.UI {
	lanes := 0
	for _, s := range res.Spans {
		lanes = max(lanes, s.Lane+1)
	}
	for _, s := range res.Next {
		lanes = max(lanes, s.Lane+1)
	}
	next := map[int]workloads.Step{}
	for _, s := range res.Next {
		next[s.Lane] = s
	}
	shared := "as at the start"
	if n := len(res.Steps); n > 0 && res.Steps[n-1].Shared != "" {
		shared = res.Steps[n-1].Shared
	}
	return app.Div().Body(
		app.P().ID("step-shared").Class("step-shared").Body(
			app.Strong().Text("Shared now: "), app.Code().Text(shared)),
		app.Ul().Class("step-goroutines").Body(app.Range(make([]struct{}, lanes)).Slice(func(g int) app.UI {
			s, ok := next[g]
			switch {
			case res.Outcome != workloads.OutcomePaused && res.Outcome != workloads.OutcomeDeadlock:
				return app.Li().Text(fmt.Sprintf("goroutine %d: finished", g))
			case !ok:
				return app.Li().Text(fmt.Sprintf("goroutine %d: finished", g))
			case s.Wait || res.Outcome == workloads.OutcomeDeadlock:
				return app.Li().Body(app.Button().ID(fmt.Sprintf("step-g%d", g)).Type("button").Class("btn", "step-go").Disabled(true).
					Text(fmt.Sprintf("goroutine %d must wait: %s", g, s.What)))
			}
			return app.Li().Body(app.Button().ID(fmt.Sprintf("step-g%d", g)).Type("button").Class("btn", "step-go").Disabled(!ready).
				Title("Let this goroutine take its next step").
				Text(fmt.Sprintf("goroutine %d next: %s", g, s.What)).
				OnClick(func(ctx app.Context, e app.Event) { l.stepTo(ctx, append(l.stepChoices(), g), "stop") }))
		})),
		app.If(len(res.Steps) > 0, func() app.UI {
			return app.Ol().ID("step-list").Class("step-list").Body(app.Range(res.Steps).Slice(func(i int) app.UI {
				s := res.Steps[i]
				return app.Li().Body(app.Text(s.What), app.If(s.Shared != "", func() app.UI {
					return app.Span().Class("hint").Text(" → " + s.Shared)
				}))
			}))
		}),
		app.If(len(res.Steps) > 0, func() app.UI {
			return app.Div().Body(
				app.P().Class("hint").Text("The timeline counts steps, not time: each millisecond on its axis is one step."),
				&timeline{DOMID: "tl-steps", Key: res.Schedule + "|" + res.Outcome, Spans: res.Spans, WallUS: res.WallUS},
			)
		}),
		app.P().ID("step-outcome").Class("step-outcome").Text(stepOutcomeText(res)),
		app.If(res.Schedule != "", func() app.UI {
			return app.P().Class("hint").Body(app.Text("Schedule: "), app.Code().ID("step-schedule").Text(res.Schedule),
				app.Text(" (natively: conlab run -workload "+res.Workload+" -workers "+strconv.Itoa(res.Workers)+" -schedule "+res.Schedule+")"))
		}),
	)
}

// stepOutcomeText says where a step-by-step run stands, for a student.
func stepOutcomeText(res *workloads.Result) string {
	switch res.Outcome {
	case workloads.OutcomePaused:
		return count(len(res.Steps), "step") + " so far. Choose who goes next."
	case workloads.OutcomeDeadlock:
		return "Deadlock: no goroutine can take its next step. " + stuckText(res.Stuck)
	case workloads.OutcomeLostUpdate:
		return fmt.Sprintf("Every task finished, but the result is %s, not %s: %s", groupNumber(res.Check.Value), groupNumber(res.Check.Expected), res.Check.Note)
	case workloads.OutcomeAllFinish:
		return fmt.Sprintf("Every task finished: %s (%s).", groupNumber(res.Check.Value), res.Check.Note)
	}
	return res.Error
}
