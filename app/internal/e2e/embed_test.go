//go:build !wasm

package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
	"conlab/workloads"
)

// scenarioTimeout bounds one browser's whole scenario.
const scenarioTimeout = 4 * time.Minute

// TestChromium runs the scenario in headless Chromium.
func TestChromium(t *testing.T) { scenarioIn(t, webdriver.Chromium, "") }

// TestFirefox runs the scenario in headless Firefox ESR. Its lab server
// sends .wasm files as application/octet-stream, as servers that do not
// know the type do: the lab must load anyway.
func TestFirefox(t *testing.T) { scenarioIn(t, webdriver.Firefox, "application/octet-stream") }

// TestWebKit runs the scenario in WebKitGTK's MiniBrowser.
func TestWebKit(t *testing.T) { scenarioIn(t, webdriver.WebKit, "") }

// scenarioIn runs the scenario in a fresh browser of engine e; the host
// page reports to the test's collector.
func scenarioIn(t *testing.T, e webdriver.Engine, wasmType string) {
	webdriver.Require(t, e)
	scenarioRun(t, wasmType, func(ctx context.Context, url string) browserRun {
		b := webdriver.Start(t, e, webdriver.Options{})
		p := b.Page()
		if err := p.Navigate(ctx, url); err != nil {
			t.Fatalf("%s: opening the host page: %v", b.Name(), err)
		}
		return browserRun{
			logs: func() string { return strings.Join(p.ConsoleErrors(), "\n") },
			shot: func(name string) { webdriver.SaveScreenshot(t, ctx, p, string(e)+"-"+name) },
		}
	})
}

// countdownCount makes each countdown lane take some tenths of a second,
// long enough for lanes that run at once to overlap visibly.
const countdownCount = 160_000_000

// scenario is what the host page runs in the lab, by name.
var scenario = map[string]map[string]map[string]any{
	"frame": {
		"coop":     {"workload": "countdown", "mode": "cooperative", "workers": 2, "params": map[string]any{"count": countdownCount}},
		"workers":  {"workload": "countdown", "mode": "workers", "workers": 2, "params": map[string]any{"count": countdownCount}},
		"sleep":    {"workload": "sleep", "mode": "cooperative", "workers": 4, "params": map[string]any{"tasks": 4, "unit": 60}},
		"download": {"workload": "download", "mode": "cooperative", "workers": 4, "params": map[string]any{"pages": 12, "source": "static"}},
	},
	"popup": {
		"sleep": {"workload": "sleep", "mode": "cooperative", "workers": 3, "params": map[string]any{"tasks": 3, "unit": 60}},
		"seq":   {"workload": "countdown", "mode": "sequential", "params": map[string]any{"count": 1_000_000}},
	},
}

// phaseReport is what the host page reports of one phase.
type phaseReport struct {
	Frame windowReport `json:"frame"`
	Popup windowReport `json:"popup"`
}

type windowReport struct {
	Ready struct {
		Type    string `json:"type"`
		Version string `json:"version"`
		Error   string `json:"error"`
	} `json:"ready"`
	Runs      map[string]labResult `json:"runs"`
	Order     []string             `json:"order"`
	Malformed []struct {
		ID   string    `json:"id"`
		Want string    `json:"want"`
		Got  labResult `json:"got"`
	} `json:"malformed"`
	Seen struct {
		Origins  []string `json:"origins"`
		Types    []string `json:"types"`
		Resizes  []int    `json:"resizes"`
		Answered []any    `json:"answered"`
	} `json:"seen"`
}

type labResult struct {
	Type   string            `json:"type"`
	ID     any               `json:"id"`
	OK     bool              `json:"ok"`
	Error  string            `json:"error"`
	Result *workloads.Result `json:"result"`
}

// browserRun is a browser showing the host page.
type browserRun struct {
	logs func() string     // the browser's own log, for a failure message
	shot func(name string) // a screenshot of the host page, if the browser can
}

