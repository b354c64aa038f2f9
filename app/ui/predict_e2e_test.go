//go:build !wasm && e2e

package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A student writes a prediction and runs: the results table shows it
// under the check. In an embedded lab the host page receives
// lab:prediction as the run starts.
func TestE2EPrediction(t *testing.T) {
	site := buildSite(t)
	base := serve(t, site)
	tab := browser(t, 6*time.Minute)
	open(t, tab, base+"/?workload=counter&tasks=4&increments=1000&modes=cooperative&workers=2&rounds=1")
	waitFor(t, tab, `!document.getElementById("run-all").disabled`, 2*time.Minute)
	if err := chromedp.Do(tab, chromedp.SendKeys("#prediction", "the counter ends at 4000")); err != nil {
		t.Fatal(err)
	}
	click(t, tab, "#run-all")
	waitFor(t, tab, statusSets+` >= 1 && `+statusState+` != "running"`, 3*time.Minute)
	cell := eval[string](t, tab, `document.querySelector(".results-table tbody .check-cell").innerText`)
	if !strings.Contains(cell, "you predicted: the counter ends at 4000") || !strings.Contains(cell, "4000") {
		t.Errorf("check cell: %q", cell)
	}
	screenshot(t, tab, "prediction")

	// Embedded: the host hears the prediction.
	hostLab(t, tab, base+"/?workload=counter&tasks=4&increments=1000&modes=cooperative&workers=2&rounds=1&embed=1", 1000, 900)
	eval[bool](t, tab, `(() => {
		const d = document.getElementById("lab").contentDocument;
		const p = d.getElementById("prediction");
		p.value = "no update is lost";
		p.dispatchEvent(new Event("input", {bubbles: true}));
		d.getElementById("run-all").click();
		return true;
	})()`)
	waitFor(t, tab, `window.labMsgs.some(m => m && m.type == "lab:prediction")`, time.Minute)
	got := eval[string](t, tab, `(() => { const m = window.labMsgs.find(m => m && m.type == "lab:prediction"); return [m.workload, m.prediction, !!m.set].join(" | "); })()`)
	if got != "counter | no update is lost | true" {
		t.Errorf("lab:prediction: %s", got)
	}
}

// hostLab turns tab's page into a host page of the same server with the
// lab at src in an iframe (id "lab", width × height px), which collects
// every message the lab posts in window.labMsgs, and waits for lab:ready.
func hostLab(t *testing.T, tab context.Context, src string, width, height int) {
	t.Helper()
	eval[bool](t, tab, fmt.Sprintf(`(() => {
		document.body.innerHTML = "";
		window.labMsgs = [];
		window.addEventListener("message", e => window.labMsgs.push(e.data));
		const f = document.createElement("iframe");
		f.id = "lab"; f.style.width = "%dpx"; f.style.height = "%dpx";
		f.src = %q;
		document.body.appendChild(f);
		return true;
	})()`, width, height, src))
	waitFor(t, tab, `window.labMsgs.some(m => m && m.type == "lab:ready")`, 2*time.Minute)
}
