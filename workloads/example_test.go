package workloads_test

import (
	"context"
	"encoding/json"
	"fmt"

	"conlab/workloads"
)

// Run a workload natively and check its combined value.
func ExampleRun() {
	res, err := workloads.Run(context.Background(), workloads.Request{
		Workload: "countdown",
		Mode:     workloads.Goroutines,
		Workers:  2,
		Params:   map[string]any{"count": 1000},
	}, workloads.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Check.Value, res.Check.OK)
	// Output: 1000 true
}

// A request that does not validate names the offending field.
func ExamplePrepare() {
	_, err := workloads.Prepare(workloads.Request{Workload: "countdown", Workers: 100})
	fmt.Println(err)
	// Output: workers: 100 is out of range; allowed: a whole number from 1 to 64
}

// Requests travel as JSON: from the CLI, the server, workers and host pages.
func ExampleRequest() {
	var req workloads.Request
	_ = json.Unmarshal([]byte(`{"workload":"countdown","mode":"sequential","params":{"count":5}}`), &req)
	job, err := workloads.Prepare(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(job.Request.Workers, len(job.Plan.Tasks), job.Args.Int("count"))
	// Output: 1 1 5
}

// Tasks of one memory run through a Runner: how a Web Worker runs the
// tasks the page sends it.
func ExampleRunner() {
	job, _ := workloads.Prepare(workloads.Request{Workload: "countdown", Workers: 2, Params: map[string]any{"count": 10}})
	r := workloads.NewRunner(job, nil, 0)
	var out workloads.Outputs
	for i := range job.Plan.Tasks {
		tr := r.RunTask(context.Background(), i, i, nil)
		out.Values = append(out.Values, tr.Value)
	}
	fmt.Println(job.Combine(out).OK)
	// Output: true
}
