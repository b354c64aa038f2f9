//go:build !wasm

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/webdriver"

	"github.com/chromedp/chromedp"
)

// The helpers below are for the Chromium-only tests written against
// chromedp (serve_test.go); the browser comes from package webdriver, as
// every engine's does.

// requireBrowser skips t without Chromium (fails it under
// CONLAB_REQUIRE_BROWSERS=1) and returns Chromium's path.
func requireBrowser(t *testing.T, _ ...string) string {
	t.Helper()
	webdriver.Require(t, webdriver.Chromium)
	path, _ := webdriver.Find(webdriver.Chromium)
	return path
}

// chromium starts a headless Chromium with a fresh profile, stopped when
// the test ends, and returns its tab and a function that returns the
// console's errors.
func chromium(t *testing.T, _ string) (context.Context, func() string) {
	t.Helper()
	b := webdriver.Start(t, webdriver.Chromium, webdriver.Options{})
	tab, _ := webdriver.Tab(b.Page())
	return tab, func() string { return strings.Join(b.Page().ConsoleErrors(), "\n") }
}

// screenshot writes the tab's whole page as NAME.png and logs where.
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	chromedp.Do(tab, chromedp.Sleep(500*time.Millisecond)) // the last frame drawn
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := webdriver.ShotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
}
