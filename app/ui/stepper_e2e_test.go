//go:build !wasm && e2e

package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

const stepsState = `document.getElementById("steps").dataset`

// clickStep clicks the goroutine g's button and waits for the step to
// come back: the panel has n steps and nothing in flight.
func clickStep(t *testing.T, tab context.Context, g, n int) {
	t.Helper()
	clickWhenReady(t, tab, fmt.Sprintf("step-g%d", g))
	waitFor(t, tab, fmt.Sprintf(`%s.steps == "%d" && %s.busy == "false"`, stepsState, n, stepsState), time.Minute)
}

// clickWhenReady waits until the button with this id is drawn and
// enabled (the pool may still be starting), then clicks it.
func clickWhenReady(t *testing.T, tab context.Context, id string) {
	t.Helper()
	waitFor(t, tab, fmt.Sprintf(`!!document.getElementById(%q) && !document.getElementById(%q).disabled`, id, id), 2*time.Minute)
	click(t, tab, "#"+id)
}

// A student steps dbupdate unlocked by clicks: each task reads 0 before
// either writes, and x ends at 1. The link in the address bar opens the
// same steps and outcome in another browser, and an embedding page's
// lab:run with that schedule gets it back with its steps.
func TestE2EStepMode(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 8*time.Minute)
	open(t, tab, base+"/?workload=dbupdate&variant=unlocked&workers=2")
	clickWhenReady(t, tab, "step-start")
	waitFor(t, tab, stepsState+`.outcome == "paused"`, time.Minute)
	if s := eval[string](t, tab, `document.getElementById("step-g1").textContent`); s != "goroutine 1 next: task 1: read x = 0" {
		t.Errorf("goroutine 1's button says %q", s)
	}
	for i, g := range []int{0, 1, 0, 0, 1, 1} {
		clickStep(t, tab, g, i+1)
		if i == 3 {
			// Task 0 wrote: the shared value shows it at once.
			if s := eval[string](t, tab, `document.getElementById("step-shared").textContent`); !strings.Contains(s, "x = 1") {
				t.Errorf("after task 0's write: %q", s)
			}
		}
	}
	waitFor(t, tab, stepsState+`.outcome == "lost-update"`, time.Minute)
	outcome := eval[string](t, tab, `document.getElementById("step-outcome").textContent`)
	if !strings.Contains(outcome, "the result is 1, not 2") {
		t.Errorf("outcome: %q", outcome)
	}
	steps := eval[string](t, tab, `document.getElementById("step-list").innerText`)
	link := eval[string](t, tab, `location.href`)
	if !strings.Contains(link, "schedule=0.1.0.0.1.1") {
		t.Errorf("the address bar has no schedule: %s", link)
	}
	// The finished run is a row of the results, timed in steps.
	row := eval[string](t, tab, `(([...document.querySelectorAll(".results-table tbody tr")].find(r => r.innerText.includes("schedule 0.1.0.0.1.1")))||{innerText: ""}).innerText`)
	if !strings.Contains(row, "6 steps (times in steps, not ms)") || !strings.Contains(row, "step by step (lost-update)") || !strings.Contains(row, "✗ 1, expected 2") {
		t.Errorf("the results row of the stepped run: %q", row)
	}
	screenshot(t, tab, "steps-dbupdate")

	// The link, in a fresh browser, opens the same steps and outcome.
	tab2 := browser(t, 4*time.Minute)
	open(t, tab2, link)
	waitFor(t, tab2, `!!document.getElementById("steps") && `+stepsState+`.outcome == "lost-update"`, 2*time.Minute)
	if again := eval[string](t, tab2, `document.getElementById("step-list").innerText`); again != steps {
		t.Errorf("the link opened other steps:\n%s\nwant:\n%s", again, steps)
	}

	// An embedding page: lab:run with the schedule returns it, the steps
	// and the outcome. The host is a page of the same server with the lab
	// in an iframe.
	hostLab(t, tab2, base+"/?workload=dbupdate&embed=1", 900, 600)
	eval[bool](t, tab2, `(document.getElementById("lab").contentWindow.postMessage({type: "lab:run", id: 19, workload: "dbupdate", mode: "cooperative", workers: 2, schedule: "0.1"}, "*"), true)`)
	waitFor(t, tab2, `window.labMsgs.some(m => m && m.type == "lab:result" && m.id == 19)`, 2*time.Minute)
	got := eval[string](t, tab2, `(() => { const m = window.labMsgs.find(m => m && m.type == "lab:result" && m.id == 19);
		return [m.ok, m.result.schedule, m.result.outcome, m.result.steps.length, m.result.steps[1].what, m.result.check.value].join(" | "); })()`)
	if want := "true | 0.1.0.0.1.1 | lost-update | 6 | task 1: read x = 0 | 1"; got != want {
		t.Errorf("lab:result: %s, want %s", got, want)
	}
}

// Find one in the deadlock lesson: the search runs in the worker pool and
// shows the shortest schedule that deadlocks, step by step.
func TestE2EStepFind(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 6*time.Minute)
	open(t, tab, base+"/?workload=deadlock&workers=2")
	clickWhenReady(t, tab, "step-find")
	waitFor(t, tab, stepsState+`.outcome == "deadlock" && `+stepsState+`.busy == "false"`, 2*time.Minute)
	found := eval[string](t, tab, `document.getElementById("step-found").textContent`)
	if !strings.Contains(found, "Found a schedule in which the tasks deadlock, after checking 2. The shortest: 1 (4 steps in all).") {
		t.Errorf("found: %q", found)
	}
	if s := eval[string](t, tab, `document.getElementById("step-g0").textContent`); s != "goroutine 0 must wait: task 0: wait for lock B (held by task 1)" {
		t.Errorf("goroutine 0: %q", s)
	}
	if link := eval[string](t, tab, `location.href`); !strings.Contains(link, "schedule=1.0.0.1") {
		t.Errorf("link %s", link)
	}
	screenshot(t, tab, "steps-deadlock-found")
	click(t, tab, "#step-undo")
	waitFor(t, tab, stepsState+`.outcome == "paused" && `+stepsState+`.steps == "3"`, time.Minute)
	click(t, tab, "#step-g1")
	waitFor(t, tab, stepsState+`.outcome == "deadlock"`, time.Minute)
}
