package main

import (
	"bytes"
	"conlab/app/internal/browsertest"
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

// run builds the benchmark's programs, runs the browser half, then the
// native half, and prints and writes the report.
func run(ctx context.Context, o options) error {
	out, reps, quick, browser := o.out, o.reps, o.quick, o.browser
	if reps < 1 || reps > 100 {
		return fmt.Errorf("-reps %d: allowed 1 to 100", reps)
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
	cfg := config{Reps: reps, Workers: []int{1, 2, 4}, Coop: 4, Pool: 4}
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
		cfg.Kernels = append(cfg.Kernels, kernel{Workload: w.ID, Params: params})
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
	loadBefore := loadAverage()
	cfgJSON, _ := json.Marshal(cfg)
	var stdout bytes.Buffer
	// Then the page is loaded again a few times: its first pool then
	// finds the browser's caches filled.
	visits := 5
	if quick {
		visits = 2
	}
	fmt.Fprintln(os.Stderr, "browserbench: running in Chromium")
	code, err := browsertest.Run(ctx, browsertest.Options{
		Program: driver,
		Args:    []string{"-config", string(cfgJSON)},
		Web:     filepath.Join(root, "public", "web"),
		Files:   map[string]string{"worker.wasm": worker, "worker.wasm.gz": workerGz, "wasm_exec.js": wasmExec},
		Browser: browser,
		Timeout: 30 * time.Minute,
		Visits:  visits,
		Stdout:  &stdout,
		Stderr:  os.Stderr,
	})
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("the browser half exited with code %d", code)
	}
	br, revisits, err := parseDriver(&stdout)
	if err != nil {
		return err
	}
	if len(revisits) != visits-1 {
		return fmt.Errorf("the browser half reported %d later visits, want %d", len(revisits), visits-1)
	}

	floor, err := floorColdStart(ctx, root, tmp, driver, wasmExec, cfg, browser)
	if err != nil {
		return err
	}

	fmt.Fprintln(os.Stderr, "browserbench: running natively")
	rep := Report{
		Date: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(),
		GOWASM: o.gowasm, LoadBefore: loadBefore, Worker: wasmSizes(worker, workerGz),
		Browser: br.Browser, BrowserCores: br.Cores, Reps: reps, ColdStart: br.ColdStart, FirstCold: br.FirstColdStart, Revisits: revisits, Floor: floor, OverheadUS: br.OverheadUS, OverheadMin: br.OverheadMinUS,
		Kernels: map[string]KernelFigure{},
	}
	for i, k := range cfg.Kernels {
		native, nativeAll, err := nativeTimes(ctx, k, cfg.Workers, reps)
		if err != nil {
			return err
		}
		if i >= len(br.Kernels) || br.Kernels[i].Workload != k.Workload {
			return fmt.Errorf("the browser's report has no %s", k.Workload)
		}
		f := figures(k, br.Kernels[i].WallUS, native, cfg)
		f.ControlSpeedUp = br.Kernels[i].ControlSpeedUp
		f.bestEfficiency(br.Kernels[i].AllUS, cfg)
		f.Settle = br.Kernels[i].Settle
		f.FirstRound, f.FirstRoundError = firstRound(br.Kernels[i].AllUS)
		f.OneWorkerSeqPaired = pairedRatio(br.Kernels[i].AllUS["workers/1"], br.Kernels[i].AllUS["sequential"])
		if w, n := br.Kernels[i].AllUS["sequential"], nativeAll["sequential"]; len(w) > 0 && len(n) > 0 {
			f.WasmNativeBest = float64(slices.Min(w)) / float64(max(slices.Min(n), 1))
		}
		rep.Kernels[k.Workload] = f
	}
	rep.LoadAfter = loadAverage()
	printTable(os.Stdout, &rep, cfg)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Println("browserbench: wrote", abs)
	return nil
}
