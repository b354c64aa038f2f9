//go:build !wasm && e2e

package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
	"conlab/wasm/jsprobe"
)

// hostPage is a course page of another origin that embeds the lab and,
// the moment the lab says lab:ready, posts every run of countdown's
// first round at once (sequential first, the coldest place): what a
// teacher's page may do. window.hostRuns collects the lab:results.
const hostPage = `<!doctype html><meta charset="utf-8"><title>host</title><body><script>
window.hostRuns = [];
window.embedLab = (src) => {
	const f = document.createElement("iframe");
	f.style.width = "1000px"; f.style.height = "700px"; f.src = src;
	addEventListener("message", (e) => {
		const m = e.data;
		if (e.source !== f.contentWindow || !m) return;
		if (m.type === "lab:ready") {
			[["sequential", 1], ["cooperative", 1], ["cooperative", 2], ["workers", 1], ["workers", 2]].forEach(([mode, workers], id) =>
				f.contentWindow.postMessage({type: "lab:run", id, workload: "countdown", mode, workers}, "*"));
		} else if (m.type === "lab:result") {
			window.hostRuns.push(m);
		}
	});
	document.body.appendChild(f);
	return true;
};
</script>`

// hostResult is the part of a lab:result the test reads.
type hostResult struct {
	ID     int          `json:"id"`
	OK     bool         `json:"ok"`
	Error  string       `json:"error"`
	Result storedResult `json:"result"`
}

// The first round's shape holds for a host page too: its lab:run
// messages, sent as soon as the lab is ready, wait for the lab to settle
// as Run all does, and are judged like TestE2EFirstRoundShape's.
func TestE2EFirstRoundHost(t *testing.T) { engines(t, e2eFirstRoundHost) }

func e2eFirstRoundHost(t *testing.T, e webdriver.Engine) {
	base := serve(t, buildSite(t))
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, hostPage)
	}))
	t.Cleanup(host.Close)
	twoPageLoads(t, func(t *testing.T) []string {
		tab := browserIn(t, e, 5*time.Minute)
		if err := tab.p.Navigate(tab.ctx, host.URL); err != nil {
			t.Fatalf("opening the host page: %v", err)
		}
		before := evalIn[float64](tab, jsprobe.Parallelism)
		evalIn[bool](tab, fmt.Sprintf(`window.embedLab(%q)`, base+"/?workload=countdown&embed=1"))
		tab.waitFor(`window.hostRuns.length == 5`, 4*time.Minute)
		after := evalIn[float64](tab, jsprobe.Parallelism)
		runs := evalIn[[]hostResult](tab, `window.hostRuns`)
		names := []string{"sequential", "cooperative×1", "cooperative×2", "workers×1", "workers×2"}
		wall := map[string]float64{}
		for i, r := range runs {
			if r.ID != i || !r.OK || !r.Result.Check.OK || r.Result.WallUS <= 0 {
				t.Fatalf("lab:result %d of 5: %+v, want run %d answered, checked out", i+1, r, i)
			}
			wall[names[i]] = float64(r.Result.WallUS)
		}
		return judgeFirstRound(t, e, "countdown", wall, before, after)
	})
}
