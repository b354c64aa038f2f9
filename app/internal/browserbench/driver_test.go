package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"conlab/wasm"
	"conlab/wasm/benchwire"
)

// What the driver prints reads back whole: its report, a later visit's
// cold start and the floor's, every field filled.
func TestDriverLinesReadBack(t *testing.T) {
	cold := benchwire.ColdStart{Workers: 4, TotalMS: 161.4, CompileMS: 80, StartMS: []float64{104, 98.1}, InstantiateMS: []float64{7.6, 2.2}, WarmupMS: 44.2}
	rep := benchwire.Report{
		Browser: "Chromium 156", Cores: 2, Isolated: true, ColdStart: cold, FirstColdStart: cold,
		OverheadUS: map[string]int64{"sequential": 901}, OverheadMinUS: map[string]int64{"sequential": 600},
		Kernels: []benchwire.KernelReport{{
			ControlSpeedUp: 1.92,
			Settle:         wasm.SettleReport{Workers: 4, Settled: 4, WorkerMS: []float64{2035, 2057}, Primed: 4, PrimeRuns: 1, PrimeMS: 350, MS: 4193},
			Workload:       "sumsquares", Params: map[string]any{"base": 60_000_000.0, "numbers": 8.0},
			WallUS: map[string]int64{"workers/2": 98_800}, AllUS: map[string][]int64{"workers/2": {98_800, 99_100}},
		}},
	}
	line := func(prefix string, v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return prefix + " " + string(b) + "\n"
	}
	out := "benchdriver: a log line\n" + line("CONLAB-BENCH-JSON", rep) + line("CONLAB-BENCH-REVISIT", cold)
	br, revisits, err := parseDriver(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*br, rep) || len(revisits) != 1 || !reflect.DeepEqual(revisits[0], cold) {
		t.Errorf("read back %+v and %+v,\nwant %+v and %+v", *br, revisits, rep, cold)
	}
	fl := benchwire.Floor{First: cold, Median: cold}
	f, err := parseFloor(strings.NewReader(line("CONLAB-BENCH-FLOOR", fl)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Floor, fl) {
		t.Errorf("the floor read back as %+v, want %+v", f.Floor, fl)
	}
}
