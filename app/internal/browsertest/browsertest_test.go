package browsertest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// The runner runs a js/wasm program in each engine: its arguments,
// environment, stdout, stderr, temporary files and exit code all work.
// An engine that is not installed is skipped, saying so.
func TestRunInEachEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts browsers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	prog := filepath.Join(t.TempDir(), "hello.wasm")
	if err := BuildWasm(ctx, "testdata/hello", ".", prog); err != nil {
		t.Fatal(err)
	}
	wasmExec, err := WasmExecJS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	visit := func(n int, args string) string {
		return fmt.Sprintf("args: %s\nenv: hi\nvisit: %d\ntemp: round trip\n", args, n)
	}
	for _, e := range webdriver.Engines {
		t.Run(e.Title(), func(t *testing.T) {
			if _, err := webdriver.Find(e); err != nil {
				t.Skip(err)
			}
			for _, tc := range []struct {
				args     []string
				exit     string
				visits   int
				wantCode int
				wantOut  string
				wantErr  string
			}{
				{[]string{"a", "b c"}, "3", 0, 3, visit(1, "a b c"), "to stderr\n"},
				{nil, "0", 0, 0, visit(1, ""), "to stderr\n"},
				{[]string{"panic"}, "0", 0, 2, visit(1, "panic"), "panic: on purpose"},
				// Visits run the program again on a reloaded page, until one fails.
				{nil, "0", 3, 0, visit(1, "") + visit(2, "") + visit(3, ""), "to stderr\n"},
				{nil, "4", 3, 4, visit(1, ""), "to stderr\n"},
			} {
				var out, errOut strings.Builder
				code, err := Run(ctx, Options{
					Program: prog,
					Args:    tc.args,
					Env:     map[string]string{"CONLAB_GREETING": "hi", "CONLAB_EXIT": tc.exit},
					Files:   map[string]string{"wasm_exec.js": wasmExec},
					Engine:  e,
					Timeout: 2 * time.Minute,
					Visits:  tc.visits,
					Stdout:  &out,
					Stderr:  &errOut,
				})
				if err != nil {
					t.Fatalf("%v: %v", tc.args, err)
				}
				if code != tc.wantCode || out.String() != tc.wantOut || !strings.Contains(errOut.String(), tc.wantErr) {
					t.Errorf("%v: code %d, stdout %q, stderr %q; want %d, %q, %q", tc.args, code, out.String(), errOut.String(), tc.wantCode, tc.wantOut, tc.wantErr)
				}
			}
			if _, err := Run(ctx, Options{Program: filepath.Join(t.TempDir(), "missing.wasm"), Engine: e}); err == nil {
				t.Error("a missing program ran")
			}
		})
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot(".", "conlab")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.Abs("../../.."); root != want {
		t.Errorf("root %s, want %s", root, want)
	}
	if _, err := ModuleRoot(".", "not-this-module"); err == nil {
		t.Error("found a module that is not there")
	}
}

// A file listed with a .gz copy goes out gzip-encoded to a browser that
// accepts gzip, and plain to one that does not.
func TestServeGzipCopy(t *testing.T) {
	dir := t.TempDir()
	plain, gz := filepath.Join(dir, "w.wasm"), filepath.Join(dir, "w.wasm.gz")
	if err := os.WriteFile(plain, []byte("plain"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gz, []byte("zipped"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &server{opt: Options{Files: map[string]string{"w.wasm": plain, "w.wasm.gz": gz}}}
	for _, c := range []struct{ accept, enc, body string }{{"gzip, br", "gzip", "zipped"}, {"identity", "", "plain"}} {
		req := httptest.NewRequest("GET", "/web/w.wasm", nil)
		req.Header.Set("Accept-Encoding", c.accept)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if got := rec.Header().Get("Content-Encoding"); got != c.enc || rec.Body.String() != c.body {
			t.Errorf("Accept-Encoding %q: encoding %q, body %q; want %q, %q", c.accept, got, rec.Body.String(), c.enc, c.body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/wasm" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", c.accept, ct)
		}
		// Revalidated, not refetched: a later visit may use the
		// browser's caches, as with conlab serve.
		if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Accept-Encoding %q: Cache-Control %q, want no-cache", c.accept, cc)
		}
	}
}
