//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/site"

	"github.com/chromedp/chromedp"
)

// TestUpdateChromium deploys a new version under an open lab: the lab
// keeps running the version it loaded, every file of it, until the reader
// accepts the update; then it reloads into the new version whole.
func TestUpdateChromium(t *testing.T) {
	path := requireBrowser(t, "chromium", "chromium-browser")
	v1 := builtSite(t)
	opt := siteOpts
	opt.Dir = filepath.Join(t.TempDir(), "v2")
	opt.Version = "e2e-next"
	v2, err := site.Generate(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	// The deployment comes later: file servers validate by modification
	// time to the second, and two builds a moment apart would look
	// unchanged to the browser's update check.
	later := time.Now().Add(time.Minute)
	filepath.WalkDir(v2.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			err = os.Chtimes(p, later, later)
		}
		return err
	})
	lab := startLab(t, v1)
	tab, logs := chromium(t, path)
	defer func() {
		if t.Failed() {
			t.Logf("browser's log:\n%s", logs())
		}
	}()
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	wait := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
			if err == nil {
				return
			}
			// A reload during the poll ends it: poll the new page.
			if time.Now().After(deadline) || !strings.Contains(err.Error(), "navigated or closed") {
				t.Fatalf("waiting for %s (%s): %v", what, expr, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(lab.URL+"?workload=countdown")); err != nil {
		t.Fatal(err)
	}
	wait("the lab to be offline-ready", `!!navigator.serviceWorker.controller && typeof goappGetenv === "function" && !!document.querySelector(".lab")`)
	first := eval(`goappGetenv("GOAPP_VERSION")`)
	if first == "" || first == opt.Version {
		t.Fatalf("the first version is %q", first)
	}
	// Count the offers the page makes; go-app's own handler still runs.
	eval(`(() => { const orig = window.goappOnUpdate; window.conlabOffers = 0; window.goappOnUpdate = () => { window.conlabOffers++; orig(); }; return "ok"; })()`)

	lab.deploy(v2.Dir)
	eval(`goappServiceWorkerRegistration.update().then(() => "checked")`)
	wait("the new version to be installed and waiting", `!!goappServiceWorkerRegistration.waiting`)
	wait("the page to offer the update", `window.conlabOffers > 0`)
	if eval(`document.querySelector(".update-slot") ? "yes" : "no"`) == "yes" {
		wait("the update banner", `!!document.getElementById("update-banner")`)
		screenshot(t, ctx, "update-offered")
	} else {
		t.Log("the page renders no update banner yet (ui.updateBanner is not mounted): checked the offer only")
	}
	// Not half-applied: while the new version waits, the page and its
	// files are the old version, though the server has only the new one.
	if v := eval(`goappGetenv("GOAPP_VERSION")`); v != first {
		t.Errorf("the page switched to %q before the reader accepted", v)
	}
	if body := eval(`fetch("app.js").then(r => r.text())`); !strings.Contains(body, first) || strings.Contains(body, opt.Version) {
		t.Errorf("while the update waits, the page got the app.js of another version")
	}
	// A plain reload keeps the version in use.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	wait("the reloaded lab", `typeof goappGetenv === "function" && !!document.querySelector(".lab") && !!goappServiceWorkerRegistration`)
	if v := eval(`goappGetenv("GOAPP_VERSION")`); v != first {
		t.Errorf("a reload switched to %q without the reader accepting", v)
	}

	// The reader accepts: the page reloads into the new version.
	wait("the update to be offered again", `!!goappServiceWorkerRegistration.waiting`)
	if eval(`document.getElementById("update-reload") ? "yes" : "no"`) == "yes" {
		eval(`(document.getElementById("update-reload").click(), "clicked")`)
	} else {
		eval(`(conlabApplyUpdate(), "applied")`)
	}
	wait("the new version", fmt.Sprintf(`typeof goappGetenv === "function" && goappGetenv("GOAPP_VERSION") === %q && !!navigator.serviceWorker.controller`, opt.Version))
	if body := eval(`fetch("app.js").then(r => r.text())`); !strings.Contains(body, opt.Version) {
		t.Errorf("after the update, app.js is not the new version's")
	}
	caches := eval(`caches.keys().then(k => k.join("\n"))`)
	if strings.Contains(caches, first) || !strings.Contains(caches, opt.Version) {
		t.Errorf("caches after the update: %q", caches)
	}
}
