//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// TestFirstVisitsChromium opens the static site in 20 fresh profiles
// (CONLAB_FIRST_VISITS changes the count): not one offers an update, as
// nothing changed.
func TestFirstVisitsChromium(t *testing.T) { firstVisits(t, webdriver.Chromium) }

// TestFirstVisitsFirefox is TestFirstVisitsChromium in Firefox ESR.
func TestFirstVisitsFirefox(t *testing.T) { firstVisits(t, webdriver.Firefox) }

// TestFirstVisitsWebKit is TestFirstVisitsChromium in WebKitGTK. It
// fails today: a fresh profile's first visit showed "A new version of the
// lab is ready" with no new version waiting (visit 8 of 20), as on conlab
// serve; make test runs it only with CONLAB_FALSE_UPDATE_CHECKS=1 until
// that is fixed.
func TestFirstVisitsWebKit(t *testing.T) {
	if os.Getenv("CONLAB_FALSE_UPDATE_CHECKS") != "1" {
		t.Skip("WebKitGTK still shows a false update banner on some first visits: set CONLAB_FALSE_UPDATE_CHECKS=1 to run this")
	}
	firstVisits(t, webdriver.WebKit)
}

func firstVisits(t *testing.T, e webdriver.Engine) {
	webdriver.Require(t, e)
	lab := startLab(t, builtSite(t))
	n := webdriver.FirstVisits()
	var total time.Duration
	webdriver.FreshVisits(t, e, n, 4*time.Minute, func(ctx context.Context, i int, p webdriver.Page) {
		if err := p.Navigate(ctx, lab.URL+"?workload=countdown"); err != nil {
			t.Fatalf("visit %d: %v", i, err)
		}
		took, err := webdriver.NoFalseUpdate(ctx, p)
		if err != nil {
			webdriver.SaveScreenshot(t, ctx, p, fmt.Sprintf("%s-first-visit-%d", e, i))
			t.Errorf("visit %d: %v", i, err)
			return
		}
		total += took
	})
	if !t.Failed() {
		t.Logf("%d fresh-profile first visits, no update offered; the lab ran under its service worker %v after opening, on average", n, (total / time.Duration(n)).Round(time.Millisecond))
	}
}
