package ui

import (
	"fmt"
	"strings"

	"conlab/workloads"
)

// count writes n, grouped in threes, and the noun, singular for one and
// plural otherwise: "1 worker", "2 workers", "0 tasks", "20,000 steps".
// The plural adds an s, which is right for every noun the lab counts
// (worker, lane, task, run, span, core, step).
func count(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return workloads.GroupDigits(int64(n)) + " " + noun + "s"
}

// fieldLabel is a parameter's label with its unit in brackets, unless the
// label already says it ("Squares", not "Squares (squares)").
func fieldLabel(label, unit string) string {
	if unit == "" || strings.Contains(strings.ToLower(label), strings.ToLower(unit)) {
		return label
	}
	return label + " (" + unit + ")"
}

// countActive says how many tasks were active at once: "1 task was",
// "3 tasks were".
func countActive(n int) string {
	if n == 1 {
		return "1 task was"
	}
	return count(n, "task") + " were"
}

// computes reports whether a lesson's tasks compute rather than wait, so
// that its speed-up is bounded by the cores: the computing kinds, and the
// counter, whose race is between lanes that compute.
func computes(w *workloads.Workload) bool {
	return cpuBound(w.Kind) || w.ID == "counter"
}

// noSharedMemoryNote is shown where a shared-memory method or variant is
// chosen on a page that is not cross-origin isolated.
const noSharedMemoryNote = "This page is not cross-origin isolated, so the browser gives it no shared memory: " +
	"in the workers mode the shared choice ends each run with an error that says so (sequential and cooperative runs share " +
	"one Web Worker's own memory, and native runs the server's, so they still work). " +
	"Serve the lab with the COOP/COEP headers (conlab serve -isolate) to try it here."

// endedWithError says how many runs ended with an error, naming the error
// a lesson expects: a deadlock only in the deadlock lesson.
func endedWithError(lesson string, n int) string {
	s := count(n, "run") + " ended with an error"
	if lesson == "deadlock" {
		s += ", such as the deadlock the lesson is about"
	}
	return s
}
