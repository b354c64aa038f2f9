package main

import (
	"conlab/wasm"
	"conlab/wasm/benchwire"
)

// benchParams are the kernels' sizes for the benchmark: a sequential run
// in wasm of about a second, split into tasks that 1, 2 and 4 lanes share
// evenly, so that a run's fixed costs (a few ms) and the machine's
// moments of noise weigh little. Kernels not listed run with their
// defaults. multiply's loop method is one task by design (the lesson:
// splitting it costs more in copies than it saves), so its workers
// columns show no speed-up.
var benchParams = map[string]map[string]any{
	"countdown":  {"count": 600_000_000},
	"sumsquares": {"base": 60_000_000, "numbers": 8},
	"mergesort":  {"lists": 64, "size": 100_000},
	"multiply":   {"method": "loop", "size": 4_000_000},
}

// quickParams make a run of the whole benchmark take seconds (-quick).
var quickParams = map[string]map[string]any{
	"countdown":  {"count": 20_000_000},
	"sumsquares": {"base": 1_000_000, "numbers": 8},
	"mergesort":  {"lists": 8, "size": 10_000},
	"multiply":   {"method": "loop", "size": 200_000},
}

// floor is the floor's cold starts, as the driver reports them, and the
// floor program's size.
type floor struct {
	benchwire.Floor
	Bytes map[string]int64 `json:"bytes"`
}

// Report is the JSON file written: the machine, and what each engine
// measured against the same native runs.
type Report struct {
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	GOWASM    string `json:"gowasm,omitempty"`
	// Worker holds worker.wasm's size in bytes: "raw", "gzip" (as the
	// benchmark's page downloads it) and "brotli" (make build ships that
	// copy too).
	Worker map[string]int64 `json:"worker_bytes"`
	NumCPU int              `json:"numcpu"`
	// LoadBefore and LoadAfter are the machine's load averages (1, 5, 15
	// minutes) around the whole run: a shared machine's figures are only
	// as good as its quiet. Each engine has its own too.
	LoadBefore string `json:"load_before,omitempty"`
	LoadAfter  string `json:"load_after,omitempty"`
	Reps       int    `json:"reps"`
	// Loads is how many times each engine loaded the benchmark's page in
	// a fresh browser, each time measuring every kernel from its first
	// round.
	Loads   int            `json:"loads"`
	Engines []EngineReport `json:"engines"`
	// Skipped names each engine that was not measured, and why (it is
	// not installed); Failed each whose browser half failed.
	Skipped map[string]string `json:"skipped,omitempty"`
	Failed  map[string]string `json:"failed,omitempty"`
}

// EngineReport is what one browser engine measured.
type EngineReport struct {
	Engine       string              `json:"engine"`  // chromium, firefox, webkit
	Browser      string              `json:"browser"` // as the page reports it
	BrowserCores int                 `json:"browser_cores"`
	LoadBefore   string              `json:"load_before,omitempty"`
	LoadAfter    string              `json:"load_after,omitempty"`
	ColdStart    benchwire.ColdStart `json:"cold_start"`       // the median pool
	FirstCold    benchwire.ColdStart `json:"first_cold_start"` // the page's first pool
	// Revisits are the page's first pool on each later visit (the page
	// reloaded in the same browser profile, in order: visit 2, 3, ...),
	// as for a student who comes back: the browser revalidates
	// worker.wasm (304) and takes its compiled code from its code cache.
	Revisits []benchwire.ColdStart `json:"revisit_cold_starts"`
	// Floor is the same cold starts of a pool whose workers run the least
	// Go program that starts in them (wasm/internal/floorworker), on a
	// fresh page: what any Go worker costs to start on this machine.
	Floor       *floor                  `json:"floor_cold_start"`
	OverheadUS  map[string]int64        `json:"warm_overhead_us"`     // medians
	OverheadMin map[string]int64        `json:"warm_overhead_min_us"` // fastest
	Kernels     map[string]KernelFigure `json:"kernels"`              // of the first page load
}

