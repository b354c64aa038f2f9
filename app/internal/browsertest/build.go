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

// Lab is the lab's browser half built from source, as make build puts it
// in public/web, in a folder of a test's own.
type Lab struct {
	Root       string // the conlab module's folder
	AppWasm    string // the UI: ./app
	WorkerWasm string // the workers' program: ./wasm/worker, with WorkerTag
	WasmExec   string // the toolchain's wasm_exec.js
}

// BuildLab builds app.wasm and worker.wasm of the conlab module holding
// the working folder into dir, stripped as make build ships them.
func BuildLab(ctx context.Context, dir string) (*Lab, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root, err := ModuleRoot(wd, "conlab")
	if err != nil {
		return nil, err
	}
	l := &Lab{Root: root, AppWasm: filepath.Join(dir, "app.wasm"), WorkerWasm: filepath.Join(dir, "worker.wasm")}
	if err := BuildStripped(ctx, root, "./app", l.AppWasm); err != nil {
		return nil, err
	}
	if err := BuildWorker(ctx, root, l.WorkerWasm); err != nil {
		return nil, err
	}
	if l.WasmExec, err = WasmExecJS(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// CopyWeb writes a web folder at dir as make build leaves public/web: the
// repository's hand-written assets, then the lab's binaries and
// wasm_exec.js. The binaries an earlier make build left in public/web,
// and their compressed copies, stay out: a server would prefer a stale
// app.wasm.br to the fresh app.wasm.
func (l *Lab) CopyWeb(dir string) error {
	src := filepath.Join(l.Root, "public", "web")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if strings.HasSuffix(rel, ".wasm") || strings.HasSuffix(rel, ".br") || strings.HasSuffix(rel, ".gz") || rel == "wasm_exec.js" {
			return nil
		}
		return copyFile(p, filepath.Join(dir, rel))
	})
	if err != nil {
		return err
	}
	for to, from := range map[string]string{"app.wasm": l.AppWasm, "worker.wasm": l.WorkerWasm, "wasm_exec.js": l.WasmExec} {
		if err := copyFile(from, filepath.Join(dir, to)); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies file from to file to, making to's folder.
func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(to), 0o755)
	}
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	return err
}
