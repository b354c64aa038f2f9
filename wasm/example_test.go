//go:build js && wasm

package wasm_test

import (
	"context"
	"fmt"
	"time"

	"conlab/wasm"
	"conlab/workloads"
)

// Run the countdown lesson on two Web Workers. The first run pays the
// workers' start-up unless Warm ran before.
func ExamplePool_Run() {
	p, err := wasm.NewPool(wasm.Config{Size: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Warm(ctx); err != nil {
		fmt.Println(err)
		return
	}
	req := workloads.Request{Workload: "countdown", Mode: wasm.Workers, Workers: 2, Params: map[string]any{"count": 1_000_000}}
	res, err := p.Run(ctx, req, func(pr wasm.Progress) {
		// Called as the run advances: stages, tasks done, spans closed.
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	lanes := map[int]bool{}
	for _, s := range res.Spans {
		lanes[s.Lane] = true
	}
	fmt.Println(res.Facts.Engine, res.Check.Value, res.Check.OK, len(lanes), "lanes", res.StartupUS)
	// Output: wasm-worker 1000000 true 2 lanes 0
}

// A request the engine cannot run fails before anything starts, with the
// reason in words a student understands.
func ExamplePool_Run_unsupported() {
	p, _ := wasm.NewPool(wasm.Config{Size: 1})
	defer p.Close()
	_, err := p.Run(context.Background(), workloads.Request{Workload: "deadlock", Mode: wasm.Workers, Workers: 2}, nil)
	fmt.Println(err)
	// Output: deadlock cannot run in workers mode: each worker has its own memory, so workers cannot hold each other's locks: there is nothing shared to wait for, and so no deadlock to see
}