// scenarioRun drives one browser through both phases; launch opens the
// host page in it.
func scenarioRun(t *testing.T, wasmType string, launch func(ctx context.Context, url string) browserRun) {
	dir := builtSite(t)
	lab := startLabTyped(t, dir, wasmType)
	col := startCollector(t)
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()

	start := time.Now()
	b := launch(ctx, col.hostURL(lab.URL))
	defer func() {
		if t.Failed() {
			t.Logf("host's log:\n%s\nbrowser's log:\n%s", col.transcript(), b.logs())
		}
	}()

	online := decodePhase(t, col.wait(ctx, "online"))
	t.Logf("online phase done in %v (%d requests to the lab's server)", time.Since(start).Round(time.Millisecond), lab.requests())
	checkReady(t, "online frame", online.Frame)
	checkReady(t, "online popup", online.Popup)
	if online.Frame.Ready.Version != online.Popup.Ready.Version {
		t.Errorf("the frame and the window run different versions: %q, %q", online.Frame.Ready.Version, online.Popup.Ready.Version)
	}
	checkRuns(t, "online frame", online.Frame.Runs)
	checkRuns(t, "online popup", online.Popup.Runs)
	checkMalformed(t, online.Frame)
	if !slices.Equal(online.Frame.Order, []string{"b1", "b2", "b3"}) {
		t.Errorf("three runs posted at once were answered in the order %v", online.Frame.Order)
	}
	checkEmbedding(t, online.Frame, lab.URL)

	// The network goes away: the lab's server stops, connections and all.
	lab.stop()
	close(col.goOn)
	offline := decodePhase(t, col.wait(ctx, "offline"))
	t.Logf("offline phase done, %v in all", time.Since(start).Round(time.Millisecond))
	if offline.Frame.Ready.Version != online.Frame.Ready.Version {
		t.Errorf("offline the lab is version %q, online it was %q", offline.Frame.Ready.Version, online.Frame.Ready.Version)
	}
	for _, w := range []struct {
		where string
		w     windowReport
	}{{"offline frame", offline.Frame}, {"offline popup", offline.Popup}} {
		checkReady(t, w.where, w.w)
		checkRuns(t, w.where, w.w.Runs)
	}
	if len(offline.Frame.Seen.Resizes) == 0 {
		t.Errorf("offline frame: no lab:resize")
	}
	if b.shot != nil {
		b.shot("embedded-offline")
	}
}

func decodePhase(t *testing.T, rep report) phaseReport {
	t.Helper()
	var p phaseReport
	if err := json.Unmarshal(rep.Raw, &p); err != nil {
		t.Fatalf("the %s report: %v", rep.Phase, err)
	}
	return p
}

func checkReady(t *testing.T, where string, w windowReport) {
	t.Helper()
	if w.Ready.Type != "lab:ready" || w.Ready.Version == "" || w.Ready.Error != "" {
		t.Errorf("%s: lab:ready = %+v, want a version and no error", where, w.Ready)
	}
}

