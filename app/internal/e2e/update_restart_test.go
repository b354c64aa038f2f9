//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"conlab/app/internal/webdriver"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// TestUpdateRestartedWorkerChromium accepts the update while a request of
// the page (one the server holds) keeps the version in use busy, as the
// pool's Web Workers starting or a lesson fetching its data do. Chromium,
// asked to stop the version in use so that the new one can activate, is
// made to start it again for that request (DevTools: stopWorker, then
// startWorker): Chromium then no longer hurries it, and the new version
// would wait for ever with DevTools attached, 30 s and more without. The
// page must still switch.
func TestUpdateRestartedWorkerChromium(t *testing.T) { restartedWorker(t, webdriver.Chromium) }

// TestUpdateRestartedWorkerFirefox is TestUpdateRestartedWorkerChromium
// in Firefox ESR, but for the restart: WebDriver BiDi has no command that
// stops or starts a service worker, so the version in use stays busy
// with the held request across the reader's click, and the page must
// switch once the request is answered.
func TestUpdateRestartedWorkerFirefox(t *testing.T) { restartedWorker(t, webdriver.Firefox) }

// TestUpdateRestartedWorkerWebKit is TestUpdateRestartedWorkerFirefox in
// WebKitGTK, whose WebDriver (classic) has no such command either.
func TestUpdateRestartedWorkerWebKit(t *testing.T) { restartedWorker(t, webdriver.WebKit) }

func restartedWorker(t *testing.T, e webdriver.Engine) {
	webdriver.Require(t, e)
	lab := startLab(t, builtSite(t))
	u := offerUpdate(t, e, lab)
	tab, devtools := webdriver.Tab(u.pages[0])
	var versions *swVersions
	var inUse string
	if devtools {
		versions = u.watchVersions(tab)
		if inUse = versions.active(); inUse == "" {
			t.Fatalf("DevTools reports no activated service worker: %s", versions)
		}
	}
	// A request the server holds keeps the version in use busy: it cannot
	// stop before the test stops it.
	release := lab.hold("held")
	defer release()
	u.eval(u.pages[0], `(fetch("held").catch(() => {}), "fetching")`)
	deadline := time.Now().Add(10 * time.Second)
	for lab.hitsOf("held") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the request to hold never reached the server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	u.accept()
	// The message reaches the waiting version, which asks to skip waiting.
	time.Sleep(500 * time.Millisecond)
	if devtools {
		mark := versions.mark()
		if _, err := chromedp.Call(tab, serviceworker.StopWorker, serviceworker.StopWorkerParams{VersionID: inUse}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(tab, serviceworker.StartWorker, serviceworker.StartWorkerParams{ScopeURL: lab.URL}); err != nil {
			t.Fatal(err)
		}
		if !versions.restarted(inUse, mark, 10*time.Second) {
			t.Fatalf("the version in use was not started again while it stopped: %s", versions)
		}
	} else {
		t.Logf("%s: no command stops a service worker: the version in use stays busy across the click instead", e.Title())
		time.Sleep(2 * time.Second)
	}
	release()
	u.checkSwitched()
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
