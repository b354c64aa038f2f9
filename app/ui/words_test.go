package ui

import (
	"testing"

	"conlab/workloads"
)

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "worker", "1 worker"}, {2, "worker", "2 workers"}, {0, "task", "0 tasks"}, {1, "lane", "1 lane"},
	} {
		if got := count(c.n, c.noun); got != c.want {
			t.Errorf("count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestFieldLabel(t *testing.T) {
	for _, c := range [][3]string{
		{"Squares", "squares", "Squares"},
		{"Tasks", "tasks", "Tasks"},
		{"Increments per task", "additions", "Increments per task (additions)"},
		{"Sleep unit", "ms", "Sleep unit (ms)"},
		{"Count", "", "Count"},
	} {
		if got := fieldLabel(c[0], c[1]); got != c[2] {
			t.Errorf("fieldLabel(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func TestEndedWithError(t *testing.T) {
	if got := endedWithError("multiply", 3); got != "3 runs ended with an error" {
		t.Errorf("multiply: %q", got)
	}
	if got := endedWithError("deadlock", 1); got != "1 run ended with an error, such as the deadlock the lesson is about" {
		t.Errorf("deadlock: %q", got)
	}
}

// Counts in the page's sentences agree with their nouns: "1 lesson
// matches", "1 step so far", "1 of 1 run".
func TestSingularSentences(t *testing.T) {
	for got, want := range map[string]string{
		matchText(1):   "1 lesson matches",
		matchText(3):   "3 lessons match",
		workersText(1): "1 worker",
		stepOutcomeText(&workloads.Result{Outcome: workloads.OutcomePaused, Steps: make([]workloads.Step, 1)}): "1 step so far. Choose who goes next.",
		slot{Runs: 1, Errored: 1, Median: 1, Min: 1, Max: 1}.slotText():                                        "✗ 1 of 1 run ended with an error",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}
