//go:build !wasm && e2e

package ui

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conlab/workloads"
)

// lessonEvidence checks, after Run all in a lesson's default view, what
// the lesson's screen must show; each returns what is missing.
var lessonEvidence = map[string]func(t *testing.T, tab context.Context) []string{
	// The native lanes race: updates are lost, or the page says why none
	// were this time.
	"counter": func(t *testing.T, tab context.Context) []string {
		return pageSays(t, tab, "updates lost|the race is still there", "every update counted: each of")
	},
	// The read and the write are markers on the lanes.
	"dbupdate": func(t *testing.T, tab context.Context) []string {
		miss := pageSays(t, tab, "Reads and writes, marked on the lanes")
		if n := eval[int](t, tab, `document.querySelectorAll("#tl-result-marks .instant").length`); n < 2 {
			miss = append(miss, fmt.Sprintf("%d read or write markers on the timeline, want at least 2", n))
		}
		return miss
	},
	// Every item is drawn from the put to the take.
	"queue": func(t *testing.T, tab context.Context) []string {
		miss := pageSays(t, tab, "Each arrow is an item handed over")
		if n := eval[int](t, tab, `document.querySelectorAll("#tl-result-marks .handover").length`); n < 1 {
			miss = append(miss, "no hand-over arrows on the timeline")
		}
		return miss
	},
	// The last run shown is native: show a cooperative one, where the
	// busy-wait stalls the other lanes.
	"blocking": func(t *testing.T, tab context.Context) []string {
		showRun(t, tab, "cooperative")
		miss := pageSays(t, tab, "stalled: task 2 is busy-waiting on the only thread")
		if n := eval[int](t, tab, `document.querySelectorAll("#tl-result-marks .stall").length`); n < 1 {
			miss = append(miss, "no stalled lanes drawn on the cooperative timeline")
		}
		return miss
	},
	// Each child's console has its lines, and the failing child is ✗ with
	// its code and stderr. The default fails none: every console is ✓.
	"subprocess": func(t *testing.T, tab context.Context) []string {
		miss := pageSays(t, tab, "What each child wrote, as it arrived", "line 10/10 from child 1", "✓ exit code 0")
		if n := eval[int](t, tab, `document.querySelectorAll(".console").length`); n != 2 {
			miss = append(miss, fmt.Sprintf("%d consoles, want one per child (2)", n))
		}
		return miss
	},
	// Start-up cost by kind replaces the speed-up chart; times read as
	// people write them.
	"spawn": func(t *testing.T, tab context.Context) []string {
		var miss []string
		if n := eval[int](t, tab, `document.querySelectorAll("#chart-spawn .bar").length`); n < 3 {
			miss = append(miss, fmt.Sprintf("%d bars on the start-up chart, want 3 per kind", n))
		}
		if eval[bool](t, tab, `!!document.querySelector("#chart-speed")`) {
			miss = append(miss, "the spawn lesson still draws a speed-up chart")
		}
		if text := eval[string](t, tab, `document.body.innerText`); regexpGoDuration.MatchString(text) {
			miss = append(miss, "a raw Go duration (like 61.801ms) is on the page")
		}
		return miss
	},
	// The ideal line is the bound that applies: the longest sleep.
	"sleep": func(t *testing.T, tab context.Context) []string {
		return pageSays(t, tab, "best possible: 3× (the longest sleep)")
	},
	// Every run's row says how the page drew meanwhile; the main-thread
	// run (lessonRuns) froze the page for about two seconds.
	"responsive": func(t *testing.T, tab context.Context) []string {
		miss := pageSays(t, tab, "longest frame")
		// The frames cell's title says it in one line: "longest frame 2.01 s, 3 frames dropped".
		longest := eval[float64](t, tab, `Math.max(0, ...[...document.querySelectorAll(".results-table tbody tr")].filter(r => r.querySelector("th").textContent.startsWith("main thread")).map(r => { const m = ((r.querySelector(".frames")||{}).title||"").match(/^longest frame ([\d.]+) (µs|ms|s),/); return m ? {"µs": 0.001, ms: 1, s: 1000}[m[2]] * +m[1] : 0 }))`)
		t.Logf("responsive: the main-thread run's longest frame: %.0f ms", longest)
		if longest < 1000 {
			miss = append(miss, fmt.Sprintf("the main-thread run's longest frame is %.0f ms, want the page frozen for over a second", longest))
		}
		return miss
	},
	// Every method on one chart, the classic figures labelled as
	// reported, and no speed-up of one method against itself.
	"multiply": func(t *testing.T, tab context.Context) []string {
		miss := pageSays(t, tab, "Fastest: one loop", "vectorised library (NumPy)", "not measured here")
		for _, m := range []string{"loop", "chunks", "shared"} {
			if n := eval[int](t, tab, fmt.Sprintf(`document.querySelectorAll('#chart-methods .bar[data-method=%q]').length`, m)); n < 1 {
				miss = append(miss, "no "+m+" bar on the method chart")
			}
		}
		if eval[bool](t, tab, `!!document.querySelector("#chart-speed")`) {
			miss = append(miss, "the multiply lesson still draws a speed-up chart")
		}
		return miss
	},
	// Beside the watchdog's report of a native run: Go's runtime's own
	// verdict (or, from a conlab built with cgo, why it cannot give one).
	"deadlock": func(t *testing.T, tab context.Context) []string {
		showRun(t, tab, "native goroutines")
		return pageSays(t, tab, "Stuck when the deadlock was declared", "Go's runtime's own verdict",
			"fatal error: all goroutines are asleep - deadlock!|built with cgo")
	},
	// With more lanes than permits the semaphore binds.
	"semaphore": func(t *testing.T, tab context.Context) []string {
		return pageSays(t, tab, "the semaphore let 3 tasks work at a time")
	},
}

