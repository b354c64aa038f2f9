//go:build !wasm

package server

import (
	"encoding/json"
	"strings"
	"testing"

	"conlab/workloads"
)

// POST /api/run replays a schedule natively: the same steps and outcome as
// anywhere else.
func TestRunSchedule(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "POST", "/api/run", `{"workload":"dbupdate","mode":"goroutines","workers":2,"schedule":"0.1"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var res workloads.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Outcome != workloads.OutcomeLostUpdate || res.Schedule != "0.1.0.0.1.1" || len(res.Steps) != 6 ||
		res.Steps[1].What != "task 1: read x = 0" || res.Check.Value != "1" {
		t.Fatalf("result %+v", res)
	}

	// A deadlock found by the schedule is the lesson's answer: 200.
	resp, body = ts.do(t, "POST", "/api/run", `{"workload":"deadlock","mode":"goroutines","workers":2,"schedule":"1"}`)
	res = workloads.Result{}
	if resp.StatusCode != 200 || json.Unmarshal(body, &res) != nil || res.Outcome != workloads.OutcomeDeadlock || len(res.Stuck) != 2 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}

	for _, tc := range []struct{ body, msg string }{
		{`{"workload":"dbupdate","mode":"goroutines","workers":2,"schedule":"0.x"}`, `item 2 ("x")`},
		{`{"workload":"dbupdate","mode":"goroutines","workers":2,"schedule":"0.5"}`, "names goroutine 5"},
		{`{"workload":"dbupdate","mode":"goroutines","workers":2,"schedule":3}`, "want a string"},
	} {
		resp, body := ts.do(t, "POST", "/api/run", tc.body)
		var e struct{ Error, Field string }
		if resp.StatusCode != 400 || json.Unmarshal(body, &e) != nil || e.Field != "schedule" || !strings.Contains(e.Error, tc.msg) {
			t.Errorf("%s: status %d %s", tc.body, resp.StatusCode, body)
		}
	}
}
