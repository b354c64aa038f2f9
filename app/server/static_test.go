//go:build !wasm

package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	ts := newTestServer(t, nil)
	writeFiles(t, ts.web, map[string]string{
		"app.wasm":             "\x00asm-plain",
		"app.wasm.br":          "brotli-bytes",
		"app.wasm.gz":          "gzip-bytes",
		"worker.wasm":          "\x00asm-worker",
		"wasm_exec.js":         "// the toolchain's wasm_exec.js",
		"boot.js":              "console.log(1)",
		"baseline.json":        "{}",
		"manifest.webmanifest": "{}",
		"sub/x.3f9a12bc77.js":  "hashed",
		".secret":              "no",
	})
	for _, tc := range []struct {
		name, path, accept string
		status             int
		ctype, enc, body   string
		cache              string
	}{
		{"wasm, brotli accepted", "/web/app.wasm", "gzip, deflate, br", 200, "application/wasm", "br", "brotli-bytes", "no-cache"},
		{"wasm, only gzip", "/web/app.wasm", "gzip", 200, "application/wasm", "gzip", "gzip-bytes", "no-cache"},
		{"wasm, brotli refused", "/web/app.wasm", "br;q=0, gzip;q=0.5", 200, "application/wasm", "gzip", "gzip-bytes", "no-cache"},
		{"wasm, any coding", "/web/app.wasm", "*", 200, "application/wasm", "br", "brotli-bytes", "no-cache"},
		{"wasm, no coding", "/web/app.wasm", "", 200, "application/wasm", "", "\x00asm-plain", "no-cache"},
		{"wasm, identity only", "/web/app.wasm", "identity, *;q=0", 200, "application/wasm", "", "\x00asm-plain", "no-cache"},
		{"wasm without variants", "/web/worker.wasm", "br", 200, "application/wasm", "", "\x00asm-worker", "no-cache"},
		{"go-app's /app.wasm", "/app.wasm", "br", 200, "application/wasm", "br", "brotli-bytes", "no-cache"},
		{"versioned", "/web/app.wasm?v=abc", "br", 200, "application/wasm", "br", "brotli-bytes", "immutable"},
		{"hashed name", "/web/sub/x.3f9a12bc77.js", "", 200, "text/javascript; charset=utf-8", "", "hashed", "immutable"},
		{"javascript", "/web/boot.js", "", 200, "text/javascript; charset=utf-8", "", "console.log(1)", "no-cache"},
		{"json", "/web/baseline.json", "", 200, "application/json", "", "{}", "no-cache"},
		{"manifest", "/web/manifest.webmanifest", "", 200, "application/manifest+json", "", "{}", "no-cache"},
		{"our wasm_exec.js", "/wasm_exec.js", "", 200, "text/javascript; charset=utf-8", "", "// the toolchain's wasm_exec.js", "no-cache"},
		{"our wasm_exec.js under web", "/web/wasm_exec.js", "", 200, "text/javascript; charset=utf-8", "", "// the toolchain's wasm_exec.js", "no-cache"},
		{"dotfile", "/web/.secret", "", 404, "", "", "", ""},
		{"directory", "/web/sub/", "", 404, "", "", "", ""},
		{"missing", "/web/nope.js", "", 404, "", "", "", ""},
		{"escape", "/web/../../etc/passwd", "", 404, "", "", "", ""},
		{"escape encoded", "/web/%2e%2e/%2e%2e/etc/passwd", "", 404, "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.URL+tc.path, nil)
			// Stop Go's client from asking for gzip itself and decoding.
			req.Header.Set("Accept-Encoding", tc.accept)
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			h := resp.Header
			if h.Get("Content-Type") != tc.ctype || h.Get("Content-Encoding") != tc.enc || body != tc.body {
				t.Errorf("type %q encoding %q body %q", h.Get("Content-Type"), h.Get("Content-Encoding"), body)
			}
			if !strings.Contains(h.Get("Cache-Control"), tc.cache) {
				t.Errorf("Cache-Control %q, want %q", h.Get("Cache-Control"), tc.cache)
			}
			if strings.Contains(tc.path, "app.wasm") && h.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary %q", h.Get("Vary"))
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			// Revalidation of the same variant answers 304.
			if etag := h.Get("ETag"); etag == "" {
				t.Error("no ETag")
			} else {
				req.Header.Set("If-None-Match", etag)
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, resp)
				if resp.StatusCode != http.StatusNotModified {
					t.Errorf("revalidation: %d", resp.StatusCode)
				}
			}
		})
	}
	resp, _ := ts.do(t, "POST", "/web/boot.js", "")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to a static file: %d", resp.StatusCode)
	}
}

// The pages are the static site's (package site): their URLs are
// relative to the lab's root and point at this server's web/ files and
// the toolchain's wasm_exec.js.
func TestPages(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Isolate = true })
	resp, body := ts.do(t, "GET", "/", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(string(body), `src="web/wasm_exec.js"`) || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("page: Cache-Control %q, body %.300s", resp.Header.Get("Cache-Control"), body)
	}
	if resp.Header.Get("Cross-Origin-Opener-Policy") != "same-origin" || resp.Header.Get("Cross-Origin-Embedder-Policy") != "require-corp" {
		t.Errorf("-isolate headers missing: %v", resp.Header)
	}
	resp, body = ts.do(t, "GET", "/app.js", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"web/app.wasm"`) {
		t.Errorf("app.js does not load web/app.wasm: %d", resp.StatusCode)
	}
	resp, _ = ts.do(t, "GET", "/no/such/page", "")
	if resp.StatusCode != 404 {
		t.Errorf("unknown page: %d", resp.StatusCode)
	}
	// Static files carry the isolation headers too (workers need them).
	writeFiles(t, ts.web, map[string]string{"w.js": "x"})
	resp, _ = ts.do(t, "GET", "/web/w.js", "")
	if resp.Header.Get("Cross-Origin-Embedder-Policy") != "require-corp" {
		t.Errorf("static file without COEP")
	}
}

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		header, coding string
		want           bool
	}{
		{"br", "br", true},
		{"gzip, br", "br", true},
		{"BR", "br", true},
		{"br;q=0", "br", false},
		{"br; q=0.0", "br", false},
		{"br;q=0.1", "br", true},
		{"*", "gzip", true},
		{"*;q=0", "gzip", false},
		{"*;q=0, gzip", "gzip", true},
		{"gzip;q=0, *", "gzip", false},
		{"", "br", false},
		{"deflate", "gzip", false},
		{"brotli", "br", false},
	} {
		if got := accepts(tc.header, tc.coding); got != tc.want {
			t.Errorf("accepts(%q, %q) = %v", tc.header, tc.coding, got)
		}
	}
}
