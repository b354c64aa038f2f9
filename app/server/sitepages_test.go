//go:build !wasm

package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// swList reads the version and the FILES list of the service worker the
// server sends.
func swList(t *testing.T, ts *testServer) (version string, files [][2]string) {
	t.Helper()
	resp, body := ts.do(t, "GET", "/app-worker.js", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("app-worker.js: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("app-worker.js: Cache-Control %q: the browser's update check must reach the server", cc)
	}
	sw := string(body)
	// The lab's own worker, never go-app's (whose install skips waiting
	// and whose activation races the page's check for an update).
	if strings.Contains(sw, "installing app worker") || !strings.Contains(sw, "conlab:activate") {
		t.Fatalf("app-worker.js is not the lab's service worker:\n%.400s", sw)
	}
	v := regexp.MustCompile(`const VERSION = "([0-9a-f]+)";`).FindStringSubmatch(sw)
	if v == nil {
		t.Fatalf("app-worker.js carries no version:\n%.400s", sw)
	}
	m := regexp.MustCompile(`(?s)const FILES = (\[.*?\n\]);`).FindStringSubmatch(sw)
	if m == nil {
		t.Fatal("app-worker.js has no FILES list")
	}
	if err := json.Unmarshal([]byte(regexp.MustCompile(`,\s*\]$`).ReplaceAllString(m[1], "]")), &files); err != nil {
		t.Fatalf("FILES: %v", err)
	}
	return v[1], files
}

func sri(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// The service worker lists every file of the lab with the hash of what
// the server sends for it, so a browser caches exactly one version.
func TestServiceWorkerListsWhatIsServed(t *testing.T) {
	ts := newTestServer(t, nil)
	writeFiles(t, ts.web, map[string]string{
		"app.wasm":        "\x00asm-ui",
		"app.wasm.br":     "brotli-bytes",
		"app.wasm.gz":     "gzip-bytes",
		"worker.wasm":     "\x00asm-worker",
		"wasm_exec.js":    "// the toolchain's",
		"worker.js":       "// the worker's loader",
		"icon.svg":        "<svg/>",
		".hidden":         "not shipped",
		"data/extra.json": "{}",
	})
	version, files := swList(t, ts)
	listed := map[string]string{}
	for _, f := range files {
		listed[f[0]] = f[1]
	}
	for _, want := range []string{"./", "app.js", "app.css", "manifest.webmanifest", "web/app.wasm", "web/worker.wasm", "web/wasm_exec.js", "web/worker.js", "web/icon.svg", "web/data/extra.json", "web/data/page-001.txt"} {
		if _, ok := listed[want]; !ok {
			t.Errorf("the service worker does not cache %s", want)
		}
	}
	for _, not := range []string{"app-worker.js", "web/app.wasm.br", "web/app.wasm.gz", "web/.hidden", "index.html"} {
		if _, ok := listed[not]; ok {
			t.Errorf("the service worker caches %s", not)
		}
	}
	// Each hash is of the bytes served, decoded, whatever the encoding.
	for url, hash := range listed {
		path := "/" + strings.TrimPrefix(url, "./")
		resp, body := ts.do(t, "GET", path, "", "Accept-Encoding", "identity")
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
			continue
		}
		if sri(body) != hash {
			t.Errorf("%s: the service worker's hash %s is not of what the server sends (%s)", path, hash, sri(body))
		}
	}
	// The page is the one of this version: app.js names it, and the page
	// registers this worker through the lab's patch.
	_, appJS := ts.do(t, "GET", "/app.js", "")
	for _, want := range []string{version, `"app-worker.js"`, "function conlabApplyUpdate", "function goappSetupNotifyUpdate"} {
		if !strings.Contains(string(appJS), want) {
			t.Errorf("app.js lacks %q", want)
		}
	}
	// go-app's own service worker and wasm_exec.js are not what the page
	// loads.
	_, page := ts.do(t, "GET", "/?workload=countdown", "")
	if strings.Contains(string(page), `src="/wasm_exec.js"`) || !strings.Contains(string(page), `src="web/wasm_exec.js"`) {
		t.Errorf("the page does not load the toolchain's wasm_exec.js from web/")
	}
}

// An unchanged web root keeps its version (no update is ever offered for
// nothing); a changed file makes a new one, which lists the new hash.
func TestServiceWorkerVersion(t *testing.T) {
	ts := newTestServer(t, nil)
	writeFiles(t, ts.web, map[string]string{"app.wasm": "\x00asm-1", "worker.js": "// 1"})
	v1, _ := swList(t, ts)
	_, sw1 := ts.do(t, "GET", "/app-worker.js", "")
	for range 3 {
		if _, sw := ts.do(t, "GET", "/app-worker.js", ""); string(sw) != string(sw1) {
			t.Fatal("two requests for an unchanged lab got two service workers: browsers would offer a false update")
		}
		_, _ = ts.do(t, "GET", "/", "")
	}
	// A rebuild: the same name, new bytes, a later time.
	p := filepath.Join(ts.web, "app.wasm")
	if err := os.WriteFile(p, []byte("\x00asm-2"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	os.Chtimes(p, later, later)
	v2, files := swList(t, ts)
	if v2 == v1 {
		t.Fatalf("a new app.wasm kept version %s", v1)
	}
	for _, f := range files {
		if f[0] == "web/app.wasm" && f[1] != sri([]byte("\x00asm-2")) {
			t.Errorf("the new version lists the old app.wasm's hash")
		}
	}
	_, appJS := ts.do(t, "GET", "/app.js", "")
	if !strings.Contains(string(appJS), v2) {
		t.Errorf("app.js does not carry the new version %s", v2)
	}
	if len(ts.logs.lines("the lab's files changed: readers are offered the new version")) != 1 {
		t.Errorf("the server did not log the new version")
	}
	// A file removed is a new version too.
	os.Remove(filepath.Join(ts.web, "worker.js"))
	if v3, _ := swList(t, ts); v3 == v2 {
		t.Errorf("removing worker.js kept version %s", v2)
	}
}

// index.html's hash is of the page the requesting origin gets: its Open
// Graph URLs name that origin.
func TestServiceWorkerIndexPerOrigin(t *testing.T) {
	ts := newTestServer(t, nil)
	host := strings.TrimPrefix(ts.URL, "http://")
	for _, h := range []string{host, "localhost:" + strings.Split(host, ":")[1]} {
		_, page := ts.do(t, "GET", "/", "", "Host", h)
		if !strings.Contains(string(page), `content="http://`+h+`/"`) {
			t.Errorf("Host %s: the page's og:url is not on it", h)
		}
		resp, sw := ts.do(t, "GET", "/app-worker.js", "", "Host", h)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(sw), `["./", "`+sri(page)+`"]`) {
			t.Errorf("Host %s: the service worker's hash of ./ is not of the page that host gets", h)
		}
	}
}

func TestLabPagesMethods(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, _ := ts.do(t, "POST", "/app-worker.js", "{}")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /app-worker.js: %d", resp.StatusCode)
	}
	resp, body := ts.do(t, "HEAD", "/app.js", "")
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD /app.js: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, _ = ts.do(t, "GET", "/app.js", "")
	etag := resp.Header.Get("ETag")
	if resp, _ = ts.do(t, "GET", "/app.js", "", "If-None-Match", etag); etag == "" || resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating app.js (ETag %q): %d", etag, resp.StatusCode)
	}
}
