package main

import (
	"bytes"
	"conlab/app/internal/browsertest"
	"conlab/app/internal/webdriver"
	"conlab/wasm/benchwire"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// bench is what every engine's browser half shares: the programs built
// once, the configuration, and the native runs to compare with.
type bench struct {
	root, tmp                string
	driver, worker, workerGz string
	wasmExec                 string
	cfg                      benchwire.Config
	browser                  string // Chromium's path, or "": on PATH
	loads, visits            int
	native                   map[string]nativeRun // by workload
}

// nativeRun is a kernel's native times: medians and every run, by key.
type nativeRun struct {
	median map[string]int64
	all    map[string][]int64
}

// parseEngines reads -engines: a comma-separated list of engine names,
// every engine when empty.
func parseEngines(list string) ([]webdriver.Engine, error) {
	if strings.TrimSpace(list) == "" {
		return webdriver.Engines, nil
	}
	var out []webdriver.Engine
	for _, name := range strings.Split(list, ",") {
		e := webdriver.Engine(strings.ToLower(strings.TrimSpace(name)))
		if !slices.Contains(webdriver.Engines, e) {
			return nil, fmt.Errorf("-engines %q: no engine %q; the engines are chromium, firefox and webkit", list, name)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// engine runs the browser half in engine e: b.loads page loads, each in
// a fresh browser (the first one then reloads the page b.visits-1 times
// for the later visits' cold starts), then the floor, and computes each
// kernel's figures from the first load against the native runs.
func (b *bench) engine(ctx context.Context, e webdriver.Engine) (*EngineReport, error) {
	er := &EngineReport{Engine: string(e), LoadBefore: loadAverage(), Kernels: map[string]KernelFigure{}}
	cfgJSON, _ := json.Marshal(b.cfg)
	files := map[string]string{"worker.wasm": b.worker, "worker.wasm.gz": b.workerGz, "wasm_exec.js": b.wasmExec}
	var first *benchwire.Report
	var loads [][]map[string]float64 // by load, by benchwire.Kernel
	var laters [][]float64           // by load, by benchwire.Kernel
	for load := 1; load <= b.loads; load++ {
		visits := 1
		if load == 1 {
			visits = b.visits
		}
		fmt.Fprintf(os.Stderr, "browserbench: running in %s, page load %d of %d\n", e.Title(), load, b.loads)
		var stdout bytes.Buffer
		code, err := browsertest.Run(ctx, browsertest.Options{
			Program: b.driver,
			Args:    []string{"-config", string(cfgJSON)},
			Web:     filepath.Join(b.root, "public", "web"),
			Files:   files,
			Engine:  e,
			Browser: b.browser,
			Timeout: 30 * time.Minute,
			Visits:  visits,
			Stdout:  &stdout,
			Stderr:  os.Stderr,
			Log:     os.Stderr,
		})
		if err != nil {
			return nil, err
		}
		if code != 0 {
			return nil, fmt.Errorf("the browser half exited with code %d", code)
		}
		br, revisits, err := parseDriver(&stdout)
		if err != nil {
			return nil, err
		}
		if len(revisits) != visits-1 {
			return nil, fmt.Errorf("the browser half reported %d later visits, want %d", len(revisits), visits-1)
		}
		if len(br.Kernels) != len(b.cfg.Kernels) {
			return nil, fmt.Errorf("the browser's report has %d kernels, want %d", len(br.Kernels), len(b.cfg.Kernels))
		}
		var fr []map[string]float64
		var later []float64
		for i, k := range b.cfg.Kernels {
			if br.Kernels[i].Workload != k.Workload {
				return nil, fmt.Errorf("the browser's report has %s where %s was asked for", br.Kernels[i].Workload, k.Workload)
			}
			m, _ := firstRound(br.Kernels[i].AllUS)
			fr = append(fr, m)
			later = append(later, laterRounds(br.Kernels[i].AllUS))
		}
		loads, laters = append(loads, fr), append(laters, later)
		if load == 1 {
			first, er.Revisits = br, revisits
		}
	}
	floor, err := floorColdStart(ctx, b, e)
	if err != nil {
		return nil, err
	}
	er.Browser, er.BrowserCores, er.Floor = first.Browser, first.Cores, floor
	er.ColdStart, er.FirstCold, er.OverheadUS, er.OverheadMin = first.ColdStart, first.FirstColdStart, first.OverheadUS, first.OverheadMinUS
	for i, k := range b.cfg.Kernels {
		bk, nat := first.Kernels[i], b.native[k.Workload]
		f := figures(k, bk.WallUS, nat.median, b.cfg)
		f.ControlSpeedUp, f.Rounds = bk.ControlSpeedUp, bk.AllUS
		f.bestEfficiency(bk.AllUS, b.cfg)
		f.Settle = &bk.Settle
		f.FirstRound, f.FirstRoundError = firstRound(bk.AllUS)
		for l, fr := range loads {
			f.FirstRoundLoads = append(f.FirstRoundLoads, fr[i])
			f.LaterRoundLoads = append(f.LaterRoundLoads, laters[l][i])
		}
		f.OneWorkerSeqPaired = pairedRatio(bk.AllUS["workers/1"], bk.AllUS["sequential"])
		if w, n := bk.AllUS["sequential"], nat.all["sequential"]; len(w) > 0 && len(n) > 0 {
			f.WasmNativeBest = float64(slices.Min(w)) / float64(max(slices.Min(n), 1))
		}
		er.Kernels[k.Workload] = f
	}
	er.LoadAfter = loadAverage()
	return er, nil
}
