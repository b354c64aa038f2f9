//go:build !wasm && e2e

package ui

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

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
	// With more lanes than permits the semaphore binds.
	"semaphore": func(t *testing.T, tab context.Context) []string {
		return pageSays(t, tab, "the semaphore let 3 tasks work at a time")
	},
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
// lesson goes to $CONLAB_E2E_SHOTS as lessons-<id>.png. CONLAB_LESSONS=id,id
// picks lessons.
func TestE2ELessons(t *testing.T) {
	ids := workloads.Order
	if s := os.Getenv("CONLAB_LESSONS"); s != "" {
		ids = strings.Split(s, ",")
	}
	site := buildSite(t)
	base := serve(t, site)
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			tab := browser(t, 8*time.Minute)
			open(t, tab, base+"/?workload="+id)
			waitFor(t, tab, `!document.getElementById("run-all").disabled`, 2*time.Minute)
			click(t, tab, "#run-all")
			waitFor(t, tab, statusSets+` >= 1 && `+statusState+` != "running"`, 6*time.Minute)
			t.Logf("%s: %s", id, eval[string](t, tab, `document.getElementById("status").textContent`))
			screenshot(t, tab, "lessons-"+id)
			if check, ok := lessonEvidence[id]; ok {
				for _, miss := range check(t, tab) {
					t.Error(miss)
				}
			}
		})
	}
}
