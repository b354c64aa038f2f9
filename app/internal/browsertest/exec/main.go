// Command exec runs a GOOS=js GOARCH=wasm program in headless Chromium
// (or Firefox ESR, or WebKitGTK): a `go test -exec` runner for the
// browser engine's tests.
//
//	go build -o bin/wasmbrowser ./app/internal/browsertest/exec
//	GOOS=js GOARCH=wasm go test -exec=$PWD/bin/wasmbrowser ./wasm/...
//
// It serves the program with the site's public/web folder, plus
// worker.wasm freshly built from wasm/worker with the build tag
// conlabtest (so the workers know the tests' own workloads) and the
// toolchain's wasm_exec.js. Environment:
//
//	CONLAB_ENGINE       chromium (default), firefox or webkit
//	CONLAB_BROWSER      Chromium's path (default: chromium on PATH)
//	CONLAB_WEB          the web folder (default: public/web of the module)
//	CONLAB_WORKER_WASM  a worker.wasm to serve instead of building one
//	CONLAB_ISOLATE=1    serve with COOP/COEP: a cross-origin isolated page
//	CONLAB_TIMEOUT      bound of the whole run, e.g. 20m (default 30m)
//	CONLAB_BROWSER_LOG=all  relay every console message of the browser,
//	                    the workers' too (default: errors and warnings)
//
// Every CONLAB_* variable is passed on to the program's environment.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"conlab/app/internal/browsertest"
	"conlab/app/internal/webdriver"
)

func main() {
	code, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmbrowser:", err)
	}
	os.Exit(code)
}

func run() (int, error) {
	if len(os.Args) < 2 {
		return 2, fmt.Errorf("usage: %s PROGRAM.wasm [ARGS...]", filepath.Base(os.Args[0]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	wd, err := os.Getwd()
	if err != nil {
		return 1, err
	}
	root, err := browsertest.ModuleRoot(wd, "conlab")
	if err != nil {
		return 1, err
	}
	opt := browsertest.Options{
		Program: os.Args[1],
		Args:    os.Args[2:],
		Env:     map[string]string{},
		Web:     filepath.Join(root, "public", "web"),
		Files:   map[string]string{},
		Isolate: os.Getenv("CONLAB_ISOLATE") == "1",
		Browser: os.Getenv("CONLAB_BROWSER"),
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Log:     os.Stderr,
		LogAll:  os.Getenv("CONLAB_BROWSER_LOG") == "all",
	}
	switch e := webdriver.Engine(os.Getenv("CONLAB_ENGINE")); e {
	case "", webdriver.Chromium, webdriver.Firefox, webdriver.WebKit:
		opt.Engine = e
	default:
		return 2, fmt.Errorf("CONLAB_ENGINE %q: want one of %v", e, webdriver.Engines)
	}
	if v := os.Getenv("CONLAB_WEB"); v != "" {
		opt.Web = v
	}
	if v := os.Getenv("CONLAB_TIMEOUT"); v != "" {
		if opt.Timeout, err = time.ParseDuration(v); err != nil {
			return 2, fmt.Errorf("CONLAB_TIMEOUT: %w", err)
		}
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "CONLAB_") {
			opt.Env[k] = v
		}
	}
	if opt.Files["wasm_exec.js"], err = browsertest.WasmExecJS(ctx); err != nil {
		return 1, err
	}
	worker := os.Getenv("CONLAB_WORKER_WASM")
	if worker == "" {
		dir, err := os.MkdirTemp("", "conlab-worker-")
		if err != nil {
			return 1, err
		}
		defer os.RemoveAll(dir)
		worker = filepath.Join(dir, "worker.wasm")
		if err := browsertest.BuildWorker(ctx, root, worker, "conlabtest"); err != nil {
			return 1, err
		}
	}
	opt.Files["worker.wasm"] = worker
	return browsertest.Run(ctx, opt)
}
