// Package benchwire is what the lab's browser benchmark sends between its
// halves: the native half (app/internal/browserbench) asks the browser
// half (wasm/internal/benchdriver) to measure a Config, and the driver
// prints its Report, its Floor or a later visit's ColdStart as one line
// of JSON. It has no JavaScript in it and builds natively too.
package benchwire

import "conlab/wasm"

// Config is what the native half asks the driver to measure.
type Config struct {
	Reps    int      `json:"reps"`
	Workers []int    `json:"workers"` // the workers mode's N values
	Coop    int      `json:"coop"`    // goroutines of the cooperative runs
	Pool    int      `json:"pool"`    // workers of the cold start
	Kernels []Kernel `json:"kernels"`
}

// Kernel is one workload with the parameters to time it with.
type Kernel struct {
	Workload string         `json:"workload"`
	Params   map[string]any `json:"params"`
}

// Report is what the driver measured. Times are medians in µs.
type Report struct {
	Browser   string    `json:"browser"`
	Cores     int       `json:"cores"`
	Isolated  bool      `json:"isolated"`
	ColdStart ColdStart `json:"cold_start"`
	// FirstColdStart is the page's first pool: it also pays for the
	// browser compiling each function on its first call, which later
	// pools of the page find done.
	FirstColdStart ColdStart        `json:"first_cold_start"`
	OverheadUS     map[string]int64 `json:"overhead_us"` // warm per-run overhead by mode: median
	// OverheadMinUS is the fastest of those runs: what the code costs when
	// the machine lets it.
	OverheadMinUS map[string]int64 `json:"overhead_min_us"`
	Kernels       []KernelReport   `json:"kernels"`
}

// Floor is the cold start of a pool of wasm/internal/floorworker, served
// as worker.wasm when CONLAB_FLOOR is 1: what starting any Go program in
// the pool's workers costs on this machine.
type Floor struct {
	First  ColdStart `json:"first"`  // the page's first pool
	Median ColdStart `json:"median"` // the median of the page's pools
}

// ColdStart is the pool's start-up from nothing.
type ColdStart struct {
	Workers       int       `json:"workers"`
	TotalMS       float64   `json:"total_ms"`       // Warm: compile + start + warm-up
	CompileMS     float64   `json:"compile_ms"`     // fetch and compile, overlapped
	StartMS       []float64 `json:"start_ms"`       // per worker: creation to ready
	InstantiateMS []float64 `json:"instantiate_ms"` // per worker, inside it
	WarmupMS      float64   `json:"warmup_ms"`
}

// KernelReport holds one kernel's wall times by run ("sequential",
// "cooperative/4", "workers/2", ...).
type KernelReport struct {
	// ControlSpeedUp is what two plain JavaScript workers spinning got
	// over one just before this kernel's runs: the parallelism the
	// browser could have at that moment on a shared machine.
	ControlSpeedUp float64 `json:"control_speedup"`
	// Settle is the pool's SettleRun with this kernel's run just before
	// its runs, as the lab's first run of a lesson does: how long until
	// the workers' timings of it settled, and their untimed run of it.
	// The first kernel's first round is then the page's first timed
	// round, as a student's first Run all.
	Settle   wasm.SettleReport  `json:"settle"`
	Workload string             `json:"workload"`
	Params   map[string]any     `json:"params"`
	WallUS   map[string]int64   `json:"wall_us"`
	AllUS    map[string][]int64 `json:"all_us"`
}
