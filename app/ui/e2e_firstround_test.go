//go:build !wasm && e2e

package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conlab/app/internal/webdriver"
	"conlab/wasm/jsprobe"
)

// quietControl is the control's speed-up from which the machine is quiet
// enough to judge timings.
const quietControl = 1.6

// waitLong is waitFor with a poll bound of within (chromedp's own default
// is 30 s, shorter than a lesson's runs on a busy machine), for the tests
// that drive Chromium through chromedp.
func waitLong(t *testing.T, tab context.Context, expr string, within time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(within))); err != nil {
		status := eval[string](t, tab, `(document.getElementById("status")||{}).textContent||""`)
		t.Fatalf("waiting for %s: %v (status: %q)", expr, err, status)
	}
}

// storedRun is the part of a stored record the test reads.
type storedRun struct {
	Mode   string       `json:"mode"`
	Round  int          `json:"round"`
	Result storedResult `json:"result"`
}

// storedResult is the part of a run's result the tests read.
type storedResult struct {
	Workers int   `json:"workers"`
	WallUS  int64 `json:"wall_us"`
	Check   struct {
		OK bool `json:"ok"`
	} `json:"check"`
	Error string `json:"error"`
}

// firstRoundUnjudged says why a timing target of engine e's first round
// of lesson is not judged ("" when it is): a target that the engine's
// later rounds, the steady state, do not meet either on a quiet 2-core
// machine. Such a miss is logged, and fails the test only with
// CONLAB_JUDGE_FIRST_ROUND=1. The targets are "cooperative" (within
// 0.85-1.18 of sequential), "one lane" (no more than 10 % faster than
// sequential) and "workers×2" (1.5× faster than × 1).
func firstRoundUnjudged(e webdriver.Engine, lesson, target string) string {
	switch {
	case target != "workers×2":
		return ""
	case lesson == "sumsquares":
		return "sumsquares' 20 tasks of about 18 ms: workers × 2 is 1.39-1.63× faster than × 1 in the later rounds too (a quiet 2-core machine, parallelism control 1.8-2.3, after settling side by side: Chromium 1.40, Firefox 1.43-1.63, WebKitGTK 1.39-1.55; first rounds 1.60, 1.43-1.45, 1.31-1.36): the target is the workers mode's, not the first round's"
	case e == webdriver.WebKit:
		return "WebKitGTK's workers × 2 is 1.19-1.57× faster than × 1 in its later rounds too (a quiet 2-core machine, parallelism control 1.8-2.1): the 1.5× target sits within the steady state's noise"
	}
	return ""
}

// The first round right after a page load, with the lesson's default
// parameters, already shows the lesson's shape in every engine:
// cooperative no faster than sequential, no one-lane configuration
// faster than sequential, two workers faster than one. The timings are
// judged only when a parallelism control measured in the same page
// before and after the runs says the machine is quiet; the rest (every
// run checks out, the wait for settled timings is reported, the charts
// and the timeline are drawn, every lane of a cooperative run is on the
// timeline) is always checked.
//
// A shared 2-core machine can be busy between the two controls, for a
// few hundred milliseconds, which is long enough to spoil one run: a
// page load whose first round misses a target is logged and followed by
// a second fresh page load (a new browser, as a second student), and
// the test fails when that one misses too. A first round that misses by
// design misses every time, so it still fails.
func TestE2EFirstRoundShape(t *testing.T) { engines(t, e2eFirstRoundShape) }

func e2eFirstRoundShape(t *testing.T, e webdriver.Engine) {
	site := buildSite(t)
	base := serve(t, site)
	for _, lesson := range []string{"countdown", "sumsquares"} {
		t.Run(lesson, func(t *testing.T) {
			twoPageLoads(t, func(t *testing.T) []string { return firstRoundMisses(t, e, base, lesson) })
		})
	}
}

// twoPageLoads runs load, a fresh page load that returns the timing
// targets its first round missed, and a second one when the first
// missed; it fails t with the second's misses.
func twoPageLoads(t *testing.T, load func(t *testing.T) []string) {
	t.Helper()
	var misses []string
	for n := 1; n <= 2; n++ {
		t.Run(fmt.Sprintf("page load %d", n), func(t *testing.T) { misses = load(t) })
		if len(misses) == 0 || t.Failed() {
			return
		}
		t.Logf("page load %d: the first round missed %d target(s): %s", n, len(misses), strings.Join(misses, "; "))
	}
	for _, m := range misses {
		t.Error(m)
	}
}

