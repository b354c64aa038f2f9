//go:build !wasm

package server_test

import (
	"context"
	"fmt"
	"strings"

	"conlab/app/server"
	"conlab/workloads"
)

func ExampleDecodeRequest() {
	req, err := server.DecodeRequest(strings.NewReader(`{"workload": "countdown", "mode": "goroutines", "workers": 2, "params": {"count": 1000}}`))
	fmt.Println(req.Workload, req.Mode, req.Workers, req.Params["count"], err)

	_, err = server.DecodeRequest(strings.NewReader(`{"workload": "countdown", "wrokers": 2}`))
	fmt.Println(err)
	// Output:
	// countdown goroutines 2 1000 <nil>
	// unknown request field "wrokers" (want workload, mode, workers, params, gomaxprocs, timeout_ms, schedule)
}

func ExampleExecute() {
	res, err := server.Execute(context.Background(), workloads.Request{
		Workload: "countdown", Mode: workloads.Goroutines, Workers: 2, GOMAXPROCS: 2,
		Params: map[string]any{"count": 1_000_000},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Facts.Engine, res.Facts.GOMAXPROCS, res.Check.Value, res.Check.OK)
	// Output: native 2 1000000 true
}
