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
	"conlab/app/internal/webdriver"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// TestUpdateChromium deploys a new version under an open lab (two pages
// of it): the lab keeps running the version it loaded, every file of it,
// until the reader accepts the update in one page; then every page
// reloads into the new version whole.
func TestUpdateChromium(t *testing.T) { testUpdate(t, webdriver.Chromium) }

// TestUpdateFirefox is TestUpdateChromium in Firefox ESR.
func TestUpdateFirefox(t *testing.T) { testUpdate(t, webdriver.Firefox) }

// TestUpdateWebKit is TestUpdateChromium in WebKitGTK.
func TestUpdateWebKit(t *testing.T) { testUpdate(t, webdriver.WebKit) }

func testUpdate(t *testing.T, e webdriver.Engine) {
	u := offerUpdate(t, e)
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
	u := offerUpdate(t, webdriver.Chromium)
	tab, _ := webdriver.Tab(u.pages[0])
	versions := u.watchVersions(tab)
	inUse := versions.active()
	if inUse == "" {
		t.Fatalf("DevTools reports no activated service worker: %s", versions)
	}
	// A request the server holds keeps the version in use busy: it cannot
	// stop before the test stops it.
	release := u.lab.hold("held")
	defer release()
	u.eval(u.pages[0], `(fetch("held").catch(() => {}), "fetching")`)
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
	if _, err := chromedp.Call(tab, serviceworker.StopWorker, serviceworker.StopWorkerParams{VersionID: inUse}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, serviceworker.StartWorker, serviceworker.StartWorkerParams{ScopeURL: u.lab.URL}); err != nil {
		t.Fatal(err)
	}
	if !versions.restarted(inUse, mark, 10*time.Second) {
		t.Fatalf("the version in use was not started again while it stopped: %s", versions)
	}
	release()
	u.checkSwitched()
}

// update is a lab whose pages offer a new version, deployed while they
// were open.
type update struct {
	t      *testing.T
	ctx    context.Context
	engine webdriver.Engine
	lab    *labServer
	pages  []webdriver.Page // two pages of the lab, in one profile
	first  string           // the version the pages run
	next   string           // the version waiting
}