// firstRoundMisses loads lesson in a fresh browser of engine e, runs all
// its configurations for the default rounds, checks what is always
// checked, and returns the timing targets its first round misses (none
// when the machine was too busy to judge them).
func firstRoundMisses(t *testing.T, e webdriver.Engine, base, lesson string) []string {
	tab := browserIn(t, e, 10*time.Minute)
	tab.open(base + "/?workload=" + lesson + "&modes=sequential,cooperative,workers&workers=1,2")
	// As soon as it can: the lab, not the test, waits for the browser to
	// settle.
	tab.waitFor(`!document.getElementById("run-all").disabled`, 2*time.Minute)
	// The control before the runs and after: the machine must be quiet
	// through both to judge the runs between.
	before := evalIn[float64](tab, jsprobe.Parallelism)
	tab.click("#run-all")
	tab.waitFor(statusSets+` >= 1`, 8*time.Minute)
	if state := evalIn[string](tab, statusState); state != "ok" {
		t.Fatalf("status %s: %s", state, evalIn[string](tab, `document.getElementById("status").textContent`))
	}
	var recs []storedRun
	if err := json.Unmarshal([]byte(evalIn[string](tab, `localStorage.getItem("conlab/results/v1")`)), &recs); err != nil {
		t.Fatalf("stored results: %v", err)
	}
	wall := map[string]float64{} // the first round's
	perRound := map[int]int{}
	var later []string // the later rounds', for the log
	for _, r := range recs {
		key := fmt.Sprintf("%s×%d", r.Mode, r.Result.Workers)
		if r.Mode == "sequential" {
			key = "sequential"
		}
		if r.Result.Error != "" || !r.Result.Check.OK {
			t.Errorf("%s did not check out: %+v", key, r)
		}
		perRound[r.Round]++
		if r.Round == 1 {
			wall[key] = float64(r.Result.WallUS)
		} else {
			later = append(later, fmt.Sprintf("r%d %s %.0f", r.Round, key, float64(r.Result.WallUS)/1000))
		}
	}
	for k := 1; k <= defaultRounds; k++ {
		if perRound[k] != 5 {
			t.Errorf("round %d has %d runs, want 5 (rounds: %v)", k, perRound[k], perRound)
		}
	}
	if len(recs) != 5*defaultRounds || len(wall) != 5 {
		t.Fatalf("%d runs (first round: %v), want sequential, cooperative and workers at 1 and 2, %d times", len(recs), wall, defaultRounds)
	}
	env := evalIn[string](tab, `document.querySelector(".facts").textContent`)
	if !strings.Contains(env, "Settling before the first timed run") || !strings.Contains(env, "the page: ") || !strings.Contains(env, "2 workers: ") {
		t.Errorf("the environment panel does not say how long settling took: %q", env)
	}
	i := strings.Index(env, "Settling before the first timed run")
	t.Logf("%s", env[i:min(len(env), i+300)])
	// The panel names the cores the chart's ideal line stops at.
	measured := env[strings.Index(env, "Cores measured"):strings.Index(env, "Worker pool")]
	ideal := evalIn[string](tab, `(document.querySelector(".ideal-label")||{}).textContent||""`)
	t.Logf("%s; the speed-up chart's %q", measured, ideal)
	var m, k int
	if _, err := fmt.Sscanf(strings.TrimPrefix(measured, "Cores measured"), "%d", &m); err != nil {
		t.Errorf("the environment panel says no measured cores after a Run all: %q", measured)
	} else if _, err := fmt.Sscanf(ideal, "ideal (%d", &k); err != nil {
		t.Errorf("the speed-up chart's ideal label %q names no cores", ideal)
	} else if k != m && !strings.Contains(measured, fmt.Sprintf("the ideal line uses the %d the browser reports", k)) {
		t.Errorf("the chart's ideal line stops at %d cores, the panel says %q", k, measured)
	}
	if n := evalIn[int](tab, `document.querySelectorAll("#chart-wall .bar").length`); n != 5 {
		t.Errorf("%d bars, want 5", n)
	}
	if lesson == "countdown" {
		tab.screenshot("measure-countdown-first-runall")
		// The charts and the status line in the window, for the engines
		// whose screenshot is the window only (WebKitGTK).
		evalIn[any](tab, `(document.querySelector(".status, #status").scrollIntoView({block: "start"}), null)`)
		time.Sleep(300 * time.Millisecond)
		webdriver.SaveScreenshot(t, tab.ctx, tab.p, string(e)+"-measure-countdown-first-runall-charts")
		// The cooperative × 2 run on the timeline: both lanes.
		id := evalIn[string](tab, `[...document.querySelectorAll(".results-table tbody tr")].find(r => r.querySelector("th").textContent == "cooperative" && r.querySelectorAll("td")[2].textContent == "2").dataset.id`)
		tab.click(`tr[data-id="` + id + `"] button`)
		tab.waitFor(`!!document.querySelector("#tl-result-svg") && document.querySelector(".tl-title").textContent.startsWith("cooperative")`, 10*time.Second)
		lanes := evalIn[[]string](tab, `[...document.querySelectorAll("#tl-result-svg .lane-label")].map(e => e.textContent)`)
		if strings.Join(lanes, ",") != "goroutine 0,goroutine 1" {
			t.Errorf("cooperative × 2 timeline lanes %q, want both goroutines", lanes)
		}
		waits := evalIn[[]string](tab, `[...document.querySelectorAll("#tl-result-svg .lane-wait title")].map(e => e.textContent)`)
		t.Logf("cooperative × 2 lane notes: %q", waits)
	}

	after := evalIn[float64](tab, jsprobe.Parallelism)
	t.Logf("later rounds (ms): %s", strings.Join(later, ", "))
	return judgeFirstRound(t, e, lesson, wall, before, after)
}

