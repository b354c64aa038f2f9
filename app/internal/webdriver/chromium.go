package webdriver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ChromiumFlags are the options of a headless Chromium for tests, with
// its profile in dir: no sandbox (tests run as root), no GPU, no calls
// home, and pages in the background, popups included, at full speed
// (the tests time things).
func ChromiumFlags(path, dir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-popup-blocking", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
	}
}

type chromium struct {
	name        string
	profile     string
	cancelAlloc context.CancelFunc
	first       *chromiumPage
	opt         Options
}

func launchChromium(ctx context.Context, path string, opt Options) (Browser, error) {
	profile, err := os.MkdirTemp("", "conlab-chromium-")
	if err != nil {
		return nil, err
	}
	// The browser lives until Close, not as long as ctx: ctx bounds the
	// start only.
	flags := append(ChromiumFlags(path, profile), chromedp.WindowSize(opt.Width, opt.Height),
		chromedp.CombinedOutput(opt.Log))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	b := &chromium{profile: profile, cancelAlloc: cancelAlloc, opt: opt}
	tab, cancelTab := chromedp.NewContext(alloc)
	p, err := b.newPage(ctx, tab, cancelTab)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("webdriver: starting %s: %w", path, err)
	}
	b.first = p
	v, err := chromedp.CallBrowser(p.ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		b.Close()
		return nil, err
	}
	// "HeadlessChrome/156.0.8078.114": Chromium's build, headless.
	b.name = "Chromium " + v.Product[strings.IndexByte(v.Product, '/')+1:] + " (headless)"
	return b, nil
}

func (b *chromium) Name() string   { return b.name }
func (b *chromium) Engine() Engine { return Chromium }
func (b *chromium) Page() Page     { return b.first }

func (b *chromium) NewPage(ctx context.Context) (Page, error) {
	tab, cancel := chromedp.NewContext(b.first.ctx)
	return b.newPage(ctx, tab, cancel)
}

// NewPrivatePage opens a page in a browser context of its own, which
// closing the page disposes of.
func (b *chromium) NewPrivatePage(ctx context.Context) (Page, error) {
	tab, cancel := chromedp.NewContext(b.first.ctx, chromedp.WithNewBrowserContext())
	return b.newPage(ctx, tab, cancel)
}

// newPage starts tab, reads its console, and turns DevTools' network
// tracking off: it keeps every response body (4 MB of worker.wasm) for
// an inspector no one opens, and slowed the pool's start by ~200 ms.
func (b *chromium) newPage(ctx context.Context, tab context.Context, cancel context.CancelFunc) (*chromiumPage, error) {
	p := &chromiumPage{ctx: tab, cancel: cancel}
	stop := context.AfterFunc(ctx, cancel) // a start that outlives ctx is abandoned
	defer stop()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(int64(b.opt.Width), int64(b.opt.Height))); err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(tab, network.Disable, cdp.Empty{}); err != nil {
		return nil, err
	}
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" || m.Type == "assert" {
				s := m.Text
				if m.IsException() {
					s = "uncaught: " + s
				}
				if m.URL != "" {
					s = fmt.Sprintf("%s (%s:%d)", s, m.URL, m.Line+1)
				}
				p.addError(s)
			}
		}
	}()
	return p, nil
}

func (b *chromium) Close() error {
	if b.first != nil {
		b.first.cancel()
	}
	b.cancelAlloc()
	return os.RemoveAll(b.profile)
}

type chromiumPage struct {
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	errs   []string
}

func (p *chromiumPage) Close() error {
	p.cancel()
	return nil
}

func (p *chromiumPage) addError(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, s)
}

func (p *chromiumPage) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

// bound returns the page's tab context, ended by ctx too.
func (p *chromiumPage) bound(ctx context.Context) (context.Context, func()) {
	tctx, cancel := context.WithCancel(p.ctx)
	stop := context.AfterFunc(ctx, cancel)
	return tctx, func() { stop(); cancel() }
}

// Tab is the chromedp context of p, a page of a Chromium browser, for
// what only DevTools can do; ok is false for another engine's page.
func Tab(p Page) (ctx context.Context, ok bool) {
	cp, ok := p.(*chromiumPage)
	if !ok {
		return nil, false
	}
	return cp.ctx, true
}

func (p *chromiumPage) do(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	tctx, done := p.bound(ctx)
	defer done()
	err := chromedp.Do(tctx, actions...)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

func (p *chromiumPage) Navigate(ctx context.Context, url string) error {
	return p.do(ctx, chromedp.Navigate(url))
}

func (p *chromiumPage) Reload(ctx context.Context) error {
	return p.do(ctx, chromedp.Reload())
}

func (p *chromiumPage) Evaluate(ctx context.Context, expr string) (json.RawMessage, error) {
	tctx, done := p.bound(ctx)
	defer done()
	s, err := chromedp.Run(tctx, chromedp.Evaluate[string](wrapScript(expr), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, navigated(err)
	}
	return json.RawMessage(s), nil
}

func (p *chromiumPage) Click(ctx context.Context, selector string) error {
	center := fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center", behavior: "instant"})`, selector)
	return p.do(ctx, chromedp.Evaluate[chromedp.Void](center), chromedp.Click(chromedp.CSS(selector)))
}

func (p *chromiumPage) Screenshot(ctx context.Context) ([]byte, error) {
	tctx, done := p.bound(ctx)
	defer done()
	return chromedp.Run(tctx, chromedp.FullScreenshot(100))
}
