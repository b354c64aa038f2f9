//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"conlab/app/internal/site"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// TestUpdateChromium deploys a new version under an open lab: the lab
// keeps running the version it loaded, every file of it, until the reader
// accepts the update; then it reloads into the new version whole.
func TestUpdateChromium(t *testing.T) {
	u := offerUpdate(t)
	u.accept()
	u.checkSwitched()
}

// TestUpdateChromiumRestartedWorker accepts the update as Chromium, asked
// to stop the version in use so that the new one can activate, starts it
// again for a request that came in while it stopped (the pool's Web
// Workers starting, a lesson fetching its data): Chromium then no longer
// hurries it, and the new version would wait for ever with DevTools
// attached, 30 s and more without. The page must still switch.
func TestUpdateChromiumRestartedWorker(t *testing.T) {
	u := offerUpdate(t)
	versions := u.watchVersions()
	inUse := versions.active()
	if inUse == "" {
		t.Fatalf("DevTools reports no activated service worker: %s", versions)
	}
	// A request the server holds keeps the version in use busy: it cannot
	// stop before the test stops it.
	release := u.lab.hold("held")
	defer release()
	u.eval(`(fetch("held").catch(() => {}), "fetching")`)
	deadline := time.Now().Add(10 * time.Second)
	for u.lab.hitsOf("held") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the request to hold never reached the server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	u.accept()
	// The message reaches the waiting version, which asks to skip waiting.
	time.Sleep(500 * time.Millisecond)
	mark := versions.mark()
	if _, err := chromedp.Call(u.ctx, serviceworker.StopWorker, serviceworker.StopWorkerParams{VersionID: inUse}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(u.ctx, serviceworker.StartWorker, serviceworker.StartWorkerParams{ScopeURL: u.lab.URL}); err != nil {
		t.Fatal(err)
	}
	if !versions.restarted(inUse, mark, 10*time.Second) {
		t.Fatalf("the version in use was not started again while it stopped: %s", versions)
	}
	release()
	u.checkSwitched()
}

// update is a lab whose page offers a new version, deployed while the
// page was open.
type update struct {
	t     *testing.T
	ctx   context.Context
	lab   *labServer
	first string // the version the page runs
	next  string // the version waiting
}

// offerUpdate opens the lab, deploys a new version, and checks that the
// page offers it and keeps running its own version, every file of it,
// across a plain reload too.
func offerUpdate(t *testing.T) *update {
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
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("browser's log:\n%s", logs())
		}
	})
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(cancel)
	u := &update{t: t, ctx: ctx, lab: lab, next: opt.Version}

	if err := chromedp.Do(ctx, chromedp.Navigate(lab.URL+"?workload=countdown")); err != nil {
		t.Fatal(err)
	}
	u.wait("the lab to be offline-ready", `!!navigator.serviceWorker.controller && typeof goappGetenv === "function" && !!document.querySelector(".lab")`)
	u.first = u.eval(`goappGetenv("GOAPP_VERSION")`)
	if u.first == "" || u.first == u.next {
		t.Fatalf("the first version is %q", u.first)
	}
	// Count the offers the page makes; go-app's own handler still runs.
	u.eval(`(() => { const orig = window.goappOnUpdate; window.conlabOffers = 0; window.goappOnUpdate = () => { window.conlabOffers++; orig(); }; return "ok"; })()`)

	lab.deploy(v2.Dir)
	u.eval(`goappServiceWorkerRegistration.update().then(() => "checked")`)
	u.wait("the new version to be installed and waiting", `!!goappServiceWorkerRegistration.waiting`)
	u.wait("the page to offer the update", `window.conlabOffers > 0`)
	if u.eval(`document.querySelector(".update-slot") ? "yes" : "no"`) == "yes" {
		u.wait("the update banner", `!!document.getElementById("update-banner")`)
		screenshot(t, ctx, "update-offered")
	} else {
		t.Log("the page renders no update banner yet (ui.updateBanner is not mounted): checked the offer only")
	}
	// Not half-applied: while the new version waits, the page and its
	// files are the old version, though the server has only the new one.
	if v := u.eval(`goappGetenv("GOAPP_VERSION")`); v != u.first {
		t.Errorf("the page switched to %q before the reader accepted", v)
	}
	if body := u.eval(`fetch("app.js").then(r => r.text())`); !strings.Contains(body, u.first) || strings.Contains(body, u.next) {
		t.Errorf("while the update waits, the page got the app.js of another version")
	}
	// A plain reload keeps the version in use.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	u.wait("the reloaded lab", `typeof goappGetenv === "function" && !!document.querySelector(".lab") && !!goappServiceWorkerRegistration`)
	if v := u.eval(`goappGetenv("GOAPP_VERSION")`); v != u.first {
		t.Errorf("a reload switched to %q without the reader accepting", v)
	}
	u.wait("the update to be offered again", `!!goappServiceWorkerRegistration.waiting`)
	return u
}

