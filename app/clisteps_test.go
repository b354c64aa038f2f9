//go:build !wasm

package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"conlab/workloads"
)

// conlab run -schedule replays a schedule natively and prints its steps.
func TestRunSchedule(t *testing.T) {
	out, errOut, code := runCLI(t, "run", "-workload", "dbupdate", "-workers", "2", "-schedule", "0,1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		`(?m)^outcome\s+lost-update$`, `(?m)^schedule\s+0\.1\.0\.0\.1\.1$`,
		`(?m)^1\s+0\s+task 0: read x = 0\s+x = 0$`, `(?m)^2\s+1\s+task 1: read x = 0\s+x = 0$`,
		`(?m)^6\s+1\s+task 1: write x = 1\s+x = 1$`, `(?m)^check\s+MISMATCH: value 1, expected 2`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no %s in:\n%s", want, out)
		}
	}
	out, _, code = runCLI(t, "run", "-workload", "dbupdate", "-workers", "2", "-schedule", "0.1~stop", "-json")
	var res workloads.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Outcome != workloads.OutcomePaused || len(res.Next) != 2 {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestRunFind(t *testing.T) {
	counter := []string{"run", "-workload", "counter", "-workers", "2", "-param", "tasks=2", "-param", "increments=2", "-param", "yield=true"}
	out, errOut, code := runCLI(t, append(counter, "-param", "sync=mutex", "-find", "lost-update")...)
	if code != 0 || !strings.Contains(out, "no schedule ends in lost-update: all 6 schedules were checked") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	out, _, code = runCLI(t, append(counter, "-find", "lost-update")...)
	if code != 0 || !strings.Contains(out, "found lost-update after checking 2 schedules: -schedule 1\n") {
		t.Fatalf("exit %d: %s", code, out)
	}
	out, _, code = runCLI(t, "run", "-workload", "deadlock", "-workers", "2", "-find", "deadlock", "-json")
	var f workloads.Found
	if code != 0 || json.Unmarshal([]byte(out), &f) != nil || !f.Found || f.Schedule != "1" || f.Result.Outcome != workloads.OutcomeDeadlock {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestRunScheduleErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "-workload", "dbupdate", "-workers", "2", "-schedule", "0.x"}, 2, `conlab: schedule: item 2 ("x") is not a goroutine number`},
		{[]string{"run", "-workload", "dbupdate", "-workers", "2", "-schedule", "0.2"}, 2, "schedule: step 2 names goroutine 2, but this run has 2"},
		{[]string{"run", "-workload", "dbupdate", "-workers", "2", "-schedule", "0.0.0.0.1"}, 2, "schedule: step 4 chooses goroutine 0, which cannot go then (it has finished)"},
		{[]string{"run", "-workload", "dbupdate", "-workers", "2", "-schedule", "0", "-compare"}, 2, "counts steps, not time"},
		{[]string{"run", "-workload", "dbupdate", "-workers", "2", "-find", "crash"}, 2, `outcome: "crash" is not one to look for`},
		{[]string{"run", "-workload", "dbupdate", "-workers", "2", "-find", "deadlock", "-schedule", "0"}, 2, "leave out -schedule"},
		{[]string{"run", "-workload", "dbupdate", "-workers", "2", "-find", "deadlock", "-runs", "0"}, 2, "runs: 0 is out of range"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.msg)
			}
		})
	}
}
