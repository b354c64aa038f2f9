//go:build !wasm

package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"conlab/workloads"
)

// BaselineFormat is the version of the [Baseline] file format. It changes
// only when a field changes meaning or goes away; new fields may appear.
const BaselineFormat = 1

// Baseline is the recorded native baseline written by `conlab baseline`
// and shipped with the static site: every workload's default run natively
// at GOMAXPROCS 1 and N, with the facts of the machine that ran them. Each
// run is a workloads.Result, unchanged: its workload, mode, workers and
// facts (GOMAXPROCS among them) say which run it is. A run that failed
// has Error set: the deadlock workload's does by design; a run that
// produced no result at all (its process crashed or was killed) is a
// Result with only those coordinates and Error.
//
// JSON form:
//
//	{"format": 1, "date": "2026-11-02T10:00:00Z",
//	 "machine": {"cpu": "AMD EPYC 7B13", "numcpu": 2, "goos": "linux",
//	             "goarch": "amd64", "go_version": "go1.26.8"},
//	 "results": [{"workload": "countdown", "mode": "sequential", "workers": 2,
//	              "wall_us": 812345, "facts": {"gomaxprocs": 1, ...}, ...},
//	             ...]}
type Baseline struct {
	Format  int       `json:"format"`
	Date    time.Time `json:"date"` // when the recording started, UTC
	Machine Machine   `json:"machine"`
	// Quick is set when the runs used each workload's Quick parameters
	// (a smoke test) instead of its defaults.
	Quick   bool               `json:"quick,omitempty"`
	Results []workloads.Result `json:"results"`
}

// Machine describes the computer a baseline was recorded on.
type Machine struct {
	CPU       string `json:"cpu,omitempty"` // model name, where the OS says it
	NumCPU    int    `json:"numcpu"`        // logical CPUs (runtime.NumCPU)
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	GoVersion string `json:"go_version"`
}

// BaselineOptions configure [RecordBaseline]. Spawner is required.
type BaselineOptions struct {
	Spawner *Spawner
	// N is the lane count and the larger GOMAXPROCS; 0 means
	// runtime.NumCPU().
	N int
	// Timeout bounds each run; 0 means workloads.DefaultTimeoutMS.
	Timeout time.Duration
	// Workloads selects workloads by id; nil means the whole catalog.
	Workloads []string
	// Quick uses each workload's Quick parameters instead of its defaults.
	Quick bool
	// Progress, if set, is called after each run.
	Progress func(workloads.Result)
}

// BaselineRequests returns the requests of a baseline with n lanes, in
// order: for each workload, sequential at GOMAXPROCS 1 and goroutines at
// GOMAXPROCS 1 and n.
func BaselineRequests(ws []*workloads.Workload, n int, quick bool) []workloads.Request {
	var out []workloads.Request
	for _, w := range ws {
		var params map[string]any
		if quick {
			params = w.Quick
		}
		add := func(m workloads.Mode, procs int) {
			out = append(out, workloads.Request{Workload: w.ID, Mode: m, Workers: n, GOMAXPROCS: procs, Params: params})
		}
		add(workloads.Sequential, 1)
		add(workloads.Goroutines, 1)
		if n > 1 {
			add(workloads.Goroutines, n)
		}
	}
	return out
}

// RecordBaseline runs the baseline's requests one after another, each in a
// child process so each has its own GOMAXPROCS and no run disturbs the
// next. A failing run is recorded with its error and the recording goes
// on; the error is non-nil only for bad options or when ctx is done.
func RecordBaseline(ctx context.Context, opt BaselineOptions) (*Baseline, error) {
	if opt.Spawner == nil {
		return nil, fmt.Errorf("baseline: no spawner")
	}
	n := opt.N
	if n == 0 {
		n = runtime.NumCPU()
	}
	if n < 1 || n > workloads.MaxWorkers {
		return nil, &workloads.ParamError{Field: "n", Msg: fmt.Sprintf("n: %d is out of range; allowed: 1 to %d", n, workloads.MaxWorkers)}
	}
	timeout := opt.Timeout
	if timeout == 0 {
		timeout = workloads.DefaultTimeoutMS * time.Millisecond
	}
	if timeout < time.Millisecond || timeout > workloads.MaxTimeoutMS*time.Millisecond {
		return nil, &workloads.ParamError{Field: "timeout", Msg: fmt.Sprintf("timeout: %v is out of range; allowed: 1ms to %v", timeout, workloads.MaxTimeoutMS*time.Millisecond)}
	}
	ws := workloads.All()
	if opt.Workloads != nil {
		ws = ws[:0:0]
		for _, id := range opt.Workloads {
			w, err := workloads.Lookup(id)
			if err != nil {
				return nil, err
			}
			ws = append(ws, w)
		}
	}
	b := &Baseline{
		Format:  BaselineFormat,
		Date:    time.Now().UTC().Truncate(time.Second),
		Machine: ThisMachine(),
		Quick:   opt.Quick,
		Results: []workloads.Result{},
	}
	for _, req := range BaselineRequests(ws, n, opt.Quick) {
		req.TimeoutMS = timeout.Milliseconds()
		var res workloads.Result
		cr, err := opt.Spawner.Run(ctx, req)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil {
			res = *cr.Result
		} else {
			res = failedResult(req, err)
		}
		b.Results = append(b.Results, res)
		if opt.Progress != nil {
			opt.Progress(res)
		}
	}
	return b, nil
}

// failedResult is the Result of a run that produced none: its coordinates,
// the parameters it would have used, and the error.
func failedResult(req workloads.Request, err error) workloads.Result {
	m := ThisMachine()
	res := workloads.Result{
		Workload: req.Workload, Mode: req.Mode, Workers: req.Workers, Params: req.Params,
		Spans: []workloads.Span{}, Error: err.Error(),
		Facts: workloads.Facts{Engine: "native", GOOS: m.GOOS, GOARCH: m.GOARCH, GOMAXPROCS: req.GOMAXPROCS, NumCPU: m.NumCPU, GoVersion: m.GoVersion, CPU: m.CPU},
	}
	if job, perr := workloads.Prepare(req); perr == nil {
		res.Params = job.Args.Map()
	}
	return res
}

// ThisMachine returns the facts of the machine this process runs on.
func ThisMachine() Machine {
	return Machine{CPU: CPUModel(), NumCPU: runtime.NumCPU(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version()}
}

// WriteFile writes b as indented JSON to name, atomically: readers (a
// server answering /api/baseline) see the old file or the new one, never
// half of it.
func (b *Baseline) WriteFile(name string) error {
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".baseline-*.json")
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
