package main

import (
	"conlab/wasm/benchwire"
	"conlab/workloads"
	"context"
	"fmt"
	"runtime"
	"slices"
)

// nativeTimes runs k in this process: sequentially at GOMAXPROCS 1, and
// with N goroutines at GOMAXPROCS N (at most the CPUs there are).
func nativeTimes(ctx context.Context, k benchwire.Kernel, ns []int, reps int) (map[string]int64, map[string][]int64, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	type run struct {
		key  string
		mode workloads.Mode
		n    int
	}
	runs := []run{{"sequential", workloads.Sequential, 1}}
	for _, n := range ns {
		runs = append(runs, run{fmt.Sprintf("goroutines/%d", n), workloads.Goroutines, n})
	}
	all := map[string][]int64{}
	// One untimed run warms caches and the allocator.
	if _, err := workloads.Run(ctx, workloads.Request{Workload: k.Workload, Mode: workloads.Sequential, Params: k.Params, TimeoutMS: workloads.MaxTimeoutMS}, workloads.Options{}); err != nil {
		return nil, nil, err
	}
	for range reps {
		for _, r := range runs {
			runtime.GOMAXPROCS(min(r.n, runtime.NumCPU()))
			res, err := workloads.Run(ctx, workloads.Request{Workload: k.Workload, Mode: r.mode, Workers: r.n, Params: k.Params, TimeoutMS: workloads.MaxTimeoutMS}, workloads.Options{})
			if err != nil {
				return nil, nil, fmt.Errorf("native %s %s: %w", k.Workload, r.key, err)
			}
			if !res.Check.OK {
				return nil, nil, fmt.Errorf("native %s %s: check failed: %+v", k.Workload, r.key, res.Check)
			}
			all[r.key] = append(all[r.key], res.WallUS)
		}
	}
	med := map[string]int64{}
	for key, v := range all {
		s := slices.Clone(v)
		slices.Sort(s)
		med[key] = s[len(s)/2]
	}
	return med, all, nil
}
