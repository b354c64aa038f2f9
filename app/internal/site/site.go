//go:build !wasm

package site

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"conlab/workloads"
)

// Options say where the site is written and what goes in it. Only Dir is
// required; the other fields default to the layout `make build` leaves.
type Options struct {
	// Dir is the folder to write. It must not exist, be empty, or hold a
	// site an earlier Generate wrote, which is replaced whole.
	Dir string
	// Public is the folder whose web/ sub-folder holds the static files
	// (styles, icons, worker.js). Default "public".
	Public string
	// AppWasm is the UI's wasm binary. Default Public/web/app.wasm.
	AppWasm string
	// WorkerWasm is the Web Workers' wasm binary. Default
	// Public/web/worker.wasm.
	WorkerWasm string
	// WasmExec is the toolchain's wasm_exec.js, which must match the Go
	// that built both binaries. Default Public/web/wasm_exec.js, else the
	// copy in `go env GOROOT`.
	WasmExec string
	// Baseline is the recorded native baseline (`conlab baseline -o`),
	// shipped as web/data/baseline.json. Default
	// Public/web/data/baseline.json when it exists; "none" ships none.
	Baseline string
	// Version names this build in the service worker's cache and in
	// lab:ready. Default: a hash of everything the site holds, so an
	// unchanged build does not announce an update.
	Version string
}

// Site describes what Generate wrote.
type Site struct {
	Dir      string
	Version  string
	Files    int   // files written
	Bytes    int64 // their total size
	Baseline bool  // a recorded native baseline is included
}

// placeholder is the prefix the site is rendered with; no output file may
// still contain it.
const placeholder = "/__conlab_prefix__"

// marker is written at the root of every generated site, so Generate
// replaces only folders it made.
const marker = ".conlab-site"

// Generate writes the static site described by opt. Nothing is left
// half-written: the site is built in a temporary folder beside opt.Dir
// and moved into place at the end.
func Generate(ctx context.Context, opt Options) (*Site, error) {
	if err := opt.resolve(ctx); err != nil {
		return nil, err
	}
	if err := checkTarget(opt.Dir); err != nil {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(opt.Dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".conlab-site-*")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	defer os.RemoveAll(tmp)                      // a no-op once renamed into place
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp's 0700 would hide the site from a web server's user
		return nil, fmt.Errorf("site: %w", err)
	}
	s, err := build(ctx, opt, tmp)
	if err != nil {
		return nil, err
	}
	if err := swap(tmp, opt.Dir); err != nil {
		return nil, err
	}
	s.Dir = opt.Dir
	return s, nil
}

func (o *Options) resolve(ctx context.Context) error {
	if strings.TrimSpace(o.Dir) == "" {
		return errors.New("site: Options.Dir is required: the folder to write the site to")
	}
	o.Public = cmp.Or(o.Public, "public")
	web := filepath.Join(o.Public, "web")
	if fi, err := os.Stat(web); err != nil || !fi.IsDir() {
		return fmt.Errorf("site: %s is not a folder: Options.Public must hold the site's web/ folder", web)
	}
	if inside(o.Dir, web) {
		return fmt.Errorf("site: %s is inside %s, which the site is made from: write it elsewhere (e.g. %s)", o.Dir, web, DefaultDir)
	}
	o.AppWasm = cmp.Or(o.AppWasm, filepath.Join(web, "app.wasm"))
	o.WorkerWasm = cmp.Or(o.WorkerWasm, filepath.Join(web, "worker.wasm"))
	if o.WasmExec == "" {
		o.WasmExec = filepath.Join(web, "wasm_exec.js")
		if _, err := os.Stat(o.WasmExec); err != nil {
			root, err := goroot(ctx)
			if err != nil {
				return fmt.Errorf("site: no wasm_exec.js in %s and %w", web, err)
			}
			o.WasmExec = filepath.Join(root, "lib", "wasm", "wasm_exec.js")
		}
	}
	switch o.Baseline {
	case "none":
		o.Baseline = ""
	case "":
		if p := filepath.Join(web, "data", "baseline.json"); fileExists(p) {
			o.Baseline = p
		}
	}
	for _, f := range []struct{ what, path, hint string }{
		{"the UI's wasm binary", o.AppWasm, "GOOS=js GOARCH=wasm go build -o public/web/app.wasm ./app (make build)"},
		{"the workers' wasm binary", o.WorkerWasm, "GOOS=js GOARCH=wasm go build -tags conlab_nosource -o public/web/worker.wasm ./wasm/worker (make build)"},
		{"wasm_exec.js", o.WasmExec, "copy $(go env GOROOT)/lib/wasm/wasm_exec.js (make build)"},
	} {
		if !fileExists(f.path) {
			return fmt.Errorf("site: %s is missing (%s); build it first: %s", f.what, f.path, f.hint)
		}
	}
	if o.Baseline != "" && !fileExists(o.Baseline) {
		return fmt.Errorf("site: the baseline file %s does not exist (write it with `conlab baseline -o FILE`, or pass none)", o.Baseline)
	}
	return nil
}