// KernelFigure is one kernel's comparison. Times are medians in µs.
type KernelFigure struct {
	Params map[string]any `json:"params"`
	// Wasm holds the browser's wall times by run: "sequential",
	// "cooperative/4", "workers/N".
	Wasm map[string]int64 `json:"wasm_us"`
	// Rounds holds every run's wall time by run, in the order of the
	// rounds: what the medians and the first round's error come from.
	Rounds map[string][]int64 `json:"wasm_rounds_us"`
	// Native holds this process's: "sequential" (GOMAXPROCS 1) and
	// "goroutines/N" (GOMAXPROCS N, at most the machine's CPUs).
	Native map[string]int64 `json:"native_us"`
	// WasmNativeRatio is the single-lane time in wasm over natively, of
	// the medians; WasmNativeBest is the same of the fastest runs, which
	// a busy machine disturbs less.
	WasmNativeRatio float64 `json:"wasm_native_ratio"`
	WasmNativeBest  float64 `json:"wasm_native_ratio_best"`
	// CoopSeqRatio is cooperative over sequential in the browser: about
	// 1, since cooperative goroutines share one thread.
	CoopSeqRatio float64 `json:"coop_seq_ratio"`
	// SpeedUp and Efficiency are per N: workers/1 over workers/N, and
	// that over N; NativeSpeedUp is sequential over goroutines/N.
	SpeedUp map[int]float64 `json:"speedup"`
	// ControlSpeedUp is two plain JavaScript workers over one, measured in
	// the browser just before this kernel: what parallelism the shared
	// machine let the browser have then.
	ControlSpeedUp float64         `json:"browser_control_speedup"`
	Efficiency     map[int]float64 `json:"efficiency"`
	// EfficiencyBest is the efficiency of the fastest runs (workers/1's
	// over workers/N's): on a shared virtual machine the speed of wasm's
	// loops swings by up to 2x from second to second (measured: the same
	// Go wasm loop alone on one core, under Node, took 194 to 415 ms
	// while native Go and a plain JavaScript loop stayed steady), which
	// the medians of a few runs still feel.
	EfficiencyBest map[int]float64 `json:"efficiency_best"`
	// EfficiencyPaired is the median, over the rounds, of each round's
	// workers/1 time over its workers/N time, over N: the two runs of a
	// pair follow each other, so a slow moment of the machine tends to
	// hit both.
	EfficiencyPaired map[int]float64 `json:"efficiency_paired"`
	NativeSpeedUp    map[int]float64 `json:"native_speedup"`
	// OneWorkerSeqRatio is workers/1 over sequential in the browser, of
	// the medians: the cost of handing tasks to a worker instead of
	// running them in one (target: at most 1.05). OneWorkerSeqPaired is
	// the median over the rounds of each round's ratio.
	OneWorkerSeqRatio  float64 `json:"one_worker_seq_ratio"`
	OneWorkerSeqPaired float64 `json:"one_worker_seq_ratio_paired"`
	// Settle is how the pool settled with this kernel just before its
	// runs (Pool.Settle, as the lab's first run of a lesson does).
	Settle *wasm.SettleReport `json:"settle,omitempty"`
	// FirstRound is, per run, the first round's time over the median of
	// the later rounds, minus 1: how far the first round after settling
	// is from the steady state (the first kernel's first round is the
	// page's first). FirstRoundError is the largest of them in absolute
	// value (target: at most 0.10).
	FirstRound      map[string]float64 `json:"first_round"`
	FirstRoundError float64            `json:"first_round_error"`
	// FirstRoundLoads is FirstRound of each page load, in order (the
	// first is FirstRound): how the first round's error varies from one
	// fresh page to the next.
	FirstRoundLoads []map[string]float64 `json:"first_round_loads,omitempty"`
	// LaterRoundLoads is, per page load in order, the error of the later
	// round that strayed most from its other rounds (laterRounds): the
	// steady state's own spread, which the first round's error is up
	// against.
	LaterRoundLoads []float64 `json:"later_round_loads,omitempty"`
}

// Targets the benchmark reports against (issue: honest numbers).
const (
	maxOneWorkerSeq = 1.05 // workers ×1 within 5 % of sequential
	minMergesortTwo = 1.6  // mergesort's speed-up at 2 workers, quiet machine
	maxFirstRound   = 0.10 // the first round within 10 % of the steady state
)