// checkRuns checks every result, and the lessons' shapes.
func checkRuns(t *testing.T, where string, runs map[string]labResult) {
	t.Helper()
	for name, r := range runs {
		if !r.OK || r.Result == nil || !r.Result.Check.OK {
			t.Errorf("%s: %s: %+v", where, name, r)
			continue
		}
		if e := r.Result.Facts.Engine; e != "wasm-worker" {
			t.Errorf("%s: %s ran on engine %q, want wasm-worker", where, name, e)
		}
	}
	if t.Failed() {
		return
	}
	if coop, ok := runs["coop"]; ok {
		// Cooperative: one thread, no preemption: one lane runs, then the
		// other. Workers: two threads: both run at once.
		c, w := coop.Result, runs["workers"].Result
		if o := maxOverlap(c); o > 0.05 {
			t.Errorf("%s: cooperative countdown lanes overlap by %.0f%%: goroutines in one worker ran in parallel?\n%s", where, 100*o, spansText(c))
		}
		if o := maxOverlap(w); o < 0.5 {
			// Two workers run at once only on two free cores.
			if p := webdriver.Parallelism(); p < webdriver.FreeCores {
				t.Logf("%s: workers countdown lanes overlap by only %.0f%%: could not judge, the machine is busy (control parallelism %.2f)", where, 100*o, p)
			} else {
				t.Errorf("%s: workers countdown lanes overlap by only %.0f%%: the workers did not run in parallel (control parallelism %.2f)\n%s", where, 100*o, p, spansText(w))
			}
		}
		t.Logf("%s: countdown of %d: cooperative %v, workers %v (ratio %.2f; start-up %v)", where, countdownCount,
			us(runWall(c)), us(runWall(w)), float64(runWall(c))/float64(runWall(w)), us(w.StartupUS))
	}
	if s, ok := runs["sleep"]; ok {
		// Overlapping sleeps: about the longest, far from the sum.
		units := sleepUnits(s.Result)
		var sum, longest int64
		for _, u := range units {
			sum += u
			longest = max(longest, u)
		}
		unit := int64(asInt(s.Result.Params["unit"])) * 1000
		wall := runWall(s.Result)
		// On the timeline, every sleep waits at once.
		overlap := waitingAtOnce(s.Result) == len(units)
		if !overlap {
			t.Errorf("%s: at most %d of the %d sleeps wait at once on the timeline: the sleeps did not overlap\n%s", where, waitingAtOnce(s.Result), len(units), spansText(s.Result))
		}
		switch {
		case wall < longest*unit*95/100:
			t.Errorf("%s: cooperative sleep took %v, less than its longest sleep, %v", where, us(wall), us(longest*unit))
		case wall > (longest*unit+sum*unit)/2:
			// Late timers on a busy machine look like sleeps in turn. The
			// timeline above shows whether the sleeps overlapped; a
			// control measured after the run cannot tell whether the
			// machine was busy during it.
			if p := webdriver.Parallelism(); p < webdriver.FreeCores || overlap {
				t.Logf("%s: cooperative sleep took %v; the longest sleep is %v, the sum %v: late timers? (every sleep waiting at once on the timeline: %v; control parallelism %.2f after the run)", where, us(wall), us(longest*unit), us(sum*unit), overlap, p)
			} else {
				t.Errorf("%s: cooperative sleep took %v; the longest sleep is %v, the sum %v: the sleeps did not overlap (control parallelism %.2f)", where, us(wall), us(longest*unit), us(sum*unit), p)
			}
		}
	}
	if d, ok := runs["download"]; ok && d.Result.Params["source"] != "static" {
		t.Errorf("%s: download ran from %v", where, d.Result.Params["source"])
	}
}

func checkMalformed(t *testing.T, w windowReport) {
	t.Helper()
	if len(w.Malformed) == 0 {
		t.Errorf("no answers to the malformed messages")
	}
	for _, m := range w.Malformed {
		if m.Got.Type != "lab:result" || m.Got.OK || !strings.Contains(m.Got.Error, m.Want) {
			t.Errorf("malformed %s: answer %+v, want an error mentioning %q", m.ID, m.Got, m.Want)
		}
	}
	// Only messages with an id were answered: the others were ignored,
	// and the lab went on running the next ones.
	for _, id := range w.Seen.Answered {
		s, _ := id.(string)
		if !strings.HasPrefix(s, "r") && !strings.HasPrefix(s, "b") && s != "no-type" {
			t.Errorf("the lab answered a message it should have ignored: id %v", id)
		}
	}
}

func checkEmbedding(t *testing.T, w windowReport, labURL string) {
	t.Helper()
	origin := strings.TrimSuffix(labURL, labPath)
	if !slices.Equal(w.Seen.Origins, []string{origin}) {
		t.Errorf("messages came from %v, want only the lab's origin %s", w.Seen.Origins, origin)
	}
	if len(w.Seen.Types) == 0 || w.Seen.Types[0] == "lab:result" {
		t.Errorf("message order: %v", w.Seen.Types)
	}
	if len(w.Seen.Resizes) == 0 {
		t.Fatalf("no lab:resize message (saw %v)", w.Seen.Types)
	}
	for _, h := range w.Seen.Resizes {
		if h <= 0 || h > 100000 {
			t.Errorf("lab:resize height %d", h)
		}
	}
	if !slices.Contains(w.Seen.Types, "lab:offline") {
		t.Errorf("no lab:offline message: the service worker never served the lab")
	}
}
