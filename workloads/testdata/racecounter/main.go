// Command racecounter runs the counter workload without synchronisation on
// several goroutines. Built with -race, the race detector reports the data
// race on the counter; TestCounterRaceDetector runs it that way.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"conlab/workloads"
)

func main() {
	runtime.GOMAXPROCS(max(2, runtime.NumCPU()))
	res, err := workloads.Run(context.Background(), workloads.Request{
		Workload: "counter",
		Mode:     workloads.Goroutines,
		Workers:  4,
		Params:   map[string]any{"tasks": 4, "increments": 1_000_000, "sync": "none"},
	}, workloads.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "racecounter:", err)
		os.Exit(1)
	}
	fmt.Printf("counter: %s of %s (%s)\n", res.Check.Value, res.Check.Expected, res.Check.Note)
}
