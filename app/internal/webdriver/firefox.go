package webdriver

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// FirefoxPrefs keep a fresh Firefox profile quiet (no first-run pages,
// no calls home: the machine may have no network), let a page open
// windows, and keep timers of pages in the background at full speed.
const FirefoxPrefs = `
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

// FirefoxProfile writes a fresh profile folder in dir with FirefoxPrefs.
func FirefoxProfile(dir string) error {
	return os.WriteFile(filepath.Join(dir, "user.js"), []byte(FirefoxPrefs), 0o644)
}

type firefox struct {
	name    string
	proc    *process
	profile string
	conn    *bidi
	opt     Options

	mu    sync.Mutex
	pages map[string]*firefoxPage // by browsing context
	first *firefoxPage
}

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

func launchFirefox(ctx context.Context, path string, opt Options) (Browser, error) {
	profile, err := os.MkdirTemp("", "conlab-firefox-")
	if err != nil {
		return nil, err
	}
	if err := FirefoxProfile(profile); err != nil {
		return nil, err
	}
	b := &firefox{profile: profile, opt: opt, pages: map[string]*firefoxPage{}}
	cmd := exec.Command(path, "--headless", "--no-remote", "--remote-debugging-port=0", "--profile", profile)
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "MOZ_DISABLE_AUTO_SAFE_MODE=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = opt.Log
	if b.proc, err = startProcess(cmd); err != nil {
		os.RemoveAll(profile)
		return nil, err
	}
	// Firefox says where it listens on stderr; the rest goes to the log.
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := bidiListening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			io.WriteString(opt.Log, line+"\n")
		}
	}()
	var ws string
	select {
	case ws = <-found:
	case <-b.proc.done:
		b.Close()
		return nil, errors.New("webdriver: Firefox exited before it listened for WebDriver BiDi")
	case <-ctx.Done():
		b.Close()
		return nil, fmt.Errorf("webdriver: Firefox did not listen for WebDriver BiDi: %w", ctx.Err())
	}
	if b.conn, err = dialBiDi(ctx, strings.TrimSuffix(ws, "/")+"/session", b.event); err != nil {
		b.Close()
		return nil, fmt.Errorf("webdriver: %w", err)
	}
	var sess struct {
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	if err := b.conn.call(ctx, "session.new", map[string]any{"capabilities": map[string]any{}}, &sess); err != nil {
		b.Close()
		return nil, fmt.Errorf("webdriver: %w", err)
	}
	b.name = "Firefox " + sess.Capabilities.BrowserVersion
	if strings.Contains(filepath.Base(path), "esr") {
		b.name = "Firefox ESR " + sess.Capabilities.BrowserVersion
	}
	b.name += " (headless)"
	if err := b.conn.call(ctx, "session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}, nil); err != nil {
		b.Close()
		return nil, fmt.Errorf("webdriver: %w", err)
	}
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := b.conn.call(ctx, "browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil || len(tree.Contexts) == 0 {
		b.Close()
		return nil, fmt.Errorf("webdriver: Firefox's first tab: %v", err)
	}
	if b.first, err = b.page(ctx, tree.Contexts[0].Context); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// event routes the console's errors to their page.
func (b *firefox) event(method string, params json.RawMessage) {
	if method != "log.entryAdded" {
		return
	}
	var e struct {
		Type   string `json:"type"`
		Level  string `json:"level"`
		Text   string `json:"text"`
		Source struct {
			Context string `json:"context"`
		} `json:"source"`
		StackTrace struct {
			CallFrames []struct {
				URL        string `json:"url"`
				LineNumber int    `json:"lineNumber"`
			} `json:"callFrames"`
		} `json:"stackTrace"`
	}
	if json.Unmarshal(params, &e) != nil || e.Level != "error" {
		return
	}
	s := e.Text
	if e.Type == "javascript" {
		s = "uncaught: " + s
	}
	if f := e.StackTrace.CallFrames; len(f) > 0 {
		s = fmt.Sprintf("%s (%s:%d)", s, f[0].URL, f[0].LineNumber+1)
	}
	b.mu.Lock()
	p := b.pages[e.Source.Context]
	if p == nil {
		p = b.first // a window the page opened, a worker
	}
	b.mu.Unlock()
	if p != nil {
		p.addError(s)
	}
}

func (b *firefox) page(ctx context.Context, id string) (*firefoxPage, error) {
	p := &firefoxPage{b: b, id: id}
	err := b.conn.call(ctx, "browsingContext.setViewport", map[string]any{
		"context": id, "viewport": map[string]int{"width": b.opt.Width, "height": b.opt.Height}}, nil)
	if err != nil {
		return nil, fmt.Errorf("webdriver: %w", err)
	}
	b.mu.Lock()
	b.pages[id] = p
	b.mu.Unlock()
	return p, nil
}

func (b *firefox) Name() string   { return b.name }
func (b *firefox) Engine() Engine { return Firefox }
func (b *firefox) Page() Page     { return b.first }

func (b *firefox) NewPage(ctx context.Context) (Page, error) {
	var r struct {
		Context string `json:"context"`
	}
	if err := b.conn.call(ctx, "browsingContext.create", map[string]any{"type": "tab"}, &r); err != nil {
		return nil, fmt.Errorf("webdriver: %w", err)
	}
	return b.page(ctx, r.Context)
}

// NewPrivatePage opens a tab in a user context (a container) of its
// own: Firefox keys caches, storage and service workers by it. Closing
// the page removes the user context.
func (b *firefox) NewPrivatePage(ctx context.Context) (Page, error) {
	var uc struct {
		UserContext string `json:"userContext"`
	}
	if err := b.conn.call(ctx, "browser.createUserContext", nil, &uc); err != nil {
		return nil, fmt.Errorf("webdriver: %w", err)
	}
	var r struct {
		Context string `json:"context"`
	}
	if err := b.conn.call(ctx, "browsingContext.create", map[string]any{"type": "tab", "userContext": uc.UserContext}, &r); err != nil {
		return nil, fmt.Errorf("webdriver: %w", err)
	}
	p, err := b.page(ctx, r.Context)
	if err != nil {
		return nil, err
	}
	p.userContext = uc.UserContext
	return p, nil
}

func (b *firefox) Close() error {
	if b.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		b.conn.call(ctx, "browser.close", nil, nil)
		cancel()
		b.conn.close()
	}
	if b.proc != nil {
		b.proc.stop(5 * time.Second)
	}
	return os.RemoveAll(b.profile)
}

type firefoxPage struct {
	b           *firefox
	id          string
	userContext string // of a private page

	mu   sync.Mutex
	errs []string
}

func (p *firefoxPage) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.b.conn.call(ctx, "browsingContext.close", map[string]any{"context": p.id}, nil)
	if p.userContext != "" {
		// Removing it closes what the page opened too.
		err = p.b.conn.call(ctx, "browser.removeUserContext", map[string]any{"userContext": p.userContext}, nil)
	}
	p.b.mu.Lock()
	delete(p.b.pages, p.id)
	p.b.mu.Unlock()
	return err
}

func (p *firefoxPage) addError(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, s)
}

func (p *firefoxPage) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

func (p *firefoxPage) Navigate(ctx context.Context, url string) error {
	return p.b.conn.call(ctx, "browsingContext.navigate", map[string]any{"context": p.id, "url": url, "wait": "complete"}, nil)
}

func (p *firefoxPage) Reload(ctx context.Context) error {
	return p.b.conn.call(ctx, "browsingContext.reload", map[string]any{"context": p.id, "wait": "complete"}, nil)
}

func (p *firefoxPage) Evaluate(ctx context.Context, expr string) (json.RawMessage, error) {
	var r struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := p.b.conn.call(ctx, "script.evaluate", map[string]any{
		"expression": wrapScript(expr), "target": map[string]string{"context": p.id},
		"awaitPromise": true, "resultOwnership": "none"}, &r)
	if err != nil {
		return nil, navigated(err)
	}
	if r.Type == "exception" {
		return nil, navigated(fmt.Errorf("webdriver: %s threw %s", short(expr), r.ExceptionDetails.Text))
	}
	var s string
	if r.Result.Type != "string" || json.Unmarshal(r.Result.Value, &s) != nil {
		return nil, fmt.Errorf("webdriver: %s: unexpected result %s", short(expr), r.Result.Value)
	}
	return json.RawMessage(s), nil
}

func (p *firefoxPage) Click(ctx context.Context, selector string) error {
	at, err := Eval[[2]float64](ctx, p, centerOf(selector))
	if err != nil {
		return err
	}
	x, y := int(at[0]), int(at[1])
	return p.b.conn.call(ctx, "input.performActions", map[string]any{"context": p.id, "actions": []any{
		map[string]any{"type": "pointer", "id": "mouse", "parameters": map[string]string{"pointerType": "mouse"},
			"actions": []any{
				map[string]any{"type": "pointerMove", "x": x, "y": y},
				map[string]any{"type": "pointerDown", "button": 0},
				map[string]any{"type": "pointerUp", "button": 0},
			}},
	}}, nil)
}

func (p *firefoxPage) Screenshot(ctx context.Context) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := p.b.conn.call(ctx, "browsingContext.captureScreenshot", map[string]any{"context": p.id, "origin": "document"}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

// centerOf is a script that scrolls the element sel finds into the
// middle of the view, at once (the page may ask for smooth scrolling),
// and returns its centre in the view's coordinates once the page has
// drawn a frame there, or throws when there is no such element.
func centerOf(sel string) string {
	return fmt.Sprintf(`(async () => {
	const e = document.querySelector(%q);
	if (!e) throw new Error("no element matches %s");
	e.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
	await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
	const r = e.getBoundingClientRect();
	const x = r.left + r.width / 2, y = r.top + r.height / 2;
	const top = document.elementFromPoint(x, y);
	if (!e.contains(top)) throw new Error("%s is covered by " + (top ? top.outerHTML.slice(0, 120) : "nothing") + " at " + x + "," + y);
	return [x, y];
})()`, sel, strings.ReplaceAll(sel, `"`, `'`), strings.ReplaceAll(sel, `"`, `'`))
}
