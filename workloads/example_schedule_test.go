package workloads_test

import (
	"context"
	"fmt"

	"conlab/workloads"
)

// Step two tasks through a lost update: task 0 reads, task 1 reads, and
// from there the lowest-numbered task that can go goes.
func ExampleSchedule() {
	res, err := workloads.Run(context.Background(), workloads.Request{
		Workload: "dbupdate", Mode: workloads.Goroutines, Workers: 2,
		Params:   map[string]any{"variant": "unlocked"},
		Schedule: "0.1",
	}, workloads.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Steps {
		fmt.Printf("%-36s %s\n", s.What, s.Shared)
	}
	fmt.Println(res.Outcome, res.Schedule)
	// Output:
	// task 0: read x = 0                   x = 0
	// task 1: read x = 0                   x = 0
	// task 0: wait 200 ms (x=0 in hand)    x = 0
	// task 0: write x = 1                  x = 1
	// task 1: wait 200 ms (x=0 in hand)    x = 1
	// task 1: write x = 1                  x = 1
	// lost-update 0.1.0.0.1.1
}

// Search the interleavings of a counter guarded by a mutex for a lost
// update: there is none, and every schedule was checked.
func ExampleFind() {
	req := workloads.Request{
		Workload: "counter", Mode: workloads.Goroutines, Workers: 2,
		Params: map[string]any{"tasks": 2, "increments": 2, "sync": "mutex", "yield": true},
	}
	f, err := workloads.Find(context.Background(), req, workloads.OutcomeLostUpdate, workloads.FindOptions{}, workloads.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Found, f.Checked, f.Exhaustive)
	// Output: false 6 true
}