// accept is the reader's click on the banner's Reload button, or, on a
// page without the banner, the call it makes. The page prerendered by
// the server holds the banner's slot, never its button: the button
// appears once the lab runs and has seen the update.
func (u *update) accept() {
	u.t.Helper()
	if u.eval(`document.querySelector(".update-slot") ? "yes" : "no"`) == "yes" {
		u.wait("the update banner after the reload", `!!document.getElementById("update-reload")`)
		u.eval(`(document.getElementById("update-reload").click(), "clicked")`)
		return
	}
	u.eval(`(conlabApplyUpdate(), "applied")`)
}

// checkSwitched waits for the page to run the new version, and checks
// that it has every file of it and that the old version's are gone.
func (u *update) checkSwitched() {
	u.t.Helper()
	u.wait("the new version", fmt.Sprintf(`typeof goappGetenv === "function" && goappGetenv("GOAPP_VERSION") === %q && !!navigator.serviceWorker.controller`, u.next))
	if body := u.eval(`fetch("app.js").then(r => r.text())`); !strings.Contains(body, u.next) {
		u.t.Errorf("after the update, app.js is not the new version's")
	}
	caches := u.eval(`caches.keys().then(k => k.join("\n"))`)
	if strings.Contains(caches, u.first) || !strings.Contains(caches, u.next) {
		u.t.Errorf("caches after the update: %q", caches)
	}
}

func (u *update) eval(expr string) string {
	u.t.Helper()
	v, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func (u *update) wait(what, expr string) {
	u.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, err := chromedp.Run(u.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		// A reload during the poll ends it: poll the new page.
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "navigated or closed") {
			u.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// swVersions follows the service worker versions of the browser, as
// DevTools reports them.
type swVersions struct {
	mu   sync.Mutex
	cond *sync.Cond
	last map[string]*serviceworker.Version // by version ID
	log  []string                          // every change, in order
}

// watchVersions starts following the service worker versions.
func (u *update) watchVersions() *swVersions {
	u.t.Helper()
	v := &swVersions{last: map[string]*serviceworker.Version{}}
	v.cond = sync.NewCond(&v.mu)
	err := chromedp.Listen(u.ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerVersionUpdated); ok {
			v.mu.Lock()
			for _, w := range e.Versions {
				v.last[w.VersionID] = w
				v.log = append(v.log, fmt.Sprintf("%s %s/%s", w.VersionID, w.Status, w.RunningStatus))
			}
			v.mu.Unlock()
			v.cond.Broadcast()
		}
	})
	if err != nil {
		u.t.Fatal(err)
	}
	if _, err := chromedp.Call(u.ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		u.t.Fatal(err)
	}
	return v
}

// active returns the ID of the activated version, waiting for DevTools to
// report it.
func (v *swVersions) active() string {
	id, _ := v.until(10*time.Second, func() (string, bool) {
		for id, w := range v.last {
			if w.Status == serviceworker.VersionStatusActivated {
				return id, true
			}
		}
		return "", false
	})
	return id
}

// mark returns the position of the next change in the log.
func (v *swVersions) mark() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.log)
}

// restarted reports whether the activated version id stopped and ran
// again, still activated, after the change at mark, within d.
func (v *swVersions) restarted(id string, mark int, d time.Duration) bool {
	_, ok := v.until(d, func() (string, bool) {
		w := v.last[id]
		return "", slices.Contains(v.log[mark:], id+" activated/stopped") && w.Status == serviceworker.VersionStatusActivated && w.RunningStatus == serviceworker.VersionRunningStatusRunning
	})
	return ok
}

// until calls f, under the lock, at each change until it answers true, or
// for d.
func (v *swVersions) until(d time.Duration, f func() (string, bool)) (string, bool) {
	// The timer takes the lock: its wake-up cannot come between a check
	// and the wait.
	stop := time.AfterFunc(d, func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		v.cond.Broadcast()
	})
	defer stop.Stop()
	end := time.Now().Add(d)
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		if s, ok := f(); ok || time.Now().After(end) {
			return s, ok
		}
		v.cond.Wait()
	}
}

func (v *swVersions) String() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return strings.Join(v.log, ", ")
}
