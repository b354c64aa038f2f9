//go:build !wasm

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"conlab/wasm"
	"conlab/workloads"
)

func TestExecuteSetsAndRestoresGOMAXPROCS(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	res, err := Execute(context.Background(), workloads.Request{Workload: "countdown", Mode: workloads.Goroutines, Workers: 2, GOMAXPROCS: 1, Params: map[string]any{"count": 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Facts.GOMAXPROCS != 1 || !res.Check.OK {
		t.Errorf("facts %+v check %+v", res.Facts, res.Check)
	}
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Errorf("GOMAXPROCS %d after the run, was %d", after, before)
	}
}

func TestExecuteRefusesBrowserModes(t *testing.T) {
	for _, m := range []workloads.Mode{wasm.Cooperative, wasm.Workers, wasm.Main} {
		_, err := Execute(context.Background(), workloads.Request{Workload: "countdown", Mode: m})
		var ue *workloads.UnsupportedError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "browser") {
			t.Errorf("%s: %v", m, err)
		}
	}
}

// The child protocol prints the result even when the run failed.
func TestRunJSON(t *testing.T) {
	var out bytes.Buffer
	err := RunJSON(context.Background(), strings.NewReader(`{"workload":"deadlock","mode":"goroutines","workers":2}`), &out)
	var dl *workloads.DeadlockError
	if !errors.As(err, &dl) {
		t.Fatalf("err = %v, want a deadlock", err)
	}
	var res workloads.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Stuck) == 0 {
		t.Errorf("printed %q (%v)", out.String(), err)
	}
	out.Reset()
	err = RunJSON(context.Background(), strings.NewReader(`{"workload":"countdown","workers":99}`), &out)
	var pe *workloads.ParamError
	if !errors.As(err, &pe) || pe.Field != "workers" || out.Len() != 0 {
		t.Errorf("bad request: %v, printed %q", err, out.String())
	}
}

// The subprocess workload's children are real processes of this program.
func TestExecuteSubprocessUsesProcesses(t *testing.T) {
	w, err := workloads.Lookup("subprocess")
	if err != nil {
		t.Skip("no subprocess workload")
	}
	t.Setenv(helperEnv, "conlab")
	res, err := Execute(context.Background(), workloads.Request{Workload: w.ID, Mode: workloads.Goroutines, Workers: 2, Params: w.Quick})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Check.OK {
		t.Errorf("check %+v", res.Check)
	}
	found := false
	for _, s := range res.Spans {
		found = found || strings.Contains(s.Label, "process ")
	}
	if !found {
		t.Errorf("no span names a child process: %v", res.Spans)
	}
	checkNoChildren(t)
}

func TestRecordBaseline(t *testing.T) {
	var seen []workloads.Result
	b, err := RecordBaseline(context.Background(), BaselineOptions{
		Spawner:   testSpawner("conlab"),
		N:         2,
		Timeout:   20 * time.Second,
		Workloads: []string{"countdown", "deadlock"},
		Quick:     true,
		Progress:  func(r workloads.Result) { seen = append(seen, r) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != BaselineFormat || b.Machine.NumCPU != runtime.NumCPU() || b.Machine.GoVersion != runtime.Version() || b.Date.IsZero() || !b.Quick {
		t.Errorf("header %+v", b)
	}
	// Each workload: sequential at 1, goroutines at 1 and 2, in order.
	want := []string{"countdown sequential 1", "countdown goroutines 1", "countdown goroutines 2", "deadlock sequential 1", "deadlock goroutines 1", "deadlock goroutines 2"}
	if len(b.Results) != len(want) || len(seen) != len(want) {
		t.Fatalf("%d results (%d reported)", len(b.Results), len(seen))
	}
	for i, r := range b.Results {
		if got := fmt.Sprintf("%s %s %d", r.Workload, r.Mode, r.Facts.GOMAXPROCS); got != want[i] {
			t.Errorf("result %d is %s, want %s", i, got, want[i])
		}
		if r.Workers != 2 || !r.Check.OK || r.Error != "" || r.Facts.Engine != "native" {
			t.Errorf("%d: %+v", i, r)
		}
	}
	file := filepath.Join(t.TempDir(), "baseline.json")
	if err := b.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var back Baseline
	if err := json.Unmarshal(data, &back); err != nil || len(back.Results) != 6 || back.Results[5].Workload != "deadlock" || back.Machine != b.Machine {
		t.Errorf("the file does not read back: %v", err)
	}
}

// A run that fails is recorded with its error; the recording goes on.
func TestRecordBaselineRecordsFailures(t *testing.T) {
	b, err := RecordBaseline(context.Background(), BaselineOptions{
		Spawner:   &Spawner{Exe: filepath.Join(t.TempDir(), "no-such-conlab")},
		N:         1,
		Workloads: []string{"countdown", "sleep"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Results) != 4 {
		t.Fatalf("%d results", len(b.Results))
	}
	for _, r := range b.Results {
		if r.Error == "" || r.Workload == "" || r.Facts.GOMAXPROCS != 1 || r.Params == nil || r.Spans == nil {
			t.Errorf("%+v: want the run's coordinates and its error", r)
		}
	}
	for _, bad := range []BaselineOptions{
		{Spawner: testSpawner("conlab"), N: 65},
		{Spawner: testSpawner("conlab"), Workloads: []string{"nope"}},
		{Spawner: testSpawner("conlab"), Timeout: -time.Second},
		{},
	} {
		if _, err := RecordBaseline(context.Background(), bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestBaselineRequests(t *testing.T) {
	all := workloads.All()
	reqs := BaselineRequests(all, 4, false)
	per := map[string]int{}
	for _, r := range reqs {
		if !r.Mode.Valid() {
			t.Errorf("%s in mode %q, not an engine mode", r.Workload, r.Mode)
		}
		if r.Mode == workloads.Sequential && r.GOMAXPROCS != 1 || r.Workers != 4 || r.Params != nil {
			t.Errorf("%+v", r)
		}
		per[r.Workload]++
	}
	for _, w := range all {
		if per[w.ID] == 0 || per[w.ID] > 3 {
			t.Errorf("%s: %d runs", w.ID, per[w.ID])
		}
	}
	if n := len(BaselineRequests(all[:1], 1, true)); n != 2 {
		t.Errorf("n=1: %d runs, want sequential and goroutines at 1", n)
	}
}

func TestCapped(t *testing.T) {
	head := &capped{max: 4}
	head.Write([]byte("abc"))
	head.Write([]byte("defg"))
	if head.String() != "abcd" || !head.over {
		t.Errorf("head: %q", head.String())
	}
	tail := &capped{max: 4, tail: true}
	tail.Write([]byte("abc"))
	tail.Write([]byte("defg"))
	if tail.String() != "…defg" {
		t.Errorf("tail: %q", tail.String())
	}
}
