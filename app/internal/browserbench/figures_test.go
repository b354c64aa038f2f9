package main

import (
	"bytes"
	"conlab/wasm/benchwire"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseDriver(t *testing.T) {
	out := "some test output\nCONLAB-BENCH-JSON {\"cores\":4,\"kernels\":[{\"workload\":\"countdown\",\"wall_us\":{\"sequential\":100},\"all_us\":{\"sequential\":[100,90,120]}}]}\nPASS\n" +
		"CONLAB-BENCH-REVISIT {\"workers\":4,\"total_ms\":180.5}\nCONLAB-BENCH-REVISIT {\"workers\":4,\"total_ms\":150}\n"
	br, revisits, err := parseDriver(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if br.Cores != 4 || len(br.Kernels) != 1 || br.Kernels[0].WallUS["sequential"] != 100 || len(br.Kernels[0].AllUS["sequential"]) != 3 {
		t.Errorf("parsed %+v", br)
	}
	if len(revisits) != 2 || revisits[0].TotalMS != 180.5 || revisits[1].TotalMS != 150 {
		t.Errorf("later visits %+v", revisits)
	}
	for _, bad := range []string{"no report here\n", "CONLAB-BENCH-JSON {not json\n", "CONLAB-BENCH-REVISIT {\"workers\":4}\n", "CONLAB-BENCH-JSON {}\nCONLAB-BENCH-REVISIT [1]\n"} {
		if _, _, err := parseDriver(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestFigures(t *testing.T) {
	cfg := benchwire.Config{Workers: []int{1, 2, 4}, Coop: 4}
	wasm := map[string]int64{"sequential": 400, "cooperative/4": 420, "workers/1": 410, "workers/2": 205, "workers/4": 205}
	native := map[string]int64{"sequential": 200, "goroutines/1": 200, "goroutines/2": 100, "goroutines/4": 100}
	f := figures(benchwire.Kernel{Workload: "countdown"}, wasm, native, cfg)
	if f.WasmNativeRatio != 2 || f.CoopSeqRatio != 1.05 {
		t.Errorf("ratios %+v", f)
	}
	if f.SpeedUp[2] != 2 || f.Efficiency[2] != 1 || f.SpeedUp[4] != 2 || f.Efficiency[4] != 0.5 || f.NativeSpeedUp[2] != 2 {
		t.Errorf("speed-ups %+v", f)
	}
	// The fastest runs: 300 alone, 200 and 160 with 2 and 4 workers.
	f.bestEfficiency(map[string][]int64{"workers/1": {410, 300, 500}, "workers/2": {250, 200}, "workers/4": {160}}, cfg)
	if f.EfficiencyBest[1] != 1 || f.EfficiencyBest[2] != 0.75 || f.EfficiencyBest[4] != 300.0/160/4 {
		t.Errorf("best efficiency %+v", f.EfficiencyBest)
	}
	// Paired by round: 410/250, 300/200 over 2 (0.82, 0.75): the median of
	// two is the upper one; workers/4's single round pairs with the first.
	if f.EfficiencyPaired[2] != 410.0/250/2 || f.EfficiencyPaired[4] != 410.0/160/4 {
		t.Errorf("paired efficiency %+v", f.EfficiencyPaired)
	}
	f.bestEfficiency(map[string][]int64{"workers/2": {200}}, cfg)
	if len(f.EfficiencyBest) != 0 {
		t.Errorf("best efficiency without workers/1: %+v", f.EfficiencyBest)
	}
	// A missing measurement gives 0, not a division by zero.
	if f := figures(benchwire.Kernel{}, map[string]int64{}, map[string]int64{}, cfg); f.WasmNativeRatio != 0 || f.SpeedUp[2] != 0 {
		t.Errorf("empty: %+v", f)
	}
}

func TestParseFloor(t *testing.T) {
	out := "PASS\nCONLAB-BENCH-FLOOR {\"first\":{\"workers\":4,\"total_ms\":220.5},\"median\":{\"workers\":4,\"total_ms\":90}}\n"
	f, err := parseFloor(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if f.First.TotalMS != 220.5 || f.Median.TotalMS != 90 || f.Median.Workers != 4 {
		t.Errorf("parsed %+v", f)
	}
	for _, bad := range []string{"", "CONLAB-BENCH-FLOOR {\n", "CONLAB-BENCH-FLOOR {\"first\":{\"total_ms\":1}}\n", "CONLAB-BENCH-JSON {}\n"} {
		if _, err := parseFloor(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if ratio(300.0, 100.0) != 3 || ratio(int64(5), 0) != 0 {
		t.Error("ratio")
	}
}

func TestWasmSizes(t *testing.T) {
	dir := t.TempDir()
	raw, gz := filepath.Join(dir, "w.wasm"), filepath.Join(dir, "w.wasm.gz")
	data := bytes.Repeat([]byte("conlab worker "), 10_000)
	if err := os.WriteFile(raw, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := gzipFile(raw, gz); err != nil {
		t.Fatal(err)
	}
	s := wasmSizes(raw, gz)
	if s["raw"] != int64(len(data)) || s["gzip"] <= 0 || s["gzip"] >= s["raw"] || s["brotli"] <= 0 || s["brotli"] >= s["gzip"] {
		t.Errorf("sizes %v of a repetitive file of %d bytes", s, len(data))
	}
}

func TestFirstRound(t *testing.T) {
	got, worst := firstRound(map[string][]int64{
		"sequential": {1200, 1000, 900, 1100}, // later median 1000: +20 %
		"workers/1":  {950, 1000, 1000},       // -5 %
		"workers/2":  {500},                   // one round: none
	})
	if len(got) != 2 || math.Abs(got["sequential"]-0.2) > 1e-9 || math.Abs(got["workers/1"]+0.05) > 1e-9 || math.Abs(worst-0.2) > 1e-9 {
		t.Errorf("first round %v, worst %v", got, worst)
	}
	if w := worstOf(got); math.Abs(w-0.2) > 1e-9 {
		t.Errorf("worstOf %v", w)
	}
	// A later round against the others: the third round of sequential,
	// 900 against the median 1100 of 1200, 1000 and 1100, is -18.2 %.
	all := map[string][]int64{"sequential": {1200, 1000, 900, 1100}, "workers/1": {950, 1000, 1000}}
	if e := roundError(all, 2); math.Abs(e["sequential"]-(900.0/1100-1)) > 1e-9 || math.Abs(e["workers/1"]-(1000.0/975-1)) > 1e-9 {
		t.Errorf("round 3's error %v", e)
	}
	if w := laterRounds(all); math.Abs(w-(900.0/1100-1)) > 1e-9 {
		t.Errorf("later rounds' worst %v, want -18.2 %%", w)
	}
	if w := laterRounds(map[string][]int64{"sequential": {1200, 1000}}); w != 0 {
		t.Errorf("two rounds: later rounds' worst %v, want none", w)
	}
}

func TestParseEngines(t *testing.T) {
	all, err := parseEngines("")
	if err != nil || len(all) != 3 {
		t.Errorf("every engine: %v, %v", all, err)
	}
	got, err := parseEngines(" WebKit,chromium,webkit")
	if err != nil || len(got) != 2 || got[0] != "webkit" || got[1] != "chromium" {
		t.Errorf("webkit and chromium: %v, %v", got, err)
	}
	if _, err := parseEngines("chromium,safari"); err == nil || !strings.Contains(err.Error(), `"safari"`) {
		t.Errorf("an unknown engine: %v", err)
	}
}

// The summary gives each engine's three figures, every page load's first
// round, marks the misses, and says which engines it skipped and why.
func TestPrintSummary(t *testing.T) {
	cfg := benchwire.Config{Workers: []int{1, 2}, Kernels: []benchwire.Kernel{{Workload: "countdown"}, {Workload: "mergesort"}}}
	rep := &Report{Loads: 2, LoadBefore: "0.10 0.20 0.30", Skipped: map[string]string{"webkit": "WebKitWebDriver is not installed"}}
	rep.Engines = []EngineReport{{Engine: "firefox", LoadBefore: "0.5 0.4 0.3", Kernels: map[string]KernelFigure{
		"countdown": {OneWorkerSeqRatio: 1.02, OneWorkerSeqPaired: 1.01, FirstRoundLoads: []map[string]float64{{"sequential": 0.031, "workers/1": -0.046}, {"sequential": 0.181}}, LaterRoundLoads: []float64{0.052, -0.163}},
		"mergesort": {OneWorkerSeqRatio: 1.07, SpeedUp: map[int]float64{2: 1.55}, EfficiencyPaired: map[int]float64{2: 0.8}, FirstRoundLoads: []map[string]float64{{"sequential": 0.02}}},
	}}}
	var b strings.Builder
	printSummary(&b, rep, cfg)
	out := strings.Join(strings.Fields(b.String()), " ") // the columns' padding aside
	for _, want := range []string{
		"firefox countdown -4.6 %, +18.1 % ✗ (-4.6..+18.1 %) +5.2 %, -16.3 % 1.020 (1.010) 0.5 0.4 0.3;",
		"firefox mergesort +2.0 % none 1.070 (0.000) ✗",
		"mergesort speed-up at 2 workers in firefox (target ≥ 1.6 on a quiet machine): 1.55, paired 1.60; JavaScript control x2 0.00 ✗",
		"webkit skipped: WebKitWebDriver is not installed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
}
