package ui

import (
	"testing"

	"conlab/workloads"
)

// Beside the watchdog's report, the deadlock lesson shows Go's runtime's
// own verdict where a native run asked it, why it could not say where it
// could not, and, in the browser, why the runtime cannot tell there.
func TestRuntimeVerdictView(t *testing.T) {
	stuck := []workloads.StuckTask{{Task: 0, Lane: 0, Label: "wait for B (held by task 1)"}, {Task: 1, Lane: 1, Label: "wait for A (held by task 0)"}}
	rec := func(mode Mode, workload string) record {
		return record{ID: "r", Mode: mode, Result: workloads.Result{Workload: workload, Error: "deadlock: …", Stuck: stuck}}
	}
	fatal := "fatal error: all goroutines are asleep - deadlock!"
	verdict := workloads.RuntimePrefix + workloads.ExitLabel(workloads.Exit{Code: 2, Stderr: fatal + "\n"})
	spans := []workloads.Span{{Task: 0, Label: "wait for B (held by task 1)", State: workloads.Blocked}, {Task: 0, Label: verdict, State: workloads.Waiting}}
	if _, _, ok := workloads.RuntimeVerdict(verdict); !ok {
		t.Fatal("the label does not read back")
	}
	doc := render(runtimeVerdictView(rec(modeNative, "deadlock"), spans))
	mustContain(t, doc, "Go&#39;s runtime&#39;s own verdict", "exit code 2", fatal, "no watchdog")

	cannot := workloads.RuntimePrefix + "could not: this program was built with cgo, whose threads the runtime cannot account for"
	doc = render(runtimeVerdictView(rec(modeNative, "deadlock"), []workloads.Span{{Label: cannot}}))
	mustContain(t, doc, "could not be asked in this run: this program was built with cgo", "The lab&#39;s watchdog reported the deadlock instead")
	mustNotContain(t, doc, fatal)

	doc = render(runtimeVerdictView(rec(modeCooperative, "deadlock"), spans[:1]))
	mustContain(t, doc, "in the browser the runtime cannot tell", fatal)

	if v := runtimeVerdictView(rec(modeNative, "counter"), spans); v != nil {
		t.Error("a verdict outside the deadlock lesson")
	}
	ok := rec(modeNative, "deadlock")
	ok.Result.Stuck, ok.Result.Error = nil, ""
	if v := runtimeVerdictView(ok, spans[:1]); v != nil {
		t.Error("a verdict for a run without a deadlock")
	}
}
