//go:build js && wasm

// Command benchdriver is the browser half of the lab's browser benchmark
// (app/internal/browserbench runs it in each browser engine): it measures
// the pool's cold start, then each kernel given in -config in the
// sequential, cooperative and workers modes, in rounds, right after
// settling the page and the pool with that kernel as the lab's first run
// does, then
// the warm per-run overhead, and prints one line "CONLAB-BENCH-JSON
// {...}" with every measurement.
//
// With CONLAB_FLOOR=1 the page serves wasm/internal/floorworker as
// worker.wasm: the driver then times only cold starts, and prints them as
// one line "CONLAB-BENCH-FLOOR {...}".
//
// On a later visit of the page (CONLAB_VISIT above 1: the runner reloaded
// it, and the browser has worker.wasm and its compiled code cached) it
// measures only the page's first cold start, and prints it as one line
// "CONLAB-BENCH-REVISIT {...}".
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"conlab/wasm"
	"conlab/wasm/benchwire"
	"conlab/wasm/internal/jsenv"
	"conlab/workloads"
)

func main() {
	cfgText := flag.String("config", "", "the benchmark's configuration, JSON")
	flag.Parse()
	var cfg benchwire.Config
	if err := json.Unmarshal([]byte(*cfgText), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "benchdriver: -config:", err)
		os.Exit(2)
	}
	var rep any
	var err error
	prefix := "CONLAB-BENCH-JSON"
	if os.Getenv("CONLAB_FLOOR") == "1" {
		prefix = "CONLAB-BENCH-FLOOR"
		var f benchwire.Floor
		f.First, f.Median, err = coldStarts(context.Background(), cfg.Pool, cfg.Reps)
		rep = f
	} else if visit, _ := strconv.Atoi(os.Getenv("CONLAB_VISIT")); visit > 1 {
		prefix = "CONLAB-BENCH-REVISIT"
		rep, err = coldStart(context.Background(), cfg.Pool)
	} else {
		rep, err = bench(cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchdriver:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(rep)
	fmt.Printf("%s %s\n", prefix, b)
}

// coldStart starts and warms a pool of n workers from nothing (it
// compiles worker.wasm anew) and reports what that took.
func coldStart(ctx context.Context, n int) (*benchwire.ColdStart, error) {
	p, err := wasm.NewPool(wasm.Config{Size: n})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	t0 := time.Now()
	if err := p.Warm(ctx); err != nil {
		return nil, err
	}
	total := float64(time.Since(t0).Microseconds()) / 1000
	st := p.Stats()
	log("cold start of %d workers: %.1f ms (compile %.1f ms, start %v ms, warm-up %.1f ms)", n, total, st.CompileMS, st.StartMS, st.WarmupMS)
	return &benchwire.ColdStart{
		Workers: n, TotalMS: total, CompileMS: st.CompileMS,
		StartMS: st.StartMS, InstantiateMS: st.InstantiateMS, WarmupMS: st.WarmupMS,
	}, nil
}

// coldStarts starts reps pools of n workers from nothing, one after the
// other (each compiles worker.wasm anew), and returns the first and the
// median by total, each with its own parts.
func coldStarts(ctx context.Context, n, reps int) (first, median benchwire.ColdStart, err error) {
	var colds []benchwire.ColdStart
	for range max(reps, 1) {
		c, err := coldStart(ctx, n)
		if err != nil {
			return first, median, err
		}
		colds = append(colds, *c)
	}
	first = colds[0]
	slices.SortFunc(colds, func(a, b benchwire.ColdStart) int { return cmp.Compare(a.TotalMS, b.TotalMS) })
	return first, colds[len(colds)/2], nil
}

func bench(cfg benchwire.Config) (*benchwire.Report, error) {
	ctx := context.Background()
	rep := &benchwire.Report{Cores: wasm.HardwareConcurrency(), Isolated: wasm.Isolated(), OverheadUS: map[string]int64{}, OverheadMinUS: map[string]int64{}}

	var err error
	if rep.FirstColdStart, rep.ColdStart, err = coldStarts(ctx, cfg.Pool, cfg.Reps); err != nil {
		return nil, err
	}

	p, err := wasm.NewPool(wasm.Config{Size: cfg.Pool})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if err := p.Warm(ctx); err != nil {
		return nil, err
	}
	for _, k := range cfg.Kernels {
		kr := benchwire.KernelReport{Workload: k.Workload, Params: k.Params, WallUS: map[string]int64{}, AllUS: map[string][]int64{}}
		// The page first, then the workers, as the lab's first run: the
		// page's own code (its share of every run: combining and checking
		// the results) settles too.
		if _, _, err = p.SettlePageRun(ctx, workloads.Request{Workload: k.Workload, Mode: workloads.Sequential, Params: k.Params}); err != nil {
			return nil, err
		}
		if kr.Settle, err = p.SettleRun(ctx, slices.Max(append([]int{1}, cfg.Workers...)), workloads.Request{Workload: k.Workload, Mode: workloads.Sequential, Params: k.Params}); err != nil {
			return nil, err
		}
		st := p.Stats()
		log("%s: settled %d workers (%d agreed) in %.0f ms: %v ms each; %d primed with %d untimed runs in %.0f ms; threads running together %.2f (settled %v, %.0f ms); cores reported %d, measured %d (%.2f)",
			k.Workload, kr.Settle.Workers, kr.Settle.Settled, kr.Settle.MS, kr.Settle.WorkerMS, kr.Settle.Primed, kr.Settle.PrimeRuns, kr.Settle.PrimeMS,
			kr.Settle.Together, kr.Settle.TogetherSettled, kr.Settle.TogetherMS, st.ReportedCores, st.MeasuredCores, st.CoresRatio)
		type run struct {
			key  string
			mode workloads.Mode
			n    int
		}
		runs := []run{{"sequential", workloads.Sequential, 1}, {fmt.Sprintf("cooperative/%d", cfg.Coop), wasm.Cooperative, cfg.Coop}}
		for _, n := range cfg.Workers {
			runs = append(runs, run{fmt.Sprintf("workers/%d", n), wasm.Workers, n})
		}
		// Rounds interleave the modes, so a burst of load on the machine
		// hits all of them alike.
		for range cfg.Reps {
			for _, r := range runs {
				res, err := p.Run(ctx, workloads.Request{Workload: k.Workload, Mode: r.mode, Workers: r.n, Params: k.Params, TimeoutMS: workloads.MaxTimeoutMS}, nil)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", k.Workload, r.key, err)
				}
				if !res.Check.OK {
					return nil, fmt.Errorf("%s %s: check failed: %+v", k.Workload, r.key, res.Check)
				}
				kr.AllUS[r.key] = append(kr.AllUS[r.key], res.WallUS)
				rep.Browser = res.Facts.Browser
			}
		}
		// The control after the runs: before them it would sit between
		// the settling and the first round.
		if kr.ControlSpeedUp, err = jsenv.Parallelism(ctx); err != nil {
			return nil, err
		}
		for key, v := range kr.AllUS {
			kr.WallUS[key] = median(v)
		}
		log("%s: %v; the workers' last collections of a run's garbage took %v ms", k.Workload, kr.WallUS, p.Stats().CollectMS)
		rep.Kernels = append(rep.Kernels, kr)
	}

	// Warm per-run overhead: a run with nearly nothing to do, timed after
	// ten untimed ones (the browser optimises the message path as it is
	// used: the first forty runs of a page cost 2-4x the later ones).
	tiny := map[string]any{"count": 1}
	for _, m := range []struct {
		key  string
		mode workloads.Mode
		n    int
	}{{"sequential", workloads.Sequential, 1}, {"cooperative", wasm.Cooperative, 1}, {"workers/1", wasm.Workers, 1}, {fmt.Sprintf("workers/%d", cfg.Pool), wasm.Workers, cfg.Pool}} {
		var walls []int64
		for i := range 10 + max(5*cfg.Reps, 40) {
			res, err := p.Run(ctx, workloads.Request{Workload: "countdown", Mode: m.mode, Workers: m.n, Params: tiny}, nil)
			if err != nil {
				return nil, err
			}
			if i >= 10 {
				walls = append(walls, res.WallUS)
			}
		}
		rep.OverheadUS[m.key] = median(walls)
		rep.OverheadMinUS[m.key] = slices.Min(walls)
		log("warm per-run overhead, %s: median %d µs, best %d µs", m.key, rep.OverheadUS[m.key], rep.OverheadMinUS[m.key])
	}

	return rep, nil
}

func log(format string, a ...any) { fmt.Fprintf(os.Stderr, "benchdriver: "+format+"\n", a...) }

func median(xs []int64) int64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