// lessonRuns are the other views a lesson's evidence needs, each Run all
// after the default view's, by the query added to the lesson's URL; the
// default view is shown again afterwards (the results persist).
var lessonRuns = map[string][]string{
	"multiply":   {"method=chunks&rounds=1", "method=shared&rounds=1"},
	"responsive": {"modes=main&workers=1&rounds=1"},
}

// regexpGoDuration matches a duration as Go prints it: digits with a
// fraction glued to their unit ("61.801ms", "1.5s").
var regexpGoDuration = regexp.MustCompile(`\d\.\d+(ms|µs|s)\b`)

// showRun shows on the timeline the newest run of the results table whose
// mode cell starts with mode and that has more than one worker.
func showRun(t *testing.T, tab context.Context, mode string) {
	t.Helper()
	id := eval[string](t, tab, fmt.Sprintf(`([...document.querySelectorAll(".results-table tbody tr")].find(r => r.querySelector("th").textContent.startsWith(%q) && parseInt(r.querySelectorAll("td")[2].textContent) > 1)||{dataset:{}}).dataset.id||""`, mode))
	if id == "" {
		t.Fatalf("no %s run with more than one worker in the results", mode)
	}
	click(t, tab, `tr[data-id="`+id+`"] button`)
	waitFor(t, tab, fmt.Sprintf(`document.querySelector(".tl-title").textContent.startsWith(%q)`, mode), 10*time.Second)
}

// pageSays returns what is missing from the page's text: each argument is
// a set of alternatives separated by |, one of which must appear.
func pageSays(t *testing.T, tab context.Context, want ...string) []string {
	t.Helper()
	text := eval[string](t, tab, `document.body.innerText`)
	var miss []string
	for _, w := range want {
		found := false
		for _, alt := range strings.Split(w, "|") {
			found = found || strings.Contains(text, alt)
		}
		if !found {
			miss = append(miss, "the page does not say "+strconv.Quote(w))
		}
	}
	return miss
}

