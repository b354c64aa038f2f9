//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// swPage registers swWorker, waits until it controls the page, then asks
// where a dedicated worker's script, and the worker's own fetch, came
// from, and posts the answer to its parent, its opener or itself.
const swPage = `<!doctype html><meta charset="utf-8"><title>workers under a service worker</title><body><pre id="out">starting</pre><script>
"use strict";
const out = (s) => { document.getElementById("out").textContent = s; window.swResult = s; (window.parent !== window ? window.parent : window.opener || window).postMessage({swResult: s}, "*"); };
async function probe() {
  const worker = await new Promise((resolve) => {
    const w = new Worker("w.js");
    w.onmessage = (e) => resolve("worker script from " + e.data);
    w.onerror = (e) => resolve("worker error: " + (e.message || "load failed"));
    setTimeout(() => resolve("worker: no answer in 10 s"), 10000);
  });
  const page = await fetch("f.txt").then((r) => r.text(), (e) => "error " + e);
  return "page fetch from " + page + "; " + worker;
}
(async () => {
  try {
    await navigator.serviceWorker.register("sw.js");
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
    out("controlled: " + (await probe()));
  } catch (e) {
    out("failed: " + e);
  }
})();
</script>`

// swWorker answers w.js and f.txt itself, and leaves the rest to the
// network.
const swWorker = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  const u = new URL(e.request.url);
  if (u.pathname.endsWith("/w.js")) {
    e.respondWith(new Response('fetch("f.txt").then(r => r.text(), e => "error").then(t => postMessage("the service worker (its fetch of f.txt from " + t + ")"))', { headers: { "Content-Type": "text/javascript" } }));
  } else if (u.pathname.endsWith("/f.txt")) {
    e.respondWith(new Response("the service worker"));
  }
});`

// swNetworkWorker is w.js as the network has it.
const swNetworkWorker = `fetch("f.txt").then(r => r.text(), e => "error").then(t => postMessage("the network (its fetch of f.txt from " + t + ")"))`

// serveOn serves h on a free loopback port until the test ends.
func serveOn(t *testing.T, h http.HandlerFunc) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestServiceWorkerServesWorkers checks what the lab offline in a course
// page relies on, in each engine, with a page of a few lines: under a
// service worker, a dedicated worker's script and the worker's own
// fetches come from the service worker, in a page of the lab's own, in an
// iframe of another origin's page, and in a window that page opens. (It
// holds in WebKitGTK 2.50 too, for a worker started alone: there a worker
// created while another is starting is often not controlled, which is why
// the pool starts its workers in turn in WebKit; see package wasm.)
func TestServiceWorkerServesWorkers(t *testing.T) {
	lab := serveOn(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch r.URL.Path {
		case "/index.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, swPage)
		case "/sw.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, swWorker)
		case "/w.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, swNetworkWorker)
		case "/f.txt":
			fmt.Fprint(w, "the network")
		default:
			http.NotFound(w, r)
		}
	})
	host := serveOn(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><pre id="out">waiting</pre><script>
window.results = {};
addEventListener("message", (e) => { if (e.data && e.data.swResult) { window.results[e.source === frames[0] ? "iframe" : "window"] = e.data.swResult; document.getElementById("out").textContent = JSON.stringify(window.results, null, 1); } });
</script><iframe src="%s/index.html"></iframe><button id="open" onclick="window.open('%s/index.html?w', 'lab')">open</button>`, lab, lab)
	})
	const want = "controlled: page fetch from the service worker; worker script from the service worker (its fetch of f.txt from the service worker)"
	for _, e := range webdriver.Engines {
		t.Run(e.Title(), func(t *testing.T) {
			webdriver.Require(t, e)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			got := map[string]string{}
			b := webdriver.Start(t, e, webdriver.Options{})
			p := b.Page()
			if err := p.Navigate(ctx, lab+"/index.html"); err != nil {
				t.Fatal(err)
			}
			if err := webdriver.Wait(ctx, p, `!!window.swResult`, time.Minute); err != nil {
				t.Fatal(err)
			}
			got["a page of its own"], _ = webdriver.Eval[string](ctx, p, `window.swResult`)
			// Another profile: the registration above is not shared.
			b2 := webdriver.Start(t, e, webdriver.Options{})
			p2 := b2.Page()
			if err := p2.Navigate(ctx, host+"/"); err != nil {
				t.Fatal(err)
			}
			if err := webdriver.Wait(ctx, p2, `!!window.results.iframe`, time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := p2.Click(ctx, "#open"); err != nil {
				t.Fatal(err)
			}
			if err := webdriver.Wait(ctx, p2, `!!window.results.window`, time.Minute); err != nil {
				t.Fatal(err)
			}
			res, err := webdriver.Eval[map[string]string](ctx, p2, `window.results`)
			if err != nil {
				t.Fatal(err)
			}
			got["an iframe of another origin's page"], got["a window that page opened"] = res["iframe"], res["window"]
			for where, s := range got {
				if s != want {
					t.Errorf("in %s: %s, want %s", where, s, want)
				}
			}
		})
	}
}
