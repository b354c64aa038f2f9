//go:build !wasm

package main

// conlab run: one native run, optionally compared with a sequential one.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"conlab/app/server"
	"conlab/workloads"
)

// params collects repeated -param name=value flags.
type params map[string]any

func (p params) String() string {
	keys := make([]string, 0, len(p))
	for k, v := range p {
		keys = append(keys, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

func (p params) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	if _, dup := p[k]; dup {
		return fmt.Errorf("parameter %s given twice", k)
	}
	// Values stay strings: the workload's declaration parses them, with
	// its bounds, exactly as it parses a URL's.
	p[k] = strings.TrimSpace(v)
	return nil
}

// comparison is the JSON of `conlab run -compare -json`.
type comparison struct {
	Result     *workloads.Result `json:"result"`
	Sequential *workloads.Result `json:"sequential"`
	Speedup    float64           `json:"speedup"` // sequential wall time / result's
}

// cmdRun runs one request natively in this process (or step by step, or
// a search for a schedule) and prints the result; -compare adds a
// sequential run and the speed-up.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "-workload ID [flags]", stderr)
	id := fs.String("workload", "", "the workload's id (see conlab list)")
	mode := fs.String("mode", string(workloads.Goroutines), "sequential or goroutines")
	workers := fs.Int("workers", min(runtime.NumCPU(), workloads.MaxWorkers), "lanes: goroutines, and the tasks the work is split into")
	ps := params{}
	fs.Var(ps, "param", "a parameter as name=value; repeat for several")
	procs := fs.Int("gomaxprocs", 0, "GOMAXPROCS for the run (0: leave it, every core)")
	timeout := fs.Duration("timeout", workloads.DefaultTimeoutMS*time.Millisecond, "the run's deadline")
	compare := fs.Bool("compare", false, "also run it sequentially and report the speed-up")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	request := fs.String("request", "", "read the whole request as JSON from this file (- for stdin) instead of the flags above")
	schedule := fs.String("schedule", "", "run step by step, the goroutines going in this order, e.g. 0.1.1.0, 0,1*3,0 or 1~stop (see the README's step mode)")
	sf := stepFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *request != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, name := range []string{"workload", "mode", "workers", "param", "gomaxprocs", "timeout", "compare", "schedule", "find"} {
			if set[name] {
				return &usageError{fmt.Sprintf("run: -%s cannot be combined with -request (the request holds it)", name)}
			}
		}
		in := stdin
		if *request != "-" {
			f, err := os.Open(*request)
			if err != nil {
				return &usageError{fmt.Sprintf("run: %v", err)}
			}
			defer f.Close()
			in = f
		}
		if *asJSON {
			// The server's child protocol: the result is printed even
			// when the run failed.
			return server.RunJSON(ctx, in, stdout)
		}
		req, err := server.DecodeRequest(io.LimitReader(in, 1<<20))
		if err != nil {
			return err
		}
		res, err := server.Execute(ctx, req)
		if res != nil {
			printResult(stdout, res, nil)
		}
		return err
	}
	if *id == "" {
		fs.Usage()
		return &usageError{"run: -workload is required (see conlab list)"}
	}
	if *timeout < time.Millisecond {
		return &workloads.ParamError{Field: "timeout", Msg: fmt.Sprintf("timeout: %v is too short; allowed: 1ms to %v", *timeout, workloads.MaxTimeoutMS*time.Millisecond)}
	}
	req := workloads.Request{
		Workload: *id, Mode: workloads.Mode(*mode), Workers: *workers, Params: ps,
		GOMAXPROCS: *procs, TimeoutMS: timeout.Milliseconds(), Schedule: *schedule,
	}
	if req.Workers == 0 {
		// 0 means "the default" to the engine; on the command line it is
		// a mistake.
		return &workloads.ParamError{Field: "workers", Msg: fmt.Sprintf("workers: 0 is out of range; allowed: a whole number from 1 to %d", workloads.MaxWorkers)}
	}
	if *compare && (req.Schedule != "" || sf.find != "") {
		return &usageError{"run: -compare times runs; a step-by-step run (-schedule, -find) counts steps, not time"}
	}
	if sf.find != "" {
		return sf.run(ctx, req, *asJSON, stdout)
	}
	// Validate before the sequential run, so a bad flag fails at once.
	if _, err := server.PrepareNative(req); err != nil {
		return err
	}
	var seq *workloads.Result
	if *compare {
		if req.Mode == workloads.Sequential {
			return &usageError{"run: -compare compares with a sequential run; use it with -mode goroutines"}
		}
		s := req
		s.Mode = workloads.Sequential
		res, err := server.Execute(ctx, s)
		if err != nil {
			if res != nil && !*asJSON {
				printResult(stdout, res, nil)
			}
			return fmt.Errorf("the sequential run for -compare failed: %w", err)
		}
		seq = res
	}
	res, err := server.Execute(ctx, req)
	if res == nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		var v any = res
		if seq != nil {
			v = comparison{Result: res, Sequential: seq, Speedup: speedup(seq, res)}
		}
		if werr := enc.Encode(v); werr != nil && err == nil {
			err = werr
		}
		return err
	}
	printResult(stdout, res, seq)
	return err
}

// speedup is seq's wall time over res's; 0 when res has none.
func speedup(seq, res *workloads.Result) float64 {
	if res.WallUS <= 0 {
		return 0
	}
	return float64(seq.WallUS) / float64(res.WallUS)
}
