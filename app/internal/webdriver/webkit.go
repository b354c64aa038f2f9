package webdriver

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// miniBrowserPaths are where distributions put WebKitGTK's MiniBrowser.
var miniBrowserPaths = []string{
	"/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
	"/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
	"/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser",
	"/usr/lib/aarch64-linux-gnu/webkit2gtk-4.0/MiniBrowser",
	"/usr/libexec/webkit2gtk-4.1/MiniBrowser",
	"/usr/libexec/webkit2gtk-4.0/MiniBrowser",
}

// miniBrowser returns the path of WebKitGTK's MiniBrowser, which
// webkit2gtk-driver brings with it.
func miniBrowser() (string, error) {
	for _, p := range miniBrowserPaths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("MiniBrowser"); err == nil {
		return p, nil
	}
	return "", errors.New("webdriver: WebKitGTK's MiniBrowser is not installed (apt-get install webkit2gtk-driver)")
}

// webkit is MiniBrowser driven by WebKitWebDriver, on an Xvfb display of
// its own. MiniBrowser in automation mode has an ephemeral profile.
type webkit struct {
	name   string
	xvfb   *process
	driver *process
	sess   *classic

	mu      sync.Mutex // one command at a time: they act on the current window
	current string     // the current window's handle
	first   *webkitPage
}