// offerUpdate opens the lab in two pages, deploys a new version, and
// checks that both offer it and keep running their own version, every
// file of it, across a plain reload too.
func offerUpdate(t *testing.T, e webdriver.Engine) *update {
	webdriver.Require(t, e)
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
	b := webdriver.Start(t, e, webdriver.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	u := &update{t: t, ctx: ctx, engine: e, lab: lab, next: opt.Version}

	const ready = `!!navigator.serviceWorker.controller && typeof goappGetenv === "function" && !!document.querySelector(".lab")`
	first := b.Page()
	if err := first.Navigate(ctx, lab.URL+"?workload=countdown"); err != nil {
		t.Fatal(err)
	}
	u.wait(first, "the lab to be offline-ready", ready)
	second, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Navigate(ctx, lab.URL+"?workload=sleep"); err != nil {
		t.Fatal(err)
	}
	u.wait(second, "the second page to be offline-ready", ready)
	u.pages = []webdriver.Page{first, second}
	u.first = u.eval(first, `goappGetenv("GOAPP_VERSION")`)
	if u.first == "" || u.first == u.next {
		t.Fatalf("the first version is %q", u.first)
	}
	for _, p := range u.pages {
		// Count the offers the page makes; go-app's own handler still runs.
		u.eval(p, `(() => { const orig = window.goappOnUpdate; window.conlabOffers = 0; window.goappOnUpdate = () => { window.conlabOffers++; orig(); }; return "ok"; })()`)
	}

	lab.deploy(v2.Dir)
	u.eval(first, `goappServiceWorkerRegistration.update().then(() => "checked")`)
	for i, p := range u.pages {
		u.wait(p, fmt.Sprintf("page %d: the new version to be installed and waiting", i+1), `!!goappServiceWorkerRegistration.waiting`)
	}
	u.wait(first, "the page to offer the update", `window.conlabOffers > 0`)
	u.wait(first, "the update banner", `!!document.getElementById("update-banner")`)
	// The other page's offer is reported, not required: what the reader
	// must see is the offer in the page they look at, and every page
	// switching once they accept. (Chromium sometimes has the second page
	// see the new version installed before its registration says it
	// waits, and that page then offers nothing.)
	time.Sleep(time.Second)
	t.Logf("the second page offered the update: %s", u.eval(second, `String(window.conlabOffers > 0 && !!document.getElementById("update-banner"))`))
	webdriver.SaveScreenshot(t, ctx, first, string(e)+"-update-offered")
	// Not half-applied: while the new version waits, the pages and their
	// files are the old version, though the server has only the new one.
	for i, p := range u.pages {
		if v := u.eval(p, `goappGetenv("GOAPP_VERSION")`); v != u.first {
			t.Errorf("page %d switched to %q before the reader accepted", i+1, v)
		}
		if body := u.eval(p, `fetch("app.js").then(r => r.text())`); !strings.Contains(body, u.first) || strings.Contains(body, u.next) {
			t.Errorf("page %d: while the update waits, the page got the app.js of another version", i+1)
		}
	}
	// A plain reload keeps the version in use.
	if err := first.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	u.wait(first, "the reloaded lab", `typeof goappGetenv === "function" && !!document.querySelector(".lab") && !!goappServiceWorkerRegistration`)
	if v := u.eval(first, `goappGetenv("GOAPP_VERSION")`); v != u.first {
		t.Errorf("a reload switched to %q without the reader accepting", v)
	}
	u.wait(first, "the update to be offered again", `!!goappServiceWorkerRegistration.waiting`)
	return u
}

// accept is the reader's click on the first page's Reload button. The
// page prerendered by the server holds the banner's slot, never its
// button: the button appears once the lab runs and has seen the update.
func (u *update) accept() {
	u.t.Helper()
	p := u.pages[0]
	u.wait(p, "the update banner after the reload", `!!document.getElementById("update-reload")`)
	if err := p.Click(u.ctx, "#update-reload"); err != nil {
		u.t.Fatalf("clicking Reload: %v", err)
	}
}

// checkSwitched waits for every page to run the new version, and checks
// that it has every file of it and that the old version's are gone.
func (u *update) checkSwitched() {
	u.t.Helper()
	for i, p := range u.pages {
		u.wait(p, fmt.Sprintf("page %d: the new version", i+1), fmt.Sprintf(`typeof goappGetenv === "function" && goappGetenv("GOAPP_VERSION") === %q && !!navigator.serviceWorker.controller && !!document.querySelector(".lab") && !document.getElementById("app-wasm-loader")`, u.next))
		if body := u.eval(p, `fetch("app.js").then(r => r.text())`); !strings.Contains(body, u.next) {
			u.t.Errorf("page %d: after the update, app.js is not the new version's", i+1)
		}
		if b := u.eval(p, `document.getElementById("update-banner") ? "banner" : "none"`); b != "none" {
			u.t.Errorf("page %d: the new version still offers an update", i+1)
		}
	}
	caches := u.eval(u.pages[0], `caches.keys().then(k => k.join("\n"))`)
	if strings.Contains(caches, u.first) || !strings.Contains(caches, u.next) {
		u.t.Errorf("caches after the update: %q", caches)
	}
	// Of the first page: WebKitGTK's screenshot of a second window never
	// returns.
	webdriver.SaveScreenshot(u.t, u.ctx, u.pages[0], string(u.engine)+"-update-switched")
}

func (u *update) eval(p webdriver.Page, expr string) string {
	u.t.Helper()
	v, err := webdriver.Eval[string](u.ctx, p, expr)
	if err != nil {
		u.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func (u *update) wait(p webdriver.Page, what, expr string) {
	u.t.Helper()
	if err := webdriver.Wait(u.ctx, p, expr, 90*time.Second); err != nil {
		u.t.Fatalf("waiting for %s: %v", what, err)
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

// watchVersions starts following the service worker versions of the
// Chromium tab.
func (u *update) watchVersions(tab context.Context) *swVersions {
	u.t.Helper()
	v := &swVersions{last: map[string]*serviceworker.Version{}}
	v.cond = sync.NewCond(&v.mu)
	err := chromedp.Listen(tab, func(ev any) {
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
	if _, err := chromedp.Call(tab, serviceworker.Enable, cdp.Empty{}); err != nil {
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
