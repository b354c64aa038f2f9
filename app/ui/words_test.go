package ui

import "testing"

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