func launchWebKit(ctx context.Context, path string, opt Options) (Browser, error) {
	mini, err := miniBrowser()
	if err != nil {
		return nil, err
	}
	b := &webkit{}
	display, err := b.startXvfb(ctx, opt)
	if err != nil {
		b.Close()
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		b.Close()
		return nil, err
	}
	cmd := exec.Command(path, "--host=127.0.0.1", "--port="+strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "DISPLAY="+display,
		// Software painting: cheap, and no GL on a machine without a GPU.
		"WEBKIT_DISABLE_COMPOSITING_MODE=1")
	cmd.Stdout, cmd.Stderr = opt.Log, opt.Log
	if b.driver, err = startProcess(cmd); err != nil {
		b.Close()
		return nil, err
	}
	client := &http.Client{}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	var sess struct {
		SessionID    string `json:"sessionId"`
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"webkitgtk:browserOptions": map[string]any{
			"binary": mini,
			// The host pages open the lab in a window of its own.
			"args": []string{"--automation", "--javascript-can-open-windows-automatically=true"},
		},
	}}}
	for {
		err = classicDo(ctx, client, "POST", base+"/session", caps, &sess)
		if err == nil {
			break
		}
		var ce *ClassicError
		if errors.As(err, &ce) || b.driver.exited() || ctx.Err() != nil {
			b.Close()
			return nil, fmt.Errorf("webdriver: WebKitWebDriver: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // not listening yet
	}
	b.sess = &classic{base: base + "/session/" + sess.SessionID, http: client}
	b.name = fmt.Sprintf("WebKitGTK %s (%s)", sess.Capabilities.BrowserVersion, sess.Capabilities.BrowserName)
	if err := b.sess.do(ctx, "POST", "/timeouts", map[string]any{"script": 10 * 60 * 1000, "pageLoad": 5 * 60 * 1000}, nil); err != nil {
		b.Close()
		return nil, err
	}
	var handle string
	if err := b.sess.do(ctx, "GET", "/window", nil, &handle); err != nil {
		b.Close()
		return nil, err
	}
	b.current = handle
	b.first = &webkitPage{b: b, handle: handle}
	if err := b.sess.do(ctx, "POST", "/window/rect", map[string]int{"width": opt.Width, "height": opt.Height}, nil); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// startXvfb starts an X server on a free display and returns its name.
func (b *webkit) startXvfb(ctx context.Context, opt Options) (string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	screen := fmt.Sprintf("%dx%dx24", max(opt.Width, 1280)+100, max(opt.Height, 1024)+100)
	// -displayfd: the server picks a free display and writes its number
	// to descriptor 3 (ExtraFiles[0]) once it accepts connections.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stdout, cmd.Stderr = opt.Log, opt.Log
	b.xvfb, err = startProcess(cmd)
	w.Close()
	if err != nil {
		return "", fmt.Errorf("webdriver: starting Xvfb: %w", err)
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			return "", errors.New("webdriver: Xvfb did not start")
		}
		return ":" + n, nil
	case <-ctx.Done():
		return "", fmt.Errorf("webdriver: Xvfb did not start: %w", ctx.Err())
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (b *webkit) Name() string   { return b.name }
func (b *webkit) Engine() Engine { return WebKit }
func (b *webkit) Page() Page     { return b.first }

func (b *webkit) NewPage(ctx context.Context) (Page, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var w struct {
		Handle string `json:"handle"`
	}
	if err := b.sess.do(ctx, "POST", "/window/new", map[string]string{"type": "tab"}, &w); err != nil {
		return nil, err
	}
	return &webkitPage{b: b, handle: w.Handle}, nil
}

// NewPrivatePage is not supported: a WebDriver classic session has one
// profile. Every session of WebKitWebDriver starts a MiniBrowser of its
// own, with an ephemeral profile.
func (b *webkit) NewPrivatePage(ctx context.Context) (Page, error) {
	return nil, fmt.Errorf("webdriver: WebKitGTK has one profile a session: %w", errors.ErrUnsupported)
}

func (b *webkit) Close() error {
	if b.sess != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		b.sess.do(ctx, "DELETE", "", nil, nil)
		cancel()
	}
	if b.driver != nil {
		b.driver.stop(5 * time.Second)
	}
	if b.xvfb != nil {
		b.xvfb.stop(5 * time.Second)
	}
	return nil
}

// on runs f with p's window current.
func (p *webkitPage) on(ctx context.Context, f func() error) error {
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.current != p.handle {
		if err := b.sess.do(ctx, "POST", "/window", map[string]string{"handle": p.handle}, nil); err != nil {
			return err
		}
		b.current = p.handle
	}
	return f()
}

type webkitPage struct {
	b      *webkit
	handle string

	mu   sync.Mutex
	errs []string
}

func (p *webkitPage) Navigate(ctx context.Context, url string) error {
	return p.on(ctx, func() error { return p.b.sess.do(ctx, "POST", "/url", map[string]string{"url": url}, nil) })
}

func (p *webkitPage) Reload(ctx context.Context) error {
	return p.on(ctx, func() error { return p.b.sess.do(ctx, "POST", "/refresh", struct{}{}, nil) })
}

// Evaluate runs the expression with WebDriver's asynchronous script. The
// driver has no console of the page to read: the script installs a hook
// that keeps the page's errors (consoleHook), and hands over those it
// kept since the last evaluation.
func (p *webkitPage) Evaluate(ctx context.Context, expr string) (json.RawMessage, error) {
	script := `const done = arguments[arguments.length - 1];
const hooked = ` + consoleHook + `;
const take = () => (window.__conlabErrors || []).splice(0);
` + wrapScript(expr) + `.then(v => done({value: v, errors: take()}), e => done({error: String(e && e.stack ? e + "\n" + e.stack : e), errors: take()}));`
	var r struct {
		Value  *string  `json:"value"`
		Error  string   `json:"error"`
		Errors []string `json:"errors"`
	}
	err := p.on(ctx, func() error {
		return p.b.sess.do(ctx, "POST", "/execute/async", map[string]any{"script": script, "args": []any{}}, &r)
	})
	if err != nil {
		return nil, navigated(err)
	}
	p.addErrors(r.Errors)
	if r.Error != "" {
		return nil, fmt.Errorf("webdriver: %s threw %s", short(expr), r.Error)
	}
	if r.Value == nil {
		return nil, fmt.Errorf("webdriver: %s returned nothing", short(expr))
	}
	return json.RawMessage(*r.Value), nil
}

func (p *webkitPage) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.on(ctx, func() error {
		p.b.current = ""
		return p.b.sess.do(ctx, "DELETE", "/window", nil, nil)
	})
}

func (p *webkitPage) addErrors(s []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, s...)
}

// ConsoleErrors returns the errors the hook kept, from the evaluations so
// far and from the page as it is now. Errors of a document that went
// away between two evaluations, and those before the first evaluation in
// a document, are not seen.
func (p *webkitPage) ConsoleErrors() []string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.Evaluate(ctx, "true")
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

func (p *webkitPage) Click(ctx context.Context, selector string) error {
	if _, err := Eval[[2]float64](ctx, p, centerOf(selector)); err != nil {
		return err
	}
	return p.on(ctx, func() error {
		var el map[string]string
		if err := p.b.sess.do(ctx, "POST", "/element", map[string]string{"using": "css selector", "value": selector}, &el); err != nil {
			return err
		}
		return p.b.sess.do(ctx, "POST", "/element/"+el[elementKey]+"/click", struct{}{}, nil)
	})
}

// Screenshot takes the view of the page's window. (With WebKitGTK 2.50
// under Xvfb, the screenshot of a window opened after the first never
// returns: take the first's.)
func (p *webkitPage) Screenshot(ctx context.Context) ([]byte, error) {
	var data string
	err := p.on(ctx, func() error { return p.b.sess.do(ctx, "GET", "/screenshot", nil, &data) })
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(data)
}
