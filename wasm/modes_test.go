package wasm

// These tests build everywhere: the browser's modes are plain Go.

import (
	"errors"
	"strings"
	"testing"

	"conlab/workloads"
)

// A lesson that needs one memory cannot run in the workers mode, and one
// that ends its program cannot run in the page's own; each says why, and
// every other browser mode runs it.
func TestSupportsFollowsNeeds(t *testing.T) {
	w := &workloads.Workload{ID: "w", Needs: workloads.Needs{OneMemory: "locks live in one memory", OwnProgram: "it ends its program"}}
	for m, want := range map[workloads.Mode]string{Sequential: "", Cooperative: "", Workers: "locks live in one memory", Main: "it ends its program"} {
		ok, why := Supports(w, m)
		if ok != (want == "") || why != want {
			t.Errorf("%s: %v %q, want %q", m, ok, why, want)
		}
	}
	got := Unsupported(w)
	if len(got) != 2 || got[Workers] != "locks live in one memory" || got[Main] != "it ends its program" {
		t.Errorf("Unsupported = %v", got)
	}
	if got := Unsupported(&workloads.Workload{ID: "free"}); got != nil {
		t.Errorf("a workload with no needs: %v, want nil", got)
	}
}

func TestEngineMode(t *testing.T) {
	for m, want := range map[workloads.Mode]workloads.Mode{Sequential: workloads.Sequential, Cooperative: workloads.Goroutines,
		Main: workloads.Goroutines, Workers: workloads.Sequential, "warp": "warp"} {
		if got := EngineMode(m); got != want {
			t.Errorf("EngineMode(%s) = %s, want %s", m, got, want)
		}
	}
}

// Prepare plans a browser request in the engine's terms, and refuses what
// the browser cannot run with an error naming the field.
func TestPrepare(t *testing.T) {
	for _, c := range []struct {
		m     workloads.Mode
		want  workloads.Mode
		lanes int
	}{{"", workloads.Sequential, 1}, {Sequential, workloads.Sequential, 1}, {Cooperative, workloads.Goroutines, 3},
		{Main, workloads.Goroutines, 3}, {Workers, workloads.Sequential, 1}} {
		job, err := Prepare(workloads.Request{Workload: "countdown", Mode: c.m, Workers: 3})
		if err != nil {
			t.Fatalf("%q: %v", c.m, err)
		}
		if job.Request.Mode != c.want || job.Request.Workers != 3 {
			t.Errorf("%q: the job's request is %+v, want mode %s", c.m, job.Request, c.want)
		}
	}
	for _, c := range []struct {
		req          workloads.Request
		field, words string
	}{
		{workloads.Request{Workload: "nope", Mode: "warp"}, "workload", `unknown workload "nope"`},
		{workloads.Request{Workload: "countdown", Mode: "warp"}, "mode", `mode "warp" is not a browser mode; use one of sequential, cooperative, workers, main`},
		{workloads.Request{Workload: "countdown", Mode: workloads.Goroutines}, "mode", "goroutines is the native engine's mode"},
		{workloads.Request{Workload: "counter", Mode: Workers, Workers: 2, Schedule: "0"}, "schedule", "the workers mode cannot run step by step"},
		{workloads.Request{Workload: "countdown", Mode: Cooperative, Workers: 65}, "workers", "from 1 to 64"},
	} {
		_, err := Prepare(c.req)
		var pe *workloads.ParamError
		if !errors.As(err, &pe) || pe.Field != c.field || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%+v: %v, want a %s error saying %q", c.req, err, c.field, c.words)
		}
	}
	_, err := Prepare(workloads.Request{Workload: "dbupdate", Mode: Workers, Workers: 2})
	var ue *workloads.UnsupportedError
	if !errors.As(err, &ue) || ue.Mode != Workers || !strings.Contains(err.Error(), "dbupdate cannot run in workers mode: each worker has its own memory") {
		t.Errorf("dbupdate in workers: %v", err)
	}
}
