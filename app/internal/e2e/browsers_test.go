//go:build !wasm

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChromium runs the scenario in headless Chromium, driven with
// chromedp.
func TestChromium(t *testing.T) {
	path := requireBrowser(t, "chromium", "chromium-browser")
	scenarioRun(t, "", func(ctx context.Context, url string) browserRun {
		tab, logs := chromium(t, path)
		if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
			t.Fatalf("chromium: opening the host page: %v", err)
		}
		return browserRun{logs: logs, shot: func(name string) { screenshot(t, tab, name) }}
	})
}

// screenshot writes the tab's page as a PNG and logs where.
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	chromedp.Do(tab, chromedp.Sleep(500*time.Millisecond)) // the last frame drawn
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(shotDir(t), name+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
}

// chromium starts a headless Chromium with a fresh profile, stopped when
// the test ends, and returns its tab and a function that returns what its
// pages wrote to the console.
func chromium(t *testing.T, path string) (context.Context, func() string) {
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// The host page opens the lab in a window of its own.
		chromedp.Flag("disable-popup-blocking", true),
		// Keep the windows the test does not look at running at full speed.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
	)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	var log lockedBuffer
	messages := chromedp.Console(tab)
	// The first action starts the browser; the console is read after it.
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			fmt.Fprintf(&log, "%s:%d %s\n", m.URL, m.Line+1, m)
		}
	}()
	return tab, log.String
}

// TestFirefox runs the scenario in headless Firefox ESR. It needs no
// driver: the host page reports to the test's collector. Its lab server
// sends .wasm files as application/octet-stream, as servers that do not
// know the type do: the lab must load anyway.
func TestFirefox(t *testing.T) {
	path := requireBrowser(t, "firefox-esr", "firefox")
	scenarioRun(t, "application/octet-stream", func(ctx context.Context, url string) browserRun {
		profile := t.TempDir()
		if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxPrefs), 0o644); err != nil {
			t.Fatal(err)
		}
		var log lockedBuffer
		cmd := exec.Command(path, "--headless", "--no-remote", "--profile", profile, url)
		cmd.Stdout, cmd.Stderr = &log, &log
		cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "MOZ_DISABLE_AUTO_SAFE_MODE=1")
		startProcessGroup(t, cmd)
		return browserRun{logs: log.String}
	})
}

// firefoxPrefs keep a fresh profile quiet (no first-run pages, no calls
// home: the machine may have no network), let the host page open the lab
// in a window, and copy the pages' console to stdout for failures.
const firefoxPrefs = `
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("services.settings.server", "http://127.0.0.1:9/");
user_pref("dom.disable_open_during_load", false);
user_pref("dom.popup_maximum", 10);
user_pref("dom.serviceWorkers.enabled", true);
user_pref("devtools.console.stdout.content", true);
user_pref("browser.tabs.warnOnClose", false);
user_pref("dom.min_background_timeout_value", 4);
`