// Every lesson's default view, after Run all, tells its story on one
// screen: the lesson's own evidence is on the page. A screenshot per
// lesson goes to $CONLAB_E2E_SHOTS as lessons-<id>.png (with the default
// view's and each variant's own where lessonRuns has variants).
// CONLAB_LESSONS=all
// tours every lesson, CONLAB_LESSONS=id,id some:
//
//	CONLAB_LESSONS=all go test -tags e2e -run E2ELessons -timeout 2h ./app/ui/
func TestE2ELessons(t *testing.T) {
	// A tour of every lesson takes many minutes (Run all runs rounds of
	// every mode): it runs when asked for, not in every make test.
	ids := workloads.Order
	switch s := os.Getenv("CONLAB_LESSONS"); s {
	case "":
		t.Skip("set CONLAB_LESSONS=all (or id,id) to tour the lessons")
	case "all":
	default:
		ids = strings.Split(s, ",")
	}
	site := buildSite(t)
	base := serve(t, site)
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			tab := browser(t, 15*time.Minute)
			runAll(t, tab, base+"/?workload="+id)
			if len(lessonRuns[id]) > 0 {
				// The default view with its own timeline, before the
				// variants' runs join its charts.
				screenshot(t, tab, "lessons-"+id+"-default")
			}
			for i, q := range lessonRuns[id] {
				runAll(t, tab, base+"/?workload="+id+"&"+q)
				screenshot(t, tab, fmt.Sprintf("lessons-%s-variant%d", id, i+1))
			}
			if len(lessonRuns[id]) > 0 {
				open(t, tab, base+"/?workload="+id)
				waitFor(t, tab, `!document.getElementById("run-all").disabled`, 2*time.Minute)
			}
			if check, ok := lessonEvidence[id]; ok {
				for _, miss := range check(t, tab) {
					t.Error(miss)
				}
			}
			// After the check, which may show another run on the timeline.
			screenshot(t, tab, "lessons-"+id)
		})
	}
}

// runAll opens url, presses Run all and waits until its runs end.
func runAll(t *testing.T, tab context.Context, url string) {
	t.Helper()
	open(t, tab, url)
	waitFor(t, tab, `!document.getElementById("run-all").disabled`, 2*time.Minute)
	click(t, tab, "#run-all")
	waitLong(t, tab, statusSets+` >= 1 && `+statusState+` != "running"`, 12*time.Minute)
	t.Logf("%s: %s", strings.TrimPrefix(url[strings.Index(url, "?"):], "?"), eval[string](t, tab, `document.getElementById("status").textContent`))
}

// The results table keeps the columns that carry the lesson in view: at
// 1400 px wide the Environment column and the timeline button, at 390 px
// the wall time.
func TestE2EResultsLayout(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 6*time.Minute)
	open(t, tab, base+"/?workload=subprocess&lines=2&every=1&modes=sequential,native&workers=2")
	waitFor(t, tab, `!document.getElementById("run-all").disabled`, 2*time.Minute)
	click(t, tab, "#run-all")
	waitLong(t, tab, statusSets+` >= 1 && `+statusState+` != "running"`, 5*time.Minute)
	inView := func(header string) string {
		return fmt.Sprintf(`(() => {
			const wrap = document.querySelector(".results-table").closest(".table-wrap");
			wrap.scrollLeft = 0;
			const th = [...document.querySelectorAll(".results-table thead th")].find(e => e.textContent.trim() == %q);
			if (!th) return "no column";
			const r = th.getBoundingClientRect(), w = wrap.getBoundingClientRect();
			if (getComputedStyle(th).display == "none") return "hidden";
			return r.right <= Math.min(w.right, window.innerWidth) + 1 ? "" : "cut at " + Math.round(r.right) + " of " + Math.round(Math.min(w.right, window.innerWidth));
		})()`, header)
	}
	for _, c := range []struct {
		width  int64
		column string
	}{{1400, "Environment"}, {1400, "Wall ms"}, {390, "Wall ms"}, {390, "Check"}} {
		if err := chromedp.Do(tab, chromedp.EmulateViewport(c.width, 900)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if why := eval[string](t, tab, inView(c.column)); why != "" {
			t.Errorf("at %d px the %s column is not in view: %s", c.width, c.column, why)
		}
		if c.width == 1400 {
			why := eval[string](t, tab, `(() => {
				const b = document.querySelector(".results-table tbody tr button");
				if (!b) return "no timeline button";
				const w = b.closest(".table-wrap").getBoundingClientRect(), r = b.getBoundingClientRect();
				return r.right <= w.right + 1 ? "" : "cut at " + Math.round(r.right) + " of " + Math.round(w.right);
			})()`)
			if why != "" {
				t.Errorf("at 1400 px the timeline button is not in view: %s", why)
			}
		}
		screenshot(t, tab, fmt.Sprintf("lessons-results-%d", c.width))
	}
}
