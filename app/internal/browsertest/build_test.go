package browsertest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// A web folder holds the repository's hand-written assets and the lab's
// fresh binaries, never a binary or a compressed copy an earlier make
// build left in public/web.
func TestLabCopyWeb(t *testing.T) {
	root, bins, dst := t.TempDir(), t.TempDir(), t.TempDir()
	web := filepath.Join(root, "public", "web")
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"app.css", "worker.js", "icons/icon.svg", "app.wasm", "app.wasm.br", "worker.wasm.gz", "wasm_exec.js"} {
		write(filepath.Join(web, f), "stale "+f)
	}
	l := &Lab{Root: root, AppWasm: filepath.Join(bins, "a"), WorkerWasm: filepath.Join(bins, "w"), WasmExec: filepath.Join(bins, "x")}
	write(l.AppWasm, "fresh app")
	write(l.WorkerWasm, "fresh worker")
	write(l.WasmExec, "fresh exec")
	if err := l.CopyWeb(dst); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"app.css": "stale app.css", "worker.js": "stale worker.js", filepath.Join("icons", "icon.svg"): "stale icons/icon.svg",
		"app.wasm": "fresh app", "worker.wasm": "fresh worker", "wasm_exec.js": "fresh exec",
	}
	var got []string
	filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dst, p)
			got = append(got, rel)
			b, _ := os.ReadFile(p)
			if string(b) != want[rel] {
				t.Errorf("%s holds %q, want %q", rel, b, want[rel])
			}
		}
		return err
	})
	if len(got) != len(want) {
		slices.Sort(got)
		t.Errorf("the web folder holds %q, want the %d files %v", got, len(want), want)
	}
}

// Once builds on the first Get only, in a folder of its own that Remove
// removes.
func TestOnceBuildsOnce(t *testing.T) {
	calls := 0
	var dir string
	b := Once("browsertest-once-", time.Minute, func(ctx context.Context, d string) (string, error) {
		calls++
		dir = d
		return filepath.Join(d, "x"), nil
	})
	b.Remove() // nothing built: nothing to remove
	first, second := b.Get(t), b.Get(t)
	if calls != 1 || first != second || first != filepath.Join(dir, "x") {
		t.Fatalf("%d builds, Get gave %q then %q (folder %q)", calls, first, second, dir)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	b.Remove()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder is still there after Remove: %v", err)
	}
}
