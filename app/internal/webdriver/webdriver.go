package webdriver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// Engine names a browser engine.
type Engine string

// The engines the tests run in.
const (
	Chromium Engine = "chromium" // Blink and V8, through chromedp
	Firefox  Engine = "firefox"  // Gecko and SpiderMonkey, through WebDriver BiDi
	WebKit   Engine = "webkit"   // WebKitGTK and JavaScriptCore, through WebDriver classic
)

// Engines lists every engine, in the order the tests run them.
var Engines = []Engine{Chromium, Firefox, WebKit}

// Title is the engine's name as a test's name: "Chromium".
func (e Engine) Title() string {
	switch e {
	case WebKit:
		return "WebKit"
	case Firefox:
		return "Firefox"
	case Chromium:
		return "Chromium"
	}
	return string(e)
}

// commands are the programs that run each engine, in order of preference,
// and the Debian package that has them.
var commands = map[Engine]struct {
	names []string
	pkg   string
}{
	Chromium: {[]string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}, "chromium"},
	Firefox:  {[]string{"firefox-esr", "firefox"}, "firefox-esr"},
	WebKit:   {[]string{"WebKitWebDriver"}, "webkit2gtk-driver xvfb"},
}

// Find returns the path of the program that runs e, or an error that says
// which package to install.
func Find(e Engine) (string, error) {
	c, ok := commands[e]
	if !ok {
		return "", fmt.Errorf("webdriver: unknown engine %q", e)
	}
	if e == WebKit {
		if _, err := exec.LookPath("Xvfb"); err != nil {
			return "", fmt.Errorf("webdriver: Xvfb is not installed (apt-get install xvfb)")
		}
		if _, err := miniBrowser(); err != nil {
			return "", err
		}
	}
	for _, n := range c.names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("webdriver: %s is not installed (apt-get install %s)", c.names[0], c.pkg)
}

// Options configure a browser.
type Options struct {
	// Width and Height are the window's inner size; 0 means 1280×900.
	Width, Height int
	// Log, if set, receives the browser's own output.
	Log io.Writer
}

