//go:build !wasm

package server

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
)

// costFactor bounds how far a workload's memory estimate may be from the
// peak a real run reaches: measured ≤ estimate × costFactor (an estimate
// below the truth lets the server admit more than fits, and the cap then
// stops honest runs) and estimate ≤ measured × costFactor (an estimate far
// above the truth refuses runs that would fit).
const costFactor = 2.0

// The memory estimates hold against real peaks, measured over each run's
// whole process group. Not under the race detector, whose shadow memory
// is no part of a run.
func TestCostEstimates(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory multiplies a run's peak: measured without -race")
	}
	if testing.Short() {
		t.Skip("runs allocate hundreds of MB")
	}
	sp := testSpawner("conlab")
	for _, body := range []string{
		`{"workload":"countdown","mode":"goroutines","workers":2,"params":{"count":1000000}}`,
		`{"workload":"sleep","mode":"goroutines","workers":5,"params":{"unit":1}}`,
		`{"workload":"mergesort","mode":"goroutines","workers":2,"gomaxprocs":2,"params":{"lists":8,"size":1000000}}`,
		`{"workload":"mergesort","mode":"goroutines","workers":8,"gomaxprocs":2,"params":{"lists":24,"size":1000000}}`,
		`{"workload":"mergesort","mode":"sequential","workers":2,"params":{"lists":6,"size":1000000}}`,
		`{"workload":"multiply","mode":"goroutines","workers":2,"params":{"size":4000000,"method":"chunks"}}`,
		`{"workload":"multiply","mode":"goroutines","workers":2,"params":{"size":4000000,"method":"loop"}}`,
		`{"workload":"spawn","mode":"goroutines","workers":8,"params":{"children":8,"work":30000000}}`,
		`{"workload":"subprocess","mode":"goroutines","workers":4,"params":{"children":4,"every":10}}`,
	} {
		req, job := mustPrepare(t, body)
		est := job.Cost(runtime.NumCPU())
		cr, err := sp.RunWithin(context.Background(), req, Limits{Watch: true})
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if cr.Result.Error != "" || !cr.Result.Check.OK {
			t.Fatalf("%s: the run failed: %s %+v", body, cr.Result.Error, cr.Result.Check)
		}
		got := cr.PeakBytes
		ratio := float64(got) / float64(est.Bytes)
		p, _ := json.Marshal(job.Args.Map())
		t.Logf("%-10s %-10s lanes %d %s: measured %4d MB, estimate %4d MB (measured/estimate %.2f)",
			req.Workload, req.Mode, req.Workers, p, got>>20, est.Bytes>>20, ratio)
		if got == 0 {
			t.Skip("this OS reports no peak memory")
		}
		if ratio > costFactor || ratio < 1/costFactor {
			t.Errorf("%s: measured %d MB against an estimate of %d MB: outside a factor of %.1f", body, got>>20, est.Bytes>>20, costFactor)
		}
	}
}
