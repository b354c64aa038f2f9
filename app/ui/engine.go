package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"conlab/wasm"
	"conlab/workloads"
)

// Browser is the engine that runs workloads in the page: the Web Worker
// pool of package conlab/wasm in app.wasm (see bind_wasm.go). The UI only
// needs these methods, so tests can supply a fake.
type Browser interface {
	// Warm compiles the worker module once, starts the workers and warms
	// them up. It is idempotent.
	Warm(ctx context.Context) error
	// Run runs req in its browser mode, calling onProgress (from any
	// goroutine) as it goes. Cancelling ctx stops the run.
	Run(ctx context.Context, req workloads.Request, onProgress func(wasm.Progress)) (*workloads.Result, error)
	// Stats describes the pool.
	Stats() wasm.Stats
	// SettlePage waits until timings of req's kernel (a workload) in the
	// page have settled, or limit has passed, and grows the page's memory
	// to what req declares it needs (see settle.go): the page's own thread
	// runs the main-thread mode and every run's bookkeeping.
	SettlePage(ctx context.Context, req workloads.Request, limit time.Duration) (Settling, error)
	// SettleWorkers waits until timings of req's kernel have settled in
	// the n workers a run of n lanes uses (the pool grows to n if it has
	// fewer), then has each run req twice, untimed, or limit has passed.
	SettleWorkers(ctx context.Context, req workloads.Request, n int, limit time.Duration) (Settling, error)
	// Parallelism measures how many threads run at once, with k threads
	// trying (navigator.hardwareConcurrency can lie: WebKitGTK says 4 on
	// 2 cores).
	Parallelism(ctx context.Context, k int) (float64, error)
}

// errNoBrowser is the error of a build without a browser engine: the
// native pre-rendering, or tests.
var errNoBrowser = errors.New("the browser engine runs only in the browser (app.wasm)")

// openBrowser makes the browser engine of this build. The wasm build sets
// it; elsewhere it is nil and the UI says the browser engine is missing.
var openBrowser func() (Browser, error)

var (
	browserOnce sync.Once
	browserEng  Browser
	browserErr  error
)

// sharedBrowser returns the page's one browser engine, making it on first
// use: every lesson shares the warm pool.
func sharedBrowser() (Browser, error) {
	browserOnce.Do(func() {
		if openBrowser == nil {
			browserErr = errNoBrowser
			return
		}
		browserEng, browserErr = openBrowser()
	})
	return browserEng, browserErr
}