func (o *Options) defaults() {
	if o.Width == 0 {
		o.Width = 1280
	}
	if o.Height == 0 {
		o.Height = 900
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// Browser is a running browser with a fresh profile: empty caches, no
// service workers, no storage.
type Browser interface {
	// Name is the browser and its build: "Firefox 153.8.0esr".
	Name() string
	// Engine is the engine it runs.
	Engine() Engine
	// Page returns the page (tab) the browser opened with.
	Page() Page
	// NewPage opens another page of the same profile.
	NewPage(ctx context.Context) (Page, error)
	// NewPrivatePage opens a page in a new, empty profile of the same
	// browser: no cache, storage or service worker in common with any
	// other page. Closing the page discards the profile. A browser that
	// cannot returns an error wrapping errors.ErrUnsupported: Launch
	// another browser instead.
	NewPrivatePage(ctx context.Context) (Page, error)
	// Close stops the browser and every process it started.
	Close() error
}

// Page is one tab of a browser.
type Page interface {
	// Navigate loads url and waits for its load event.
	Navigate(ctx context.Context, url string) error
	// Reload reloads the page and waits for its load event.
	Reload(ctx context.Context) error
	// Evaluate evaluates a JavaScript expression in the page, awaits it
	// when it is a promise, and returns its value as JSON. An evaluation
	// the page's navigation ended returns an error wrapping
	// ErrNavigated; Eval retries those.
	Evaluate(ctx context.Context, expr string) (json.RawMessage, error)
	// Click clicks the element the CSS selector finds as a user would,
	// with the pointer, after scrolling it into the middle of the view.
	Click(ctx context.Context, selector string) error
	// Screenshot returns the whole page as a PNG.
	Screenshot(ctx context.Context) ([]byte, error)
	// ConsoleErrors returns the errors the page's console has shown:
	// console.error calls and uncaught exceptions, in order.
	ConsoleErrors() []string
	// Close closes the page.
	Close() error
}

// ErrNavigated says an evaluation ended because its page navigated or its
// document went away: evaluating again reaches the new document.
var ErrNavigated = errors.New("the page navigated during the evaluation")

// navigationErrors are the messages with which the drivers end an
// evaluation whose document went away.
var navigationErrors = []string{
	"Cannot find context with specified id", // DevTools
	"navigated or closed",                   // chromedp's Poll
	"Execution context was destroyed",       // DevTools
	"Inspected target navigated or closed",  // DevTools
	"no such frame",                         // WebDriver
	"no such window",                        // WebDriver
	"unknown error: Actor",                  // Firefox: the page's actor went away
	"AbortError",                            // Firefox: navigation aborted a script
	"Document was unloaded",                 // Firefox
	"DiscardedBrowsingContextError",         // Firefox
	"JavaScript execution context is gone",  // WebKit
	"Page navigated",                        // WebKit
}

// navigated wraps err in ErrNavigated when its message says the document
// went away.
func navigated(err error) error {
	if err == nil || errors.Is(err, ErrNavigated) {
		return err
	}
	for _, m := range navigationErrors {
		if strings.Contains(err.Error(), m) {
			return fmt.Errorf("%w: %v", ErrNavigated, err)
		}
	}
	return err
}

// IsNavigated reports whether err ended an evaluation because its page
// navigated or its document went away, as any of the drivers words it
// (chromedp's own errors included): evaluating again reaches the new
// document.
func IsNavigated(err error) bool { return errors.Is(navigated(err), ErrNavigated) }

// Eval evaluates expr in p and decodes its value into T, evaluating again
// while a navigation ends the evaluation, until ctx ends.
func Eval[T any](ctx context.Context, p Page, expr string) (T, error) {
	var v T
	for {
		raw, err := p.Evaluate(ctx, expr)
		if err == nil {
			if err := json.Unmarshal(raw, &v); err != nil {
				return v, fmt.Errorf("webdriver: %s returned %s: %w", short(expr), raw, err)
			}
			return v, nil
		}
		if !errors.Is(err, ErrNavigated) || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Wait evaluates expr in p every 100 ms until it is true, for at most
// within. Errors are retried too (the page may be between documents, or
// not yet define what expr uses); the last one is reported at the end.
func Wait(ctx context.Context, p Page, expr string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var last error
	for {
		raw, err := p.Evaluate(ctx, expr)
		if err == nil {
			if string(raw) == "true" {
				return nil
			}
			last = fmt.Errorf("it is %s", raw)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("webdriver: waiting %v for %s: %v", within, short(expr), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// Launch starts a browser of engine e with a fresh profile, stopped by
// Close or when ctx ends.
func Launch(ctx context.Context, e Engine, opt Options) (Browser, error) {
	opt.defaults()
	path, err := Find(e)
	if err != nil {
		return nil, err
	}
	switch e {
	case Chromium:
		return launchChromium(ctx, path, opt)
	case Firefox:
		return launchFirefox(ctx, path, opt)
	case WebKit:
		return launchWebKit(ctx, path, opt)
	}
	return nil, fmt.Errorf("webdriver: unknown engine %q", e)
}

// wrapScript makes expr's value, awaited, a JSON text: what every driver
// can return the same way. undefined becomes null.
func wrapScript(expr string) string {
	return "(async () => { const v = await (" + expr + "\n); return v === undefined ? \"null\" : JSON.stringify(v); })()"
}

// consoleHook records console.error calls and uncaught exceptions in
// window.__conlabErrors, for a driver that cannot read the console.
const consoleHook = `(() => {
	if (window.__conlabErrors) return true;
	const errs = window.__conlabErrors = [];
	const orig = console.error;
	console.error = function (...args) { errs.push(args.map(String).join(" ")); return orig.apply(this, args); };
	addEventListener("error", e => errs.push("uncaught: " + e.message + (e.filename ? " (" + e.filename + ":" + e.lineno + ")" : "")));
	addEventListener("unhandledrejection", e => errs.push("unhandled rejection: " + (e.reason && e.reason.stack || e.reason)));
	return true;
})()`
