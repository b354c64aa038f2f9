package workloads

import (
	"encoding/json"
	"fmt"
	"testing"
)

// Every workload declares its cost, and the declarations count the CPU
// work that options and child processes add (a pool or semaphore with
// cpu set counted 0 cores; spawn at GOMAXPROCS 1 counted 1 while its 64
// children used 1.64).
func TestCostDeclarations(t *testing.T) {
	for _, w := range All() {
		if w.Cost == nil {
			t.Errorf("%s declares no cost", w.ID)
		}
	}
	const numCPU = 8
	for _, tc := range []struct {
		req   string
		cores int
		procs int
	}{
		{`pool goroutines 4 2 {"cpu":true}`, 2, 0},
		{`pool goroutines 4 0 {"cpu":true}`, 4, 0},
		{`pool goroutines 4 2 {"cpu":false}`, 0, 0},
		{`semaphore goroutines 8 0 {"cpu":true,"limit":3}`, 3, 0},
		{`semaphore goroutines 8 0 {"cpu":false}`, 0, 0},
		{`spawn goroutines 64 1 {"children":64}`, numCPU, 64},
		{`spawn goroutines 4 1 {"children":64}`, 4, 4},
		{`spawn goroutines 64 1 {"children":64,"kind":"goroutine"}`, 1, 0},
		{`countdown goroutines 4 2 {}`, 2, 0},
		{`countdown sequential 4 0 {}`, 1, 0},
		{`sleep goroutines 64 0 {}`, 0, 0},
		{`subprocess goroutines 8 0 {"children":16}`, 0, 8},
		{`blocking goroutines 5 0 {}`, 1, 0},
	} {
		var id, mode, params string
		var workers, procs int
		fmt.Sscan(tc.req, &id, &mode, &workers, &procs, &params)
		job := prepareJSON(t, id, Mode(mode), workers, procs, params)
		c := job.Cost(numCPU)
		if c.Cores != tc.cores || c.Processes != tc.procs || c.Bytes < ProcessBytes {
			t.Errorf("%s: cost %+v, want %d cores, %d processes", tc.req, c, tc.cores, tc.procs)
		}
	}
	// Memory follows the parameters that hold it.
	small := prepareJSON(t, "mergesort", Goroutines, 2, 2, `{"lists":8,"size":1000}`).Cost(numCPU)
	big := prepareJSON(t, "mergesort", Goroutines, 64, 2, `{"lists":10000,"size":1000000}`).Cost(numCPU)
	if big.Bytes < 870<<20 || small.Bytes > 2*ProcessBytes { // 0.87–0.98 GB measured
		t.Errorf("mergesort: %d bytes for 64 lanes of a million numbers, %d for 2 of a thousand", big.Bytes, small.Bytes)
	}
}

func prepareJSON(t *testing.T, id string, mode Mode, workers, procs int, params string) *Job {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		t.Fatal(err)
	}
	job, err := Prepare(Request{Workload: id, Mode: mode, Workers: workers, GOMAXPROCS: procs, Params: p})
	if err != nil {
		t.Fatalf("%s %s: %v", id, params, err)
	}
	return job
}
