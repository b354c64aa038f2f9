package main

import (
	"conlab/app/internal/browsertest"
	"conlab/app/internal/webdriver"
	"conlab/wasm/benchwire"
	"conlab/workloads"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// run builds the benchmark's programs, runs the native half, then the
// browser half in each engine asked for that is installed (saying which
// are not), and prints and writes the report. An engine whose browser
// half fails is reported as failed after the others have run.
func run(ctx context.Context, o options) error {
	out, reps, quick, browser := o.out, o.reps, o.quick, o.browser
	if reps < 1 || reps > 100 {
		return fmt.Errorf("-reps %d: allowed 1 to 100", reps)
	}
	if o.loads < 1 || o.loads > 20 {
		return fmt.Errorf("-loads %d: allowed 1 to 20", o.loads)
	}
	engines, err := parseEngines(o.engines)
	if err != nil {
		return err
	}
	if strings.ContainsAny(o.gowasm, " =\n") {
		return fmt.Errorf("-gowasm %q: want a comma-separated list of features", o.gowasm)
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := browsertest.ModuleRoot(wd, "conlab")
	if err != nil {
		return err
	}
	sizes := benchParams
	if quick {
		sizes = quickParams
	}
	cfg := benchwire.Config{Reps: reps, Workers: []int{1, 2, 4}, Coop: 4, Pool: 4}
	for _, w := range workloads.All() {
		if w.Kind != workloads.CPU && w.Kind != workloads.CPUMemory && w.Kind != workloads.DataParallel {
			continue
		}
		if o.only != "" && !slices.Contains(strings.Split(o.only, ","), w.ID) {
			continue
		}
		params := sizes[w.ID]
		if params == nil {
			params = map[string]any{}
		}
		cfg.Kernels = append(cfg.Kernels, benchwire.Kernel{Workload: w.ID, Params: params})
	}

	tmp, err := os.MkdirTemp("", "conlab-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	driver, worker := filepath.Join(tmp, "driver.wasm"), filepath.Join(tmp, "worker.wasm")
	fmt.Fprintln(os.Stderr, "browserbench: building worker.wasm and the driver")
	if o.gowasm != "" {
		os.Setenv("GOWASM", o.gowasm)
	}
	if err := browsertest.BuildWorker(ctx, root, worker); err != nil {
		return err
	}
	if err := browsertest.BuildWasm(ctx, root, "./wasm/internal/benchdriver", driver); err != nil {
		return err
	}
	// The page downloads worker.wasm compressed, as from conlab serve or
	// a static host: the cold start's compile includes the download.
	workerGz := worker + ".gz"
	if err := gzipFile(worker, workerGz); err != nil {
		return err
	}
	wasmExec, err := browsertest.WasmExecJS(ctx)
	if err != nil {
		return err
	}
	if len(cfg.Kernels) == 0 {
		return fmt.Errorf("-kernels %q: no CPU kernel of that name", o.only)
	}
	b := &bench{root: root, tmp: tmp, driver: driver, worker: worker, workerGz: workerGz, wasmExec: wasmExec,
		cfg: cfg, browser: browser, loads: o.loads, visits: 5, native: map[string]nativeRun{}}
	if quick {
		b.visits = 2
	}
	rep := Report{
		Date: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(),
		GOWASM: o.gowasm, LoadBefore: loadAverage(), Worker: wasmSizes(worker, workerGz), Reps: reps, Loads: o.loads,
		Skipped: map[string]string{}, Failed: map[string]string{},
	}
	fmt.Fprintln(os.Stderr, "browserbench: running natively")
	for _, k := range cfg.Kernels {
		med, all, err := nativeTimes(ctx, k, cfg.Workers, reps)
		if err != nil {
			return err
		}
		b.native[k.Workload] = nativeRun{med, all}
	}
	for _, e := range engines {
		if e != webdriver.Chromium || browser == "" {
			if _, err := webdriver.Find(e); err != nil {
				fmt.Fprintf(os.Stderr, "browserbench: %s skipped: %v\n", e.Title(), err)
				rep.Skipped[string(e)] = err.Error()
				continue
			}
		}
		er, err := b.engine(ctx, e)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "browserbench: %s failed: %v\n", e.Title(), err)
			rep.Failed[string(e)] = err.Error()
			continue
		}
		rep.Engines = append(rep.Engines, *er)
	}
	rep.LoadAfter = loadAverage()
	for i := range rep.Engines {
		printTable(os.Stdout, &rep, &rep.Engines[i], cfg)
	}
	printSummary(os.Stdout, &rep, cfg)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(out, append(js, '\n'), 0o644); err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Println("browserbench: wrote", abs)
	if len(rep.Engines) == 0 {
		return fmt.Errorf("no engine was measured (skipped: %v; failed: %v)", rep.Skipped, rep.Failed)
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d engine(s) failed: %v", len(rep.Failed), rep.Failed)
	}
	return nil
}
