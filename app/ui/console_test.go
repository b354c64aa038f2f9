package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"conlab/workloads"
)

// Each child's console has its lines with their times and its exit: a
// child that fails is ✗ with its exit code and stderr, never ✓.
func TestChildConsoles(t *testing.T) {
	res, err := workloads.Run(context.Background(), workloads.Request{Workload: "subprocess", Mode: workloads.Goroutines, Workers: 2,
		Params: map[string]any{"children": 2, "lines": 3, "every": 1, "fail": 1, "exit": 3}}, workloads.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs := childConsoles(res.Spans)
	if len(cs) != 2 {
		t.Fatalf("%d consoles, want 2", len(cs))
	}
	for i, c := range cs {
		if len(c.Lines) != 3 || c.Lines[0].Text != fmt.Sprintf("line 1/3 from child %d", i) || !c.Exited {
			t.Errorf("console %d: %+v", i, c)
		}
		if c.Lines[2].At < c.Lines[0].At || c.ExitAt < c.Lines[2].At {
			t.Errorf("console %d: times out of order: %+v", i, c)
		}
	}
	if cs[0].Exit.Code != 0 || cs[1].Exit.Code != 3 || cs[1].Exit.Stderr == "" {
		t.Errorf("exits %+v %+v", cs[0].Exit, cs[1].Exit)
	}
	doc := render(consoles(cs, false))
	mustContain(t, doc, "child 0: 3 lines on stdout", "line 2/3 from child 1", "✓ exit code 0", "✗ exit code 3", "console-failed")
	if strings.Count(doc, "✓") != 1 {
		t.Errorf("the failing child must not be ✓:\n%s", doc)
	}
	if !strings.Contains(doc, strings.Fields(cs[1].Exit.Stderr)[0]) {
		t.Errorf("the failing child's stderr %q is not shown:\n%s", cs[1].Exit.Stderr, doc)
	}
	if childConsoles(sleepSpans()) != nil {
		t.Error("consoles for a lesson without children")
	}
}

func TestExitLabel(t *testing.T) {
	for _, e := range []workloads.Exit{{Code: 0}, {Code: 3, Stderr: "child 1: failing; as asked"}, {Code: -1, Stderr: "a; stderr: b"}} {
		got, ok := workloads.ParseExitLabel(workloads.ExitLabel(e))
		if !ok || got != e {
			t.Errorf("%+v came back as %+v %v", e, got, ok)
		}
	}
	if _, ok := workloads.ParseExitLabel("exit code x"); ok {
		t.Error("a malformed label parsed")
	}
}