// judgeFirstRound logs the first round's walls (ms by configuration:
// "sequential", "cooperative×1", "workers×2"…) of lesson in engine e and
// returns the timing targets they miss, none when the parallelism
// control measured before and after says the machine was busy.
func judgeFirstRound(t *testing.T, e webdriver.Engine, lesson string, wall map[string]float64, before, after float64) []string {
	t.Helper()
	seq := wall["sequential"]
	ratios := fmt.Sprintf("cooperative×1/sequential %.2f, cooperative×2/sequential %.2f, workers×1/sequential %.2f, workers×1/workers×2 %.2f",
		wall["cooperative×1"]/seq, wall["cooperative×2"]/seq, wall["workers×1"]/seq, wall["workers×1"]/wall["workers×2"])
	control := min(before, after)
	t.Logf("%s %s first round (ms): %v; %s; parallelism control %.2f before, %.2f after", e.Title(), lesson, msOf(wall), ratios, before, after)
	if control < quietControl {
		t.Logf("the machine is busy (two threads gain %.2f×, under %.1f×): the timings are not judged", control, quietControl)
		return nil
	}
	var misses []string
	miss := func(target, format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		why := firstRoundUnjudged(e, lesson, target)
		if why == "" || os.Getenv("CONLAB_JUDGE_FIRST_ROUND") == "1" {
			t.Logf("miss: %s", msg)
			misses = append(misses, msg)
			return
		}
		t.Logf("%s", msg)
		t.Logf("not judged (CONLAB_JUDGE_FIRST_ROUND=1 judges it): %s", why)
	}
	for _, c := range []string{"cooperative×1", "cooperative×2"} {
		if r := wall[c] / seq; r < 0.85 || r > 1.18 {
			miss("cooperative", "%s / sequential = %.2f, want 0.85 to 1.18 (%s)", c, r, ratios)
		}
	}
	for _, c := range []string{"cooperative×1", "workers×1"} {
		if s := seq / wall[c]; s > 1.10 {
			miss("one lane", "%s is %.2f× faster than sequential: a one-lane run may not be more than 10 %% faster (%s)", c, s, ratios)
		}
	}
	if s := wall["workers×1"] / wall["workers×2"]; s < 1.5 {
		miss("workers×2", "workers × 2 is %.2f× faster than × 1, want 1.5× or more (%s)", s, ratios)
	}
	return misses
}

func msOf(w map[string]float64) map[string]string {
	out := map[string]string{}
	for k, v := range w {
		out[k] = fmt.Sprintf("%.0f", v/1000)
	}
	return out
}

// download in the browser over HTTP/1.1: the requests the browser holds in
// its queue are drawn blocked, so the timeline never has more than six on
// the wire (active) at once, though twenty goroutines fetch.
func TestE2EDownloadQueue(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browserIn(t, webdriver.Chromium, 5*time.Minute)
	tab.open(base + "/?workload=download&pages=30&delay=300&modes=cooperative&workers=20&rounds=1")
	tab.waitFor(`!document.getElementById("run-all").disabled`, 2*time.Minute)
	tab.click("#run-all")
	tab.waitFor(statusSets+` >= 1`, 3*time.Minute)
	if state := evalIn[string](tab, statusState); state != "ok" {
		t.Fatalf("status %s: %s", state, evalIn[string](tab, `document.getElementById("status").textContent`))
	}
	tab.waitFor(`!!document.querySelector("#tl-result-svg desc")`, 10*time.Second)
	desc := evalIn[string](tab, `document.querySelector("#tl-result-svg desc").textContent`)
	queued := evalIn[int](tab, `[...document.querySelectorAll("#tl-result-svg .span")].filter(e => (e.getAttribute("aria-label")||"").includes("queued in the browser")).length`)
	t.Logf("download cooperative × 20: %d queue spans; %s", queued, desc)
	// On the wire: the fetch spans (not the queue, not the task's own
	// running), never more than 6 at once. A connection passes from one
	// request to the next before the worker has read the first one's end
	// (the network process tells the page a little later: milliseconds,
	// tens on a loaded machine), so spans that overlap by less than the
	// slack count as one after the other.
	wire := evalIn[[]int](tab, `[1, 5, 25, 50].map((slack) => {
		const es = [];
		for (const g of document.querySelectorAll("#tl-result-svg .span")) {
			if (!/: fetch /.test(g.getAttribute("aria-label") || "")) continue;
			es.push([+g.dataset.t0 + slack * 1000, 1], [+g.dataset.t1, -1]);
		}
		es.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
		let cur = 0, most = 0;
		for (const [, d] of es) { cur += d; most = Math.max(most, cur); }
		return most;
	})`)
	t.Logf("at most %v requests on the wire at once, counting overlaps under 1, 5, 25 and 50 ms as none", wire)
	if wire[2] > 6 {
		t.Errorf("%d requests on the wire at once (overlaps under 25 ms aside), over the browser's 6 connections per server", wire[2])
	}
	if queued == 0 {
		t.Error("no request was drawn queued in the browser, though 20 fetched at once")
	}
	tab.screenshot("measure-download-queue")
}
