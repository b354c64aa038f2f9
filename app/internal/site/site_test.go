//go:build !wasm

package site

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"conlab/workloads"
)

// fixture is the input of a Generate: the repository's real public
// folder (its styles, icons and worker.js are what the page refers to)
// with fake binaries.
type fixture struct {
	dir  string
	opt  Options
	root string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &fixture{dir: dir, root: root}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	baseline, _ := json.Marshal(map[string]any{"format": 1, "results": []workloads.Result{{Workload: "countdown", Mode: workloads.Sequential, Workers: 1, WallUS: 1000}}})
	f.opt = Options{
		Dir:        filepath.Join(dir, "site"),
		Public:     filepath.Join(root, "public"),
		AppWasm:    write("app.wasm", wasmModule("gojs", fakeImports...)),
		WorkerWasm: write("worker.wasm", wasmModule("gojs", fakeImports[:2]...)),
		WasmExec:   write("wasm_exec.js", fakeWasmExec()),
		Baseline:   write("baseline.json", baseline),
	}
	return f
}

// readSite returns every file of the site by slash path.
func readSite(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGenerate(t *testing.T) {
	f := newFixture(t)
	s, err := Generate(context.Background(), f.opt)
	if err != nil {
		t.Fatal(err)
	}
	files := readSite(t, s.Dir)
	if s.Files != len(files) || !s.Baseline || len(s.Version) != 16 {
		t.Errorf("Site = %+v, %d files on disk", s, len(files))
	}
	for _, name := range []string{"index.html", "app.js", "app.css", "app-worker.js", "manifest.webmanifest", marker,
		"web/app.wasm", "web/worker.wasm", "web/wasm_exec.js", "web/worker.js", "web/app.css", "web/data/baseline.json"} {
		if files[name] == nil {
			t.Errorf("the site has no %s", name)
		}
	}
	for name, b := range workloads.DownloadFiles() {
		if !bytes.Equal(files[name], b) {
			t.Errorf("download page %s missing or wrong", name)
		}
	}
	for name := range files {
		if name == "wasm_exec.js" || strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
			t.Errorf("the site ships %s", name)
		}
	}
	if !bytes.Equal(files["web/wasm_exec.js"], fakeWasmExec()) {
		t.Errorf("web/wasm_exec.js is not the toolchain's copy")
	}
	if fi, err := os.Stat(s.Dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("the site's folder: %v %v", fi.Mode(), err)
	}

	// Self-contained: no placeholder, nothing from another host.
	for name, b := range files {
		if bytes.Contains(b, []byte("__conlab_prefix__")) {
			t.Errorf("%s holds the placeholder", name)
		}
		if path.Ext(name) != ".wasm" && path.Ext(name) != ".png" {
			if rs := RemoteURLs(name, b); len(rs) > 0 {
				t.Errorf("%s points at other hosts: %v", name, rs)
			}
		}
	}

	// Every URL of the page is relative and names a file of the site.
	index := string(files["index.html"])
	for _, m := range regexp.MustCompile(`(?:href|src)="([^"]*)"`).FindAllStringSubmatch(index, -1) {
		u := m[1]
		switch {
		case strings.HasPrefix(u, "?"), strings.HasPrefix(u, "#"), u == "./":
			continue
		case strings.HasPrefix(u, "/") || strings.Contains(u, "://"):
			t.Errorf("index.html has the absolute URL %q: the site would break under a sub-path", u)
		case files[strings.SplitN(u, "?", 2)[0]] == nil:
			t.Errorf("index.html refers to %q, which the site does not hold", u)
		}
	}
	if !strings.Contains(index, `src="web/wasm_exec.js"`) || strings.Contains(index, "og:url") || strings.Contains(index, "og:image") {
		t.Errorf("index.html head:\n%s", index[:min(len(index), 2000)])
	}

	app := string(files["app.js"])
	for _, w := range []string{`"web/app.wasm"`, `"app-worker.js"`, `"GOAPP_ROOT_PREFIX":"${root}"`, `"GOAPP_STATIC_RESOURCES_URL":"${root}/web"`,
		`"GOAPP_VERSION":"` + s.Version + `"`, "function goappGetenv", "function conlabApplyUpdate", "function conlabOfflineReady", `split("${root}")`} {
		if !strings.Contains(app, w) {
			t.Errorf("app.js lacks %s", w)
		}
	}

	var man struct {
		Scope    string `json:"scope"`
		StartURL string `json:"start_url"`
		Icons    []struct {
			Src     string `json:"src"`
			Purpose string `json:"purpose"`
		} `json:"icons"`
	}
	if err := json.Unmarshal(files["manifest.webmanifest"], &man); err != nil {
		t.Fatal(err)
	}
	if man.Scope != "./" || man.StartURL != "./" || len(man.Icons) == 0 {
		t.Errorf("manifest: %+v", man)
	}
	for _, ic := range man.Icons {
		if files[ic.Src] == nil {
			t.Errorf("manifest icon %q is not in the site", ic.Src)
		}
	}

	// The service worker caches every file once, with its hash.
	list := swFiles(t, files["app-worker.js"])
	want := map[string]bool{}
	for name := range files {
		if name != "app-worker.js" && name != marker {
			want[name] = true
		}
	}
	for _, e := range list {
		name := e[0]
		if name == "./" {
			name = "index.html"
		}
		if !want[name] {
			t.Errorf("the service worker caches %q, unknown or twice", e[0])
			continue
		}
		delete(want, name)
		if e[1] != integrity(Sum(files[name])) {
			t.Errorf("the service worker's hash of %s is wrong", name)
		}
	}
	if len(want) > 0 {
		t.Errorf("the service worker does not cache %v", want)
	}
	if !bytes.Contains(files["app-worker.js"], []byte(`const VERSION = "`+s.Version+`"`)) {
		t.Errorf("the service worker does not carry version %s", s.Version)
	}
}

