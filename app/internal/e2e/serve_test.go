//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"conlab/app/server"

	"github.com/chromedp/chromedp"
)

// These tests drive `conlab serve` (the server in-process) in Chromium:
// it gives the lab the static site's service worker and update prompt, so
// a first visit never offers an update, and a new build offers one that
// changes nothing until the reader accepts it.

// servePublic assembles a web root for `conlab serve`: the repository's
// public/web with the wasm binaries and wasm_exec.js the tests built.
func servePublic(t *testing.T) string {
	t.Helper()
	builtSite(t)
	public := t.TempDir()
	web := filepath.Join(public, "web")
	src := filepath.Join(siteOpts.Public, "web")
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if strings.HasSuffix(rel, ".wasm") || strings.HasSuffix(rel, ".br") || strings.HasSuffix(rel, ".gz") || rel == "wasm_exec.js" {
			return nil
		}
		copyFile(p, filepath.Join(web, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	copyFile(siteOpts.AppWasm, filepath.Join(web, "app.wasm"))
	copyFile(siteOpts.WorkerWasm, filepath.Join(web, "worker.wasm"))
	copyFile(siteOpts.WasmExec, filepath.Join(web, "wasm_exec.js"))
	return public
}

// startServe runs the server on a free loopback port until the test ends
// and returns its URL, ending in /.
func startServe(t *testing.T, public string) string {
	t.Helper()
	s, err := server.New(server.Config{Public: public, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case u := <-urls:
		return u + "/"
	case err := <-done:
		t.Fatalf("conlab serve: %v", err)
	}
	return ""
}

// served is a tab of the lab under `conlab serve`.
type served struct {
	t   *testing.T
	ctx context.Context
}

func (s served) eval(expr string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// wait polls expr until true, across the page's reloads.
func (s served) wait(what, expr string) {
	s.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, err := chromedp.Run(s.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().After(deadline) || !(strings.Contains(err.Error(), "navigated or closed") || strings.Contains(err.Error(), "Cannot find context")) {
			s.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ready is the lab loaded and offline-ready: the service worker that
// serves the page cached every file of its version.
const ready = `!!navigator.serviceWorker.controller && typeof goappGetenv === "function" && !!document.querySelector(".lab")`

// TestServeOfflineChromium: after one visit to `conlab serve`, the lab
// loads with the server gone.
func TestServeOfflineChromium(t *testing.T) {
	path := requireBrowser(t, "chromium", "chromium-browser")
	public := servePublic(t)
	s, err := server.New(server.Config{Public: public, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srvCtx, stop := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(srvCtx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	defer func() { stop(); <-done }()
	base := <-urls + "/"

	tab, logs := chromium(t, path)
	ctx, cancel := context.WithTimeout(tab, 4*time.Minute)
	defer cancel()
	p := served{t, ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"?workload=countdown")); err != nil {
		t.Fatal(err)
	}
	p.wait("the lab to be offline-ready", ready)
	version := p.eval(`goappGetenv("GOAPP_VERSION")`)
	stop()
	<-done
	done <- nil // for the deferred wait
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"?workload=sleep")); err != nil {
		t.Fatal(err)
	}
	p.wait("the lab to load offline", ready)
	if v := p.eval(`goappGetenv("GOAPP_VERSION")`); v != version {
		t.Errorf("offline, the lab runs version %q, not %q", v, version)
	}
	if t.Failed() {
		t.Logf("console:\n%s", logs())
	}
}

// TestServeUpdateChromium rebuilds the lab under two open pages of
// `conlab serve`: they keep the version they loaded, every file of it,
// across a plain reload too, until the reader clicks Reload on the
// banner; then both switch to the new version.
func TestServeUpdateChromium(t *testing.T) {
	path := requireBrowser(t, "chromium", "chromium-browser")
	public := servePublic(t)
	base := startServe(t, public)
	tab, logs := chromium(t, path)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("console:\n%s", logs())
		}
	})
	ctx, cancel := context.WithTimeout(tab, 5*time.Minute)
	defer cancel()
	a := served{t, ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"?workload=countdown")); err != nil {
		t.Fatal(err)
	}
	a.wait("the lab to be offline-ready", ready)
	first := a.eval(`goappGetenv("GOAPP_VERSION")`)
	tab2, cancel2 := chromedp.NewContext(ctx)
	defer cancel2()
	b := served{t, tab2}
	if err := chromedp.Do(tab2, chromedp.Navigate(base+"?workload=sleep")); err != nil {
		t.Fatal(err)
	}
	b.wait("the second page", ready)

	// The new build: one file changes.
	css := filepath.Join(public, "web", "app.css")
	old, err := os.ReadFile(css)
	if err != nil {
		t.Fatal(err)
	}
	const mark = "/* the next version */"
	if err := os.WriteFile(css, append(old, "\n"+mark+"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	a.eval(`navigator.serviceWorker.getRegistration().then(r => r.update()).then(() => "checked")`)
	a.wait("the new version to wait", `navigator.serviceWorker.getRegistration().then(r => !!r.waiting)`)
	a.wait("the update banner", `!!document.getElementById("update-reload")`)
	screenshot(t, ctx, "serve-update-offered")
	for _, p := range []served{a, b} {
		if v := p.eval(`goappGetenv("GOAPP_VERSION")`); v != first {
			p.t.Errorf("a page switched to %q before the reader accepted", v)
		}
		if body := p.eval(`fetch("web/app.css").then(r => r.text())`); strings.Contains(body, mark) {
			p.t.Errorf("while the update waits, a page got the new version's web/app.css")
		}
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	a.wait("the reloaded lab", ready)
	if v := a.eval(`goappGetenv("GOAPP_VERSION")`); v != first {
		t.Errorf("a plain reload switched to %q", v)
	}
	a.wait("the banner again", `!!document.getElementById("update-reload")`)
	a.eval(`(document.getElementById("update-reload").click(), "clicked")`)
	for _, p := range []served{a, b} {
		p.wait("the new version", fmt.Sprintf(`typeof goappGetenv === "function" && goappGetenv("GOAPP_VERSION") !== %q && !!navigator.serviceWorker.controller && !!document.querySelector(".lab")`, first))
		if body := p.eval(`fetch("web/app.css").then(r => r.text())`); !strings.Contains(body, mark) {
			p.t.Errorf("after the update, a page has the old web/app.css")
		}
		if got := p.eval(`caches.keys().then(k => k.join(" | "))`); strings.Contains(got, first) {
			p.t.Errorf("the old version's cache is still there: %s", got)
		}
	}
}
