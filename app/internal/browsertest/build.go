package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleRoot returns the folder holding the go.mod of module name, found
// from dir upwards.
func ModuleRoot(dir, name string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), "module "+name) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("browsertest: no go.mod of module %s above %s", name, dir)
		}
		d = parent
	}
}

// WorkerTag is the build tag worker.wasm is built with (make build does
// the same): it leaves the lessons' source texts out of the binary.
const WorkerTag = "conlab_nosource"

// BuildWorker builds worker.wasm from module root dir into out as make
// build does (stripped, with WorkerTag), with any other tags.
func BuildWorker(ctx context.Context, dir, out string, tags ...string) error {
	return BuildStripped(ctx, dir, "./wasm/worker", out, append(tags, WorkerTag)...)
}

// BuildStripped builds the js/wasm program in pkg (run from dir) into out
// without symbols, as make build builds the binaries it ships.
func BuildStripped(ctx context.Context, dir, pkg, out string, tags ...string) error {
	return buildWasm(ctx, dir, pkg, out, []string{"-ldflags=-s -w"}, tags)
}

// BuildWasm builds the js/wasm program in pkg (run from dir) into out.
func BuildWasm(ctx context.Context, dir, pkg, out string, tags ...string) error {
	return buildWasm(ctx, dir, pkg, out, nil, tags)
}

func buildWasm(ctx context.Context, dir, pkg, out string, flags, tags []string) error {
	args := append([]string{"build", "-trimpath", "-o", out}, flags...)
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s for js/wasm: %v\n%s", pkg, err, b)
	}
	return nil
}

// WasmExecJS returns the toolchain's wasm_exec.js.
func WasmExecJS(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	p := filepath.Join(strings.TrimSpace(string(b)), "lib", "wasm", "wasm_exec.js")
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}
