//go:build !wasm

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"conlab/app/internal/browsertest"
	"conlab/app/internal/site"
	"conlab/workloads"
)

// The lab the tests visit, built once for the package: the wasm
// binaries, a recorded baseline, and the static site made of them.

var (
	labSite  = browsertest.Once("conlab-e2e-", 15*time.Minute, buildSite)
	builtLab *browsertest.Lab // the binaries the site is made of
	siteOpts site.Options     // what built the site
)

func TestMain(m *testing.M) {
	code := m.Run()
	labSite.Remove()
	os.Exit(code)
}

// builtSite builds the wasm binaries and the static site once for every
// test of the package, and returns the site's folder.
func builtSite(t *testing.T) string {
	t.Helper()
	return labSite.Get(t)
}

// buildSite builds the lab's binaries, a baseline and the static site
// made of them into dir.
func buildSite(ctx context.Context, dir string) (string, error) {
	lab, err := browsertest.BuildLab(ctx, dir)
	if err != nil {
		return "", err
	}
	builtLab = lab
	baseline := filepath.Join(dir, "baseline.json")
	if err := writeBaseline(ctx, baseline); err != nil {
		return "", err
	}
	siteOpts = site.Options{
		Dir:        filepath.Join(dir, "site"),
		Public:     filepath.Join(lab.Root, "public"),
		AppWasm:    lab.AppWasm,
		WorkerWasm: lab.WorkerWasm,
		WasmExec:   lab.WasmExec,
		Baseline:   baseline,
	}
	s, err := site.Generate(ctx, siteOpts)
	if err != nil {
		return "", err
	}
	return s.Dir, nil
}

// writeBaseline records a small native baseline, in the form `conlab
// baseline` writes, for the site to ship.
func writeBaseline(ctx context.Context, name string) error {
	var results []*workloads.Result
	for _, mode := range []workloads.Mode{workloads.Sequential, workloads.Goroutines} {
		res, err := workloads.Run(ctx, workloads.Request{Workload: "countdown", Mode: mode, Workers: 2, Params: map[string]any{"count": 100_000}}, workloads.Options{})
		if err != nil {
			return fmt.Errorf("native baseline run: %w", err)
		}
		results = append(results, res)
	}
	b, err := json.Marshal(map[string]any{
		"format": 1, "date": time.Now().UTC(), "quick": true,
		"machine": map[string]any{"numcpu": runtime.NumCPU(), "goos": runtime.GOOS, "goarch": runtime.GOARCH, "go_version": runtime.Version()},
		"results": results,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}
