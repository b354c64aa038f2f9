//go:build !wasm && e2e

// End-to-end tests of the lab's UI against `conlab serve`, in each of the
// three engines (package webdriver: Chromium, Firefox ESR, WebKitGTK).
// They build everything they need themselves (the conlab binary,
// app.wasm and worker.wasm, into a temporary site folder), so no `make
// build` is needed first. A missing browser skips its subtests (fails
// them under CONLAB_REQUIRE_BROWSERS=1).
//
//	go test -tags e2e -run E2E -v ./app/ui/
//
// Screenshots go to $CONLAB_E2E_SHOTS, or to conlab-e2e in the system's
// temporary folder; each test logs the path of its own.
package ui

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// A lesson opened by a link with autorun=1 runs every chosen mode and
// count, fills the table, draws the charts, and draws the last run's
// timeline with one lane per worker.
func TestE2EAutorun(t *testing.T) { engines(t, e2eAutorun) }

func e2eAutorun(t *testing.T, e webdriver.Engine) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, e, 8*time.Minute)
	load := tab.open(base + "/?workload=countdown&count=300000000&modes=sequential,cooperative,workers,native&workers=1,2&rounds=1&autorun=1")
	t.Logf("page load, cold, localhost: %v", load.Round(time.Millisecond))
	tab.waitFor(statusSets+` >= 1`, 4*time.Minute)

	if state := evalIn[string](tab, statusState); state != "ok" {
		t.Fatalf("status %s: %s\n%s", state, evalIn[string](tab, `document.getElementById("status").textContent`), evalIn[string](tab, `document.body.innerText.slice(0, 3000)`))
	}
	// sequential, cooperative ×1 ×2, workers ×1 ×2, native sequential, native ×1 ×2.
	rows := evalIn[[]string](tab, `[...document.querySelectorAll(".results-table tbody tr")].map(r => r.querySelector("th").textContent + " " + r.querySelectorAll("td")[2].textContent)`)
	want := []string{"native goroutines 2", "native goroutines 1", "native sequential 1", "workers 2", "workers 1", "cooperative 2", "cooperative 1", "sequential 1"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		// Native rows name their GOMAXPROCS too; compare the start.
		for i := range want {
			if i >= len(rows) || !strings.HasPrefix(rows[i], want[i]) {
				t.Fatalf("table rows %q, want %q", rows, want)
			}
		}
	}
	if bad := evalIn[int](tab, `document.querySelectorAll(".results-table tbody tr.bad").length`); bad != 0 {
		t.Errorf("%d runs did not check out", bad)
	}
	// The timeline shows the workers × 2 run (the lesson's telling run):
	// show it from its row, as a student would, and count its lanes.
	id := evalIn[string](tab, `[...document.querySelectorAll(".results-table tbody tr")].find(r => r.querySelector("th").textContent == "workers" && r.querySelectorAll("td")[2].textContent == "2").dataset.id`)
	tab.click(`tr[data-id="` + id + `"] button`)
	tab.waitFor(`!!document.querySelector("#tl-result-svg") && document.querySelector(".tl-title").textContent.startsWith("workers, 2 workers")`, 10*time.Second)
	lanes := evalIn[[]string](tab, `[...document.querySelectorAll("#tl-result-svg .lane-label")].map(e => e.textContent)`)
	if strings.Join(lanes, ",") != "worker 0,worker 1" {
		t.Errorf("timeline lanes %q, want one per worker", lanes)
	}
	if n := evalIn[int](tab, `document.querySelectorAll("#chart-wall .bar").length`); n != 8 {
		t.Errorf("%d bars in the wall-time chart, want 8", n)
	}
	if n := evalIn[int](tab, `document.querySelectorAll("#chart-speed circle").length`); n < 4 {
		t.Errorf("%d points on the speed-up chart, want 4 or more", n)
	}
	tab.screenshot("lesson-after-run")
	// Every run is kept across a reload.
	tab.open(base + "/?workload=countdown&count=300000000")
	if n := evalIn[int](tab, `document.querySelectorAll(".results-table tbody tr").length`); n != 8 {
		t.Errorf("%d rows after a reload, want 8", n)
	}
}

// Cancel stops a run in progress; the page, the pool and later runs keep
// working.
func TestE2ECancel(t *testing.T) { engines(t, e2eCancel) }

