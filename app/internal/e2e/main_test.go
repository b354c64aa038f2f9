//go:build !wasm

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"conlab/app/internal/browsertest"
	"conlab/app/internal/site"
	"conlab/workloads"
)

// The lab the tests visit, built once for the package: the wasm
// binaries, a recorded baseline, and the static site made of them.

var (
	siteOnce sync.Once
	siteDir  string
	siteErr  error
	siteOpts site.Options // what built siteDir
	tmpRoot  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpRoot != "" {
		os.RemoveAll(tmpRoot)
	}
	os.Exit(code)
}

// builtSite builds the wasm binaries and the static site once for every
// test of the package.
func builtSite(t *testing.T) string {
	t.Helper()
	siteOnce.Do(func() {
		start := time.Now()
		siteDir, siteErr = buildSite()
		if siteErr == nil {
			t.Logf("built the wasm binaries and the site in %v", time.Since(start).Round(time.Millisecond))
		}
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteDir
}

func buildSite() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	if tmpRoot, err = os.MkdirTemp("", "conlab-e2e-"); err != nil {
		return "", err
	}
	bins := map[string]string{"./app": "app.wasm", "./wasm/worker": "worker.wasm"}
	for _, pkg := range []string{"./app", "./wasm/worker"} {
		tags := "" // the UI shows the lessons' sources; the workers leave them out
		if pkg == "./wasm/worker" {
			tags = browsertest.WorkerTag
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", tags, "-o", filepath.Join(tmpRoot, bins[pkg]), pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building %s for the browser: %v\n%s", pkg, err, out)
		}
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	baseline := filepath.Join(tmpRoot, "baseline.json")
	if err := writeBaseline(ctx, baseline); err != nil {
		return "", err
	}
	siteOpts = site.Options{
		Dir:        filepath.Join(tmpRoot, "site"),
		Public:     filepath.Join(root, "public"),
		AppWasm:    filepath.Join(tmpRoot, "app.wasm"),
		WorkerWasm: filepath.Join(tmpRoot, "worker.wasm"),
		WasmExec:   filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js"),
		Baseline:   baseline,
	}
	s, err := site.Generate(ctx, siteOpts)
	if err != nil {
		return "", err
	}
	return s.Dir, nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("the tests must run inside the conlab module")
	}
	return filepath.Dir(mod), nil
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
