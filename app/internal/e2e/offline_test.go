//go:build !wasm

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// TestOfflineChromium opens the lab once, as a page of its own, and runs
// a lesson on two Web Workers; then the lab's server stops and the
// reloaded page runs it again, from the service worker alone, as the
// same version. It does so with the static site under a sub-path and with
// `conlab serve`.
func TestOfflineChromium(t *testing.T) { offline(t, webdriver.Chromium) }

// TestOfflineFirefox is TestOfflineChromium in Firefox ESR.
func TestOfflineFirefox(t *testing.T) { offline(t, webdriver.Firefox) }

// TestOfflineWebKit is TestOfflineChromium in WebKitGTK.
func TestOfflineWebKit(t *testing.T) { offline(t, webdriver.WebKit) }

func offline(t *testing.T, e webdriver.Engine) {
	webdriver.Require(t, e)
	eachLab(t, func(t *testing.T, lab *labServer) {
		b := webdriver.Start(t, e, webdriver.Options{})
		p := b.Page()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		const (
			lesson = "?workload=countdown&count=40000000&modes=sequential,workers&workers=2&autorun=1"
			ran    = `!!document.getElementById("status") && +document.getElementById("status").dataset.sets >= 1`
			state  = `document.getElementById("status").dataset.state + ": " + document.getElementById("status").textContent`
		)
		run := func(phase string) string {
			t.Helper()
			if err := webdriver.Wait(ctx, p, ran, 3*time.Minute); err != nil {
				t.Fatalf("%s: the lesson did not run: %v", phase, err)
			}
			s, err := webdriver.Eval[string](ctx, p, state)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s, "ok:") {
				webdriver.SaveScreenshot(t, ctx, p, string(e)+"-"+lab.Kind+"-offline-"+phase)
				t.Fatalf("%s: %s", phase, s)
			}
			rows, err := webdriver.Eval[int](ctx, p, `document.querySelectorAll(".results-table tbody tr").length`)
			if err != nil || rows < 2 {
				t.Errorf("%s: %d rows in the results table (%v), want 2 or more", phase, rows, err)
			}
			v, err := webdriver.Eval[string](ctx, p, `goappGetenv("GOAPP_VERSION")`)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if err := p.Navigate(ctx, lab.URL+lesson); err != nil {
			t.Fatal(err)
		}
		online := run("online")
		if err := webdriver.Wait(ctx, p, `!!navigator.serviceWorker.controller`, time.Minute); err != nil {
			t.Fatalf("no service worker controls the page: %v", err)
		}
		lab.stop()
		if err := p.Reload(ctx); err != nil {
			t.Fatalf("reloading offline: %v", err)
		}
		if v := run("offline"); v != online {
			t.Errorf("offline, the lab runs version %q, online it ran %q", v, online)
		}
		webdriver.SaveScreenshot(t, ctx, p, string(e)+"-"+lab.Kind+"-offline")
	})
}
