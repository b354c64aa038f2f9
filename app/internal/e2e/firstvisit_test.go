//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// TestFirstVisitsChromium opens the lab in 20 fresh profiles
// (CONLAB_FIRST_VISITS changes the count), both as the static site under
// a sub-path and as `conlab serve`: not one visit offers an update, as
// nothing changed. A fresh profile is a private page of one browser
// (Chromium's browser context, Firefox's user context), or in WebKitGTK,
// which has none, a browser of its own (see webdriver.FreshVisits).
func TestFirstVisitsChromium(t *testing.T) { firstVisits(t, webdriver.Chromium) }

// TestFirstVisitsFirefox is TestFirstVisitsChromium in Firefox ESR.
func TestFirstVisitsFirefox(t *testing.T) { firstVisits(t, webdriver.Firefox) }

// TestFirstVisitsWebKit is TestFirstVisitsChromium in WebKitGTK.
func TestFirstVisitsWebKit(t *testing.T) { firstVisits(t, webdriver.WebKit) }

func firstVisits(t *testing.T, e webdriver.Engine) {
	webdriver.Require(t, e)
	eachLab(t, func(t *testing.T, lab *labServer) {
		n := webdriver.FirstVisits()
		var total time.Duration
		start := time.Now()
		webdriver.FreshVisits(t, e, n, 4*time.Minute, func(ctx context.Context, i int, p webdriver.Page) {
			if err := p.Navigate(ctx, lab.URL+"?workload=countdown"); err != nil {
				t.Fatalf("visit %d: %v", i, err)
			}
			took, err := webdriver.NoFalseUpdate(ctx, p)
			if err != nil {
				webdriver.SaveScreenshot(t, ctx, p, fmt.Sprintf("%s-%s-first-visit-%d", e, lab.Kind, i))
				t.Errorf("visit %d: %v", i, err)
				return
			}
			total += took
		})
		if !t.Failed() {
			t.Logf("%d fresh-profile first visits in %v, no update offered; the lab ran under its service worker %v after opening, on average", n, time.Since(start).Round(time.Second), (total / time.Duration(n)).Round(time.Millisecond))
		}
	})
}
