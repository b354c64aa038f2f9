//go:build js && wasm

package ui

import (
	"context"
	"testing"

	"conlab/wasm"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// In a page, the results table's buttons act on the lab, and the table
// follows the lab's results: a new run is a new row, a cleared table is
// empty. (The table renders only when its fields change: these would
// fail if it kept its first rows.)
func TestResultsTableInPage(t *testing.T) {
	l := labWithResults(t, "/?workload=sumsquares&base=20000&numbers=8&modes=sequential,cooperative&workers=1,2&rounds=1")
	e, h := mountLesson(t, l)
	rows := func() int {
		return jsEval(t, `return document.querySelectorAll(".results-table tbody tr").length`).Int()
	}
	if n := rows(); n != len(l.recs) || n != 3 {
		t.Fatalf("%d rows for %d results, want 3", n, len(l.recs))
	}

	// The timeline button of the oldest run shows it.
	oldest := l.recs[0].ID
	jsEval(t, `document.querySelector(".results-table tbody tr:last-child button").click()`)
	e.ConsumeAll()
	if l.shown != oldest {
		t.Errorf("shown %q after its button, want %q", l.shown, oldest)
	}
	if got := jsEval(t, `return document.querySelector(".results-table tr.shown")?.dataset.id ?? ""`).String(); got != oldest {
		t.Errorf("the row marked shown is %q, want %q", got, oldest)
	}

	// A new run: the lab records it, the table grows a row.
	params, _ := l.currentParams()
	s := planOne(modeCooperative, 4)
	res, err := execSpec(context.Background(), s, l.w.ID, runParams(l.w, s.Mode, params), &fakeBrowser{}, "", nil, func(wasm.Progress) {})
	h.ctx.Dispatch(func(ctx app.Context) { l.record(ctx, s, "set-2", res, err, "Chromium") })
	e.ConsumeAll()
	if n := rows(); n != 4 {
		t.Errorf("%d rows after a fourth run, want 4", n)
	}

	// Clear empties the lab and the table.
	jsEval(t, `[...document.querySelectorAll(".results .actions button")].find(b => b.textContent == "Clear").click()`)
	e.ConsumeAll()
	if len(l.recs) != 0 || rows() != 0 {
		t.Errorf("after Clear: %d results, %d rows", len(l.recs), rows())
	}
}
