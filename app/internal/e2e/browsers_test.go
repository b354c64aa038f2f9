//go:build !wasm

package e2e

import (
	"context"
	"strings"
	"testing"

	"conlab/app/internal/webdriver"
)

// TestChromium runs the scenario in headless Chromium.
func TestChromium(t *testing.T) { scenarioIn(t, webdriver.Chromium, "") }

// TestFirefox runs the scenario in headless Firefox ESR. Its lab server
// sends .wasm files as application/octet-stream, as servers that do not
// know the type do: the lab must load anyway.
func TestFirefox(t *testing.T) { scenarioIn(t, webdriver.Firefox, "application/octet-stream") }

// TestWebKit runs the scenario in WebKitGTK's MiniBrowser. Offline, the
// lab embedded by the host page (a page of another origin) comes from its
// service worker, but its worker pool cannot start: in the iframe the
// Web Workers fail to load ("NetworkError: Load failed"), in the window
// the host opened worker.wasm never arrives. A page of the lab's own
// opened offline runs (TestOfflineWebKit), as does all of it in Chromium
// and Firefox: the test reports the pool's error in WebKit and checks
// the rest.
func TestWebKit(t *testing.T) { scenarioIn(t, webdriver.WebKit, "") }

// scenarioIn runs the scenario in a fresh browser of engine e; the host
// page reports to the test's collector.
func scenarioIn(t *testing.T, e webdriver.Engine, wasmType string) {
	webdriver.Require(t, e)
	scenarioRun(t, wasmType, func(ctx context.Context, url string) browserRun {
		b := webdriver.Start(t, e, webdriver.Options{})
		p := b.Page()
		if err := p.Navigate(ctx, url); err != nil {
			t.Fatalf("%s: opening the host page: %v", b.Name(), err)
		}
		return browserRun{
			logs:              func() string { return strings.Join(p.ConsoleErrors(), "\n") },
			shot:              func(name string) { webdriver.SaveScreenshot(t, ctx, p, string(e)+"-"+name) },
			offlineEmbedFails: e == webdriver.WebKit,
		}
	})
}