func e2eCancel(t *testing.T, e webdriver.Engine) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, e, 5*time.Minute)
	tab.open(base + "/?workload=countdown&count=20000000000&modes=workers&workers=2")
	// The pool warm first: on a busy machine its "Worker pool warm" can
	// come after a run that started before it and write over the run's
	// status (a fault of the page's, reported; this test is of Cancel).
	tab.waitFor(`!document.getElementById("run-all").disabled && document.getElementById("status").textContent.startsWith("Worker pool warm")`, 2*time.Minute)
	tab.click("#run-all")
	tab.waitFor(statusState+` == "running"`, 30*time.Second)
	time.Sleep(time.Second)
	start := time.Now()
	tab.click("#cancel")
	tab.waitFor(statusSets+` == 1`, 30*time.Second)
	t.Logf("cancel took %v", time.Since(start).Round(time.Millisecond))
	if s := evalIn[string](tab, `document.getElementById("status").textContent`); !strings.HasPrefix(s, "Cancelled") {
		t.Errorf("status after cancel: %q", s)
	}
	if n := evalIn[int](tab, `document.querySelectorAll(".results-table tbody tr").length`); n != 0 {
		t.Errorf("%d rows after a cancelled run", n)
	}
	// The next run works: a small count, one run.
	tab.setValue("param-count", "50000000")
	tab.waitFor(`!document.getElementById("run-one").disabled && location.search.includes("count=50000000")`, 10*time.Second)
	tab.click("#run-one")
	tab.waitFor(statusSets+` == 2`, 2*time.Minute)
	if s := evalIn[string](tab, statusState); s != "ok" {
		t.Errorf("the run after a cancel: %s %q", s, evalIn[string](tab, `document.getElementById("status").textContent`))
	}
	tab.screenshot("after-cancel")
}

// An invalid parameter shows its message at the field and disables Run;
// a valid value clears both. The link's problem is reported too.
func TestE2EInvalidParameter(t *testing.T) { engines(t, e2eInvalidParameter) }

func e2eInvalidParameter(t *testing.T, e webdriver.Engine) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, e, 3*time.Minute)
	tab.open(base + "/?workload=countdown&count=0&modes=cooperative,turbo")
	msg := evalIn[string](tab, `(document.getElementById("param-count-err")||{}).textContent||""`)
	if !strings.Contains(msg, "out of range") || !strings.Contains(msg, "allowed: a whole number from 1 to") {
		t.Errorf("field message %q", msg)
	}
	if !evalIn[bool](tab, `document.getElementById("run-all").disabled && document.getElementById("run-one").disabled`) {
		t.Error("Run enabled with an invalid value")
	}
	if inv := evalIn[string](tab, `document.getElementById("param-count").getAttribute("aria-invalid")`); inv != "true" {
		t.Errorf("aria-invalid = %q", inv)
	}
	banner := evalIn[string](tab, `(document.querySelector(".banner:not(.banner-update)")||{}).textContent||""`)
	if !strings.Contains(banner, `unknown mode "turbo"`) {
		t.Errorf("banner %q", banner)
	}
	tab.screenshot("invalid-parameter")
	tab.setValue("param-count", "1000")
	tab.waitFor(`!document.getElementById("param-count-err") && !document.getElementById("run-all").disabled`, 10*time.Second)
}

// The main-thread mode freezes the page, and the responsiveness meter
// shows it; in a worker the page keeps drawing.
func TestE2EMainThreadFreezes(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two cores to tell a frozen page from a busy machine")
	}
	webdriver.Require(t, webdriver.Chromium)
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, webdriver.Chromium, 4*time.Minute)
	tab.open(base + "/?workload=countdown&count=1500000000&modes=main&workers=1&rounds=1")
	tab.waitFor(`!document.getElementById("run-all").disabled`, time.Minute)
	time.Sleep(2 * time.Second) // let the meter forget the page load
	tab.click("#run-all")
	tab.waitFor(statusSets+` == 1`, 2*time.Minute)
	time.Sleep(600 * time.Millisecond) // the meter shows its figures four times a second
	frozen := evalIn[string](tab, `document.querySelector(".meter").className`)
	longest := evalIn[string](tab, `document.querySelector(".meter-long strong").textContent`)
	t.Logf("main thread: meter %q, longest frame %s", frozen, longest)
	if !strings.Contains(frozen, "meter-frozen") {
		t.Errorf("the meter did not see the freeze: %q %s", frozen, longest)
	}
	tab.screenshot("main-thread")
}
