//go:build !wasm && e2e

package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
)

// engines runs test in a fresh browser of every engine, one subtest
// each, named after the engine.
func engines(t *testing.T, test func(t *testing.T, e webdriver.Engine)) {
	for _, e := range webdriver.Engines {
		t.Run(e.Title(), func(t *testing.T) {
			webdriver.Require(t, e)
			test(t, e)
		})
	}
}

// e2ePage is a page of the lab in a fresh browser, and the time the test
// gives it.
type e2ePage struct {
	t      *testing.T
	ctx    context.Context
	engine webdriver.Engine
	p      webdriver.Page
}

// browserIn opens a fresh browser of engine e (its own profile: empty
// storage), with timeout for the test's whole use of it.
func browserIn(t *testing.T, e webdriver.Engine, timeout time.Duration) *e2ePage {
	t.Helper()
	b := webdriver.Start(t, e, webdriver.Options{Width: 1280, Height: 900})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return &e2ePage{t: t, ctx: ctx, engine: e, p: b.Page()}
}

// open loads url and waits until the lab's wasm runs (go-app removes its
// loader); it returns the page's load time, cold (fresh profile).
func (l *e2ePage) open(url string) time.Duration {
	l.t.Helper()
	if err := l.p.Navigate(l.ctx, url); err != nil {
		l.t.Fatalf("loading %s: %v", url, err)
	}
	l.waitFor(`!document.getElementById("app-wasm-loader") && !!document.getElementById("status")`, 2*time.Minute)
	ms := evalIn[float64](l, `performance.now()`)
	return time.Duration(ms * float64(time.Millisecond))
}

func (l *e2ePage) waitFor(expr string, within time.Duration) {
	l.t.Helper()
	if err := webdriver.Wait(l.ctx, l.p, expr, within); err != nil {
		status, _ := webdriver.Eval[string](l.ctx, l.p, `(document.getElementById("status")||{}).textContent||""`)
		l.t.Fatalf("%v (status: %q)", err, status)
	}
}

func evalIn[T any](l *e2ePage, expr string) T {
	l.t.Helper()
	v, err := webdriver.Eval[T](l.ctx, l.p, expr)
	if err != nil {
		l.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// click clicks the element sel as a user would, with the pointer, after
// scrolling it to the middle of the window (the sticky header would
// otherwise cover an element scrolled to the top).
func (l *e2ePage) click(sel string) {
	l.t.Helper()
	if err := l.p.Click(l.ctx, sel); err != nil {
		l.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// setValue types value into the input field id, as far as the page can
// tell.
func (l *e2ePage) setValue(id, value string) {
	l.t.Helper()
	evalIn[any](l, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); })()`, id, value))
}

// screenshot writes the whole page as ENGINE-NAME.png and logs where.
func (l *e2ePage) screenshot(name string) {
	l.t.Helper()
	// From the top: the sticky header and catalog then sit where a
	// student sees them.
	evalIn[any](l, `(window.scrollTo(0, 0), document.querySelectorAll(".table-wrap").forEach(e => e.scrollLeft = 0), null)`)
	time.Sleep(300 * time.Millisecond)
	webdriver.SaveScreenshot(l.t, l.ctx, l.p, string(l.engine)+"-"+name)
}

const (
	statusSets  = `+(document.getElementById("status")||{dataset:{}}).dataset.sets`
	statusState = `(document.getElementById("status")||{dataset:{}}).dataset.state`
)