// swFiles reads the FILES list of a generated service worker.
func swFiles(t *testing.T, sw []byte) [][2]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)const FILES = (\[.*?\n\]);`).FindSubmatch(sw)
	if m == nil {
		t.Fatal("the service worker has no FILES list")
	}
	// The list is JSON but for trailing commas.
	js := regexp.MustCompile(`,\s*\]$`).ReplaceAll(m[1], []byte("]"))
	var list [][2]string
	if err := json.Unmarshal(js, &list); err != nil {
		t.Fatalf("FILES: %v\n%s", err, js)
	}
	return list
}

// TestGenerateIsReproducible: the same inputs give the same bytes (go-app
// writes attributes in random order), so an unchanged deployment offers
// no update; a changed input changes the version.
func TestGenerateIsReproducible(t *testing.T) {
	f := newFixture(t)
	a, err := Generate(context.Background(), f.opt)
	if err != nil {
		t.Fatal(err)
	}
	first := readSite(t, a.Dir)
	for range 3 {
		b, err := Generate(context.Background(), f.opt)
		if err != nil {
			t.Fatal(err)
		}
		again := readSite(t, b.Dir)
		for name, data := range first {
			if !bytes.Equal(again[name], data) {
				t.Fatalf("%s differs between two builds of the same inputs", name)
			}
		}
	}
	if err := os.WriteFile(f.opt.WorkerWasm, wasmModule("gojs", fakeImports...), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Generate(context.Background(), f.opt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version == a.Version {
		t.Errorf("a new worker.wasm kept version %s", c.Version)
	}
	if bytes.Equal(readSite(t, c.Dir)["app-worker.js"], first["app-worker.js"]) {
		t.Errorf("a new worker.wasm left the service worker unchanged: browsers would not see the update")
	}
}

func TestGenerateReplacesOnlyItsOwnFolder(t *testing.T) {
	f := newFixture(t)
	if _, err := Generate(context.Background(), f.opt); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(f.opt.Dir, "web", "stale.txt")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), f.opt); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file of the previous site survived: %v", err)
	}
	other := filepath.Join(f.dir, "mine")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("keep me"), 0o644)
	f.opt.Dir = other
	if _, err := Generate(context.Background(), f.opt); err == nil || !strings.Contains(err.Error(), "not a site made by conlab") {
		t.Errorf("Generate into a foreign folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "notes.txt")); string(b) != "keep me" {
		t.Errorf("the foreign folder was touched")
	}
	// Nothing is left beside the folders: no temporary build.
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".conlab-site") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(f *fixture)
		want string
	}{
		{"no dir", func(f *fixture) { f.opt.Dir = " " }, "Options.Dir is required"},
		{"no public", func(f *fixture) { f.opt.Public = filepath.Join(f.dir, "nope") }, "not a folder"},
		{"inside public/web", func(f *fixture) {
			pub := filepath.Join(f.dir, "pub")
			os.MkdirAll(filepath.Join(pub, "web"), 0o755)
			f.opt.Public, f.opt.Dir = pub, filepath.Join(pub, "web", "site")
		}, "inside"},
		{"no app.wasm", func(f *fixture) { f.opt.AppWasm = filepath.Join(f.dir, "nope.wasm") }, "make build"},
		{"no baseline file", func(f *fixture) { f.opt.Baseline = filepath.Join(f.dir, "nope.json") }, "conlab baseline"},
		{"bad baseline", func(f *fixture) { os.WriteFile(f.opt.Baseline, []byte(`{"results":[{"workload":"warp"}]}`), 0o644) }, "warp"},
		{"empty baseline", func(f *fixture) { os.WriteFile(f.opt.Baseline, []byte(`{"results":[]}`), 0o644) }, "no results"},
		{"not wasm", func(f *fixture) { os.WriteFile(f.opt.AppWasm, []byte("<html>404</html>"), 0o644) }, "not a WebAssembly binary"},
		{"not a js/wasm program", func(f *fixture) {
			os.WriteFile(f.opt.WorkerWasm, wasmModule("wasi_snapshot_preview1", "fd_write"), 0o644)
		}, "not a GOOS=js"},
		{"wasm_exec.js of another Go", func(f *fixture) {
			os.WriteFile(f.opt.AppWasm, wasmModule("gojs", append(slices.Clone(fakeImports), "runtime.newThing")...), 0o644)
		}, "runtime.newThing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.edit(f)
			_, err := Generate(context.Background(), f.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Generate: %v, want an error mentioning %q", err, tc.want)
			}
			if _, err := os.Stat(f.opt.Dir); strings.TrimSpace(f.opt.Dir) != "" && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a failed Generate left %s: %v", f.opt.Dir, err)
			}
		})
	}
}

func TestBaselineNone(t *testing.T) {
	f := newFixture(t)
	f.opt.Baseline = "none"
	s, err := Generate(context.Background(), f.opt)
	if err != nil {
		t.Fatal(err)
	}
	if s.Baseline || readSite(t, s.Dir)["web/data/baseline.json"] != nil {
		t.Errorf("baseline none shipped one")
	}
}

// TestScriptsParse checks the generated scripts with Node's parser: a
// syntax error would only show in a browser.
func TestScriptsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	f := newFixture(t)
	s, err := Generate(context.Background(), f.opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.js", "app-worker.js"} {
		if out, err := exec.Command(node, "--check", filepath.Join(s.Dir, name)).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", name, err, out)
		}
	}
}

// The worker bootstrap script the site ships speaks the pool's message
// protocol version (wasm/internal/proto, internal to package wasm: read
// from its source here).
func TestBootstrapProtocolVersion(t *testing.T) {
	src, err := os.ReadFile("../../../wasm/internal/proto/proto.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^const Version = (\d+)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("proto.go declares no Version")
	}
	js, err := os.ReadFile("../../../public/web/worker.js")
	if err != nil {
		t.Fatal(err)
	}
	if want := "const VERSION = " + string(m[1]) + ";"; !bytes.Contains(js, []byte(want)) {
		t.Errorf("public/web/worker.js lacks %q: its protocol version is not proto.Version", want)
	}
}
