//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// TestUpdateChromium deploys a new version under an open lab (two pages
// of it), the static site under a sub-path and `conlab serve`: the lab
// keeps running the version it loaded, every file of it, until the
// reader accepts the update in one page; then every page reloads into
// the new version whole.
func TestUpdateChromium(t *testing.T) { testUpdate(t, webdriver.Chromium) }

// TestUpdateFirefox is TestUpdateChromium in Firefox ESR.
func TestUpdateFirefox(t *testing.T) { testUpdate(t, webdriver.Firefox) }

// TestUpdateWebKit is TestUpdateChromium in WebKitGTK.
func TestUpdateWebKit(t *testing.T) { testUpdate(t, webdriver.WebKit) }

func testUpdate(t *testing.T, e webdriver.Engine) {
	webdriver.Require(t, e)
	eachLab(t, func(t *testing.T, lab *labServer) {
		u := offerUpdate(t, e, lab)
		u.accept()
		u.checkSwitched()
	})
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

// offerUpdate opens lab in two pages, deploys its next version, and
// checks that the pages offer it and keep running their own version,
// every file of it, across a plain reload too.
func offerUpdate(t *testing.T, e webdriver.Engine, lab *labServer) *update {
	b := webdriver.Start(t, e, webdriver.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	u := &update{t: t, ctx: ctx, engine: e, lab: lab}

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
	u.next = lab.deployNext(t)
	if u.first == "" || u.first == u.next {
		t.Fatalf("the first version is %q, the next %q", u.first, u.next)
	}
	u.eval(first, `goappServiceWorkerRegistration.update().then(() => "checked")`)
	for i, p := range u.pages {
		u.wait(p, fmt.Sprintf("page %d: the new version to be installed and waiting", i+1), `!!goappServiceWorkerRegistration.waiting`)
	}
	// Every open page offers it.
	for i, p := range u.pages {
		u.wait(p, fmt.Sprintf("page %d: the update banner", i+1), `!!document.getElementById("update-banner")`)
	}
	webdriver.SaveScreenshot(t, ctx, first, string(e)+"-"+lab.Kind+"-update-offered")
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
	webdriver.SaveScreenshot(u.t, u.ctx, u.pages[0], string(u.engine)+"-"+u.lab.Kind+"-update-switched")
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
