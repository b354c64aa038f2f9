//go:build !wasm && e2e

package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conlab/app/internal/webdriver"
)

// The helpers of this file drive a Chromium tab through chromedp
// directly, for the tests that need DevTools or were written against it
// (e2e_firstround_test.go, lessons_e2e_test.go). The browser comes from
// package webdriver, as every engine's does.

// browser opens a fresh headless Chromium (its own profile: empty
// storage) and returns its tab's chromedp context, valid for timeout.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	l := browserIn(t, webdriver.Chromium, timeout)
	tab, _ := webdriver.Tab(l.p)
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(cancel)
	return ctx
}

// open loads url and waits until the lab's wasm runs (go-app removes its
// loader); it returns the page's load time, cold (fresh profile).
func open(t *testing.T, tab context.Context, url string) time.Duration {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	waitFor(t, tab, `!document.getElementById("app-wasm-loader") && !!document.getElementById("status")`, time.Minute)
	ms := eval[float64](t, tab, `performance.now()`)
	return time.Duration(ms * float64(time.Millisecond))
}

// waitFor polls expr in tab until it is true, for at most within, across
// the page's navigations.
func waitFor(t *testing.T, tab context.Context, expr string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, within)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond)))
		if err == nil {
			return
		}
		if !webdriver.IsNavigated(err) || ctx.Err() != nil {
			status := eval[string](t, tab, `(document.getElementById("status")||{}).textContent||""`)
			t.Fatalf("waiting for %s: %v (status: %q)", expr, err, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// eval evaluates expr in tab, again while a navigation ends the
// evaluation.
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	for {
		v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
		if err == nil {
			return v
		}
		if !webdriver.IsNavigated(err) || tab.Err() != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click clicks the element sel as a user would, with the mouse, after
// scrolling it to the middle of the window (the sticky header would
// otherwise cover an element scrolled to the top).
func click(t *testing.T, tab context.Context, sel string) {
	t.Helper()
	center := fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"})`, sel)
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](center), chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

// screenshot writes the whole page as a PNG and logs where.
func screenshot(t *testing.T, tab context.Context, name string) string {
	t.Helper()
	// From the top: the sticky header and catalog then sit where a
	// student sees them.
	chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0); document.querySelectorAll(".table-wrap").forEach(e => e.scrollLeft = 0)`), chromedp.Sleep(300*time.Millisecond))
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
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
	return file
}
