package ui

import (
	"testing"

	"conlab/workloads"
)

func TestShowcaseRun(t *testing.T) {
	run := func(id, set string, m Mode, workers int) record {
		return record{ID: id, Set: set, Mode: m, Result: workloads.Result{Workers: workers}}
	}
	runs := []record{
		run("old", "s0", modeWorkers, 8), // an earlier Run all
		run("seq", "s1", modeSequential, 1),
		run("w4a", "s1", modeWorkers, 4),
		run("c4", "s1", modeCooperative, 4),
		run("w4b", "s1", modeWorkers, 4), // a later round of the same configuration
		run("w2", "s1", modeWorkers, 2),
		run("n1", "s1", modeNative, 1),
		run("n4", "s1", modeNative, 4),
		run("n2", "s1", modeNative, 2), // the rounds rotate: the last run is not the most telling
	}
	stepped := run("c8", "s1", modeCooperative, 8)
	stepped.Result.Schedule = "0,1"
	for _, c := range []struct {
		lesson, set string
		runs        []record
		want        string
	}{
		{"countdown", "s1", runs, "w4b"},
		{"blocking", "s1", runs, "c4"},
		{"download", "s1", runs, "c4"},
		{"counter", "s1", runs, "n4"},
		{"deadlock", "s1", runs, "n4"},
		{"dbupdate", "s1", append(runs, stepped), "c4"},
		{"countdown", "s1", runs[6:], "n4"},
		{"countdown", "s1", runs[1:2], "seq"},
		{"countdown", "none", runs, ""},
	} {
		if got := showcaseRun(c.lesson, c.set, c.runs); got != c.want {
			t.Errorf("%s, set %s: showcase %q, want %q", c.lesson, c.set, got, c.want)
		}
	}
}
