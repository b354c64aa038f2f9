package ui

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// settleSteps waits for the step-by-step run in flight to come back.
func settleSteps(t *testing.T, eng app.TestEngine, l *lab) {
	t.Helper()
	for range 500 {
		eng.ConsumeAll()
		if !l.steps.busy {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the step-by-step run did not come back")
}

// Stepping dbupdate unlocked by clicks: both tasks read 0 before either
// writes, and x ends at 1. The URL keeps the schedule.
func TestStepByClicks(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=dbupdate&variant=unlocked&workers=2")
	l.browser = &fakeBrowser{}
	doc := render(l)
	mustContain(t, doc, `id="steps"`, "Step by step: you are the scheduler", `id="step-start"`)
	l.stepTo(ctx, nil, "stop")
	settleSteps(t, eng, l)
	doc = render(l)
	mustContain(t, doc, "goroutine 0 next: task 0: read x = 0", "goroutine 1 next: task 1: read x = 0", "0 steps so far")
	for _, g := range []int{0, 1, 0, 0, 1, 1} {
		l.stepTo(ctx, append(l.stepChoices(), g), "stop")
		settleSteps(t, eng, l)
	}
	res := l.steps.res
	if res == nil || res.Outcome != workloads.OutcomeLostUpdate || res.Check.Value != "1" || res.Schedule != "0.1.0.0.1.1" {
		t.Fatalf("%+v (error %q)", res, l.steps.err)
	}
	doc = render(l)
	mustContain(t, doc, "Every task finished, but the result is 1, not 2", "task 1: read x = 0", "x = 1", `data-outcome="lost-update"`)
	// The finished run, and only it (not the paused ones), is a row of the
	// results, its clock in steps and its schedule and outcome shown.
	if len(l.recs) != 1 || l.recs[0].Result.Schedule != "0.1.0.0.1.1" || l.recs[0].Result.Outcome != workloads.OutcomeLostUpdate ||
		len(l.recs[0].Result.Spans) != 0 || l.recs[0].Mode != modeCooperative {
		t.Fatalf("records %+v", l.recs)
	}
	if _, ok := l.spans[l.recs[0].ID]; ok {
		t.Error("a stepped run's spans went to the results' timeline, which counts milliseconds")
	}
	mustContain(t, doc, "6 steps (times in steps, not ms)", "step by step (lost-update): schedule 0.1.0.0.1.1")
	if !strings.Contains(l.view.Encode(), "schedule=0.1.0.0.1.1") {
		t.Errorf("URL %s", l.view.Encode())
	}

	// Undo replays one step fewer: task 1's write is next again.
	l.stepTo(ctx, l.stepChoices()[:5], "stop")
	settleSteps(t, eng, l)
	mustContain(t, render(l), "goroutine 1 next: task 1: write x = 1", "5 steps so far")
	// A goroutine that must wait cannot be clicked; a deadlock says who waits for whom.
	l2 := newTestLab(t, "/?workload=deadlock&workers=2")
	l2.browser = &fakeBrowser{}
	l2.stepTo(ctx, []int{0, 1, 0, 1}, "stop")
	settleSteps(t, eng, l2)
	doc = render(l2)
	mustContain(t, doc, "Deadlock: no goroutine can take its next step", "goroutine 0 must wait: task 0: wait for lock B (held by task 1)",
		"step by step (deadlock): schedule 0.1.0.1", "✗ deadlock")
	if n := len(l2.recs); n != 1 || l2.recs[0].Result.Outcome != workloads.OutcomeDeadlock {
		t.Errorf("%d records after a deadlock: %+v", n, l2.recs)
	}
}

// A link with a schedule opens the same steps once the pool is ready; a
// bad one is reported and ignored.
func TestStepFromURL(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=dbupdate&workers=2&schedule=0.1.0.0.1.1")
	l.browser = &fakeBrowser{}
	l.maybeOpenSteps(ctx) // not ready yet: nothing
	if l.steps.busy {
		t.Fatal("opened before the pool was ready")
	}
	l.poolReady = true
	l.maybeAutorun(ctx)
	settleSteps(t, eng, l)
	if res := l.steps.res; res == nil || res.Outcome != workloads.OutcomeLostUpdate || len(res.Steps) != 6 {
		t.Fatalf("%+v %q", res, l.steps.err)
	}
	v, probs := ParseView(mustQuery(t, "workload=dbupdate&schedule=0.x"))
	if v.Schedule != "" || len(probs) != 1 || probs[0].Key != "schedule" || !strings.Contains(probs[0].Msg, `item 2 ("x")`) {
		t.Errorf("%+v %v", v, probs)
	}
	// Parameters too big to step show the small ones to use.
	mustContain(t, render(newTestLab(t, "/?workload=counter")), `id="step-small"`, "Use increments = 2, tasks = 2, yield = true")
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Find one searches the schedules through the browser engine and shows
// the shortest it found, or that none exists.
func TestStepFind(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=deadlock&workers=2")
	l.browser = &fakeBrowser{}
	mustContain(t, render(l), `id="step-find"`, "the tasks deadlock")
	if l.stepWant() != workloads.OutcomeDeadlock {
		t.Errorf("the deadlock lesson looks for %s by default", l.stepWant())
	}
	l.stepFind(ctx)
	settleSteps(t, eng, l)
	if res := l.steps.res; res == nil || res.Outcome != workloads.OutcomeDeadlock || res.Schedule != "1.0.0.1" {
		t.Fatalf("%+v %q", res, l.steps.err)
	}
	doc := render(l)
	mustContain(t, doc, "Found a schedule in which the tasks deadlock, after checking 2. The shortest: 1 (4 steps in all).", "Deadlock: no goroutine can take its next step")
	if l.view.Schedule != "1.0.0.1" {
		t.Errorf("URL schedule %q", l.view.Schedule)
	}
	if len(l.recs) != 1 || l.recs[0].Result.Schedule != "1.0.0.1" {
		t.Errorf("the schedule found is not a row of the results: %+v", l.recs)
	}

	l = newTestLab(t, "/?workload=counter&tasks=2&increments=2&yield=true&sync=mutex&workers=2")
	l.browser = &fakeBrowser{}
	l.stepFind(ctx)
	settleSteps(t, eng, l)
	mustContain(t, render(l), "There is no schedule in which an update is lost: all 6 were checked.")
}