// inside reports whether path is dir or under it.
func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func goroot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("`go env GOROOT` failed: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// checkTarget refuses to replace a folder Generate did not make.
func checkTarget(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("site: %w", err)
	case len(entries) == 0 || fileExists(filepath.Join(dir, marker)):
		return nil
	}
	return fmt.Errorf("site: %s exists and is not a site made by conlab (no %s file): choose another folder or remove it", dir, marker)
}

// swap moves the finished site from tmp to dir, replacing what was there.
func swap(tmp, dir string) error {
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("site: moving the previous site aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("site: moving the site into place: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// build writes the whole site into out.
func build(ctx context.Context, opt Options, out string) (*Site, error) {
	files, err := gather(opt)
	if err != nil {
		return nil, err
	}
	if err := checkWasmExec(files["web/wasm_exec.js"], map[string][]byte{"app.wasm": files["web/app.wasm"], "worker.wasm": files["web/worker.wasm"]}); err != nil {
		return nil, err
	}
	sums := make(map[string]Digest, len(files))
	for name, b := range files {
		sums[name] = Sum(b)
	}
	version := opt.Version
	if version == "" {
		version = Version(sums)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pages, err := Pages(version, false)
	if err != nil {
		return nil, err
	}
	for name, b := range pages {
		files[name] = b
		sums[name] = Sum(b)
	}
	sw, err := ServiceWorker(version, sums)
	if err != nil {
		return nil, err
	}
	files[SWName] = sw
	files[marker] = []byte("conlab static site, version " + version + "\n")

	if err := checkSite(files); err != nil {
		return nil, err
	}
	s := &Site{Version: version, Baseline: files["web/data/baseline.json"] != nil}
	for _, name := range sortedKeys(files) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		s.Files++
		s.Bytes += int64(len(files[name]))
	}
	return s, nil
}

// gather reads every file the site ships besides the generated pages,
// keyed by path relative to the site's root (slash-separated).
func gather(opt Options) (map[string][]byte, error) {
	files := map[string][]byte{}
	web := filepath.Join(opt.Public, "web")
	err := filepath.WalkDir(web, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != web && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() || !Ships(name) {
			return nil
		}
		rel, err := filepath.Rel(opt.Public, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("site: reading %s: %w", web, err)
	}
	for name, path := range map[string]string{
		"web/app.wasm":     opt.AppWasm,
		"web/worker.wasm":  opt.WorkerWasm,
		"web/wasm_exec.js": opt.WasmExec,
	} {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		files[name] = b
	}
	delete(files, "web/data/baseline.json")
	if opt.Baseline != "" {
		b, err := os.ReadFile(opt.Baseline)
		if err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		if err := checkBaseline(b); err != nil {
			return nil, fmt.Errorf("site: %s: %w", opt.Baseline, err)
		}
		files["web/data/baseline.json"] = b
	}
	for name, b := range workloads.DownloadFiles() {
		files[name] = b
	}
	for name := range files {
		if !strings.HasPrefix(name, "web/") {
			return nil, fmt.Errorf("site: %s is outside web/", name)
		}
	}
	return files, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
