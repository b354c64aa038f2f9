package wasm

// What the pool reports: its state (Stats, SettleReport) and a run's
// progress (Progress). This file builds everywhere, not only in the
// browser, so that the UI's native build (pre-rendering, tests) shows the
// pool's own types, every field of them, rather than copies.

import "conlab/workloads"

// Progress reports a run's advance to Run's callback.
type Progress struct {
	Stage       string          // "compiling", "starting", "warming", "running", "done"
	Done, Total int             // tasks
	Span        *workloads.Span // a span that just closed, if any
}

// Stats describe a pool.
type Stats struct {
	Size  int // workers wanted
	Alive int // workers started (starting, idle or busy)
	Busy  int // workers running a run
	Warm  int // workers started and warmed up
	// CompileMS is how long fetching and compiling worker.wasm took (once
	// per page; 0 before it happened). The two overlap (compileStreaming),
	// and on a slow machine the download is most of it: Chromium on 2
	// cores reads a local 4 MB file at 55-100 MB/s, and compiles the
	// bytes in 22-37 ms.
	CompileMS float64
	// InstantiateMS is, per alive worker, how long instantiating the
	// compiled module took inside the worker.
	InstantiateMS []float64
	// StartMS is, per alive worker, the time from creating it to its Go
	// program listening: loading worker.js and wasm_exec.js, instantiating,
	// starting the Go runtime.
	StartMS []float64
	// WarmupMS is how long the last warm-up took (the slowest worker of
	// the last batch started).
	WarmupMS float64
	// FirstCallUS and WarmCallUS are, per kernel, its first call in the
	// last warm-up (unoptimised, compiled on the spot) and its last one:
	// the cost of a cold call, which the warm-up keeps out of timed runs.
	FirstCallUS map[string]int64
	WarmCallUS  map[string]int64
	// Isolated says whether the page is cross-origin isolated, which the
	// shared-memory variants need in the workers mode.
	Isolated bool
	// SettleMS is, per alive worker, how long its settling took (see
	// Pool.Settle); 0 for a worker not settled yet. Settled counts the
	// alive workers that settled, SettledAgreed those of them whose last
	// settling's rounds agreed (the others stopped at the cap).
	SettleMS      []float64
	Settled       int
	SettledAgreed int
	// CollectMS is, per alive worker, how long its last collection of a
	// run's garbage took (0 before any): the time, after each run, in
	// which the worker's thread is busy and the pool starts no run.
	CollectMS []float64
	// ReportedCores is navigator.hardwareConcurrency (1 when the browser
	// does not say). MeasuredCores is how many threads the browser ran at
	// once when the pool first started (jsenv.Cores: plain JavaScript
	// workers spinning together, against one alone; the most threads
	// that gained at least 70 % of their number), at least 1 and at most
	// ReportedCores; 0 before it is measured, when the measurement
	// failed, and for a pool of a size given (Config.Size, Resize), which
	// does not measure. CoresRatio is the unrounded ratio, MeasureMS how
	// long measuring took. A pool of the default size uses MeasuredCores
	// once it is known: browsers may report more cores than they run at
	// once (WebKitGTK reports 4 on 2 cores).
	ReportedCores int
	MeasuredCores int
	CoresRatio    float64
	MeasureMS     float64
	// LastSettle is the last Settle call that settled any worker: how
	// long it took in all (MS, starting workers included) and per worker.
	LastSettle SettleReport
	// PageSettleMS is how long the last SettlePage took, and PageSettled
	// whether its rounds agreed.
	PageSettleMS float64
	PageSettled  bool
}

// SettleReport is what a Settle call did.
type SettleReport struct {
	// Workers is how many workers the call settled (those settled before
	// are not settled again).
	Workers int
	// Settled is how many of them saw consecutive rounds agree within
	// 10 % before the cap; the others stopped at the cap.
	Settled int
	// WorkerMS is, per worker settled, how long its settling took, and
	// PassNS, per round in order, the mean time of its calibration pass
	// in ns.
	WorkerMS []float64
	PassNS   [][]int64
	// Primed is how many workers SettleRun primed with the run, PrimeRuns
	// how many untimed runs they made in all (two each, and one more on the first worker: see SettleRun),
	// and PrimeMS how long that took in all.
	Primed    int
	PrimeRuns int
	PrimeMS   float64
	// Together is, per gauge of the workers running together that ended
	// the settling (Pool.Settle), how many threads it saw running at
	// once; TogetherSettled says whether they reached what the pool
	// waited for before the cap, and TogetherMS how long the gauges
	// took. A call that settled no worker, or settled one, gauges
	// nothing.
	Together        []float64
	TogetherOf      int // the workers gauged together
	TogetherSettled bool
	TogetherMS      float64
	// MS is how long the whole call took, starting any missing workers
	// included.
	MS float64
}
