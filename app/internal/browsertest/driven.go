package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"conlab/app/internal/webdriver"
	"conlab/workloads"
)

// relayScript runs first in the page of an engine driven through package
// webdriver, which cannot stream the page's console as DevTools does: it
// keeps what the program writes (the page's console.log and console.error
// calls, as in Chromium) and its exit code (the console.debug marker)
// until the runner takes them with __conlabTake(ms), which waits at most
// ms for something new. Between takes the page runs undisturbed.
const relayScript = `<script>
"use strict";
(() => {
	const relay = { out: [], code: null, wake: null };
	const poke = () => { const w = relay.wake; relay.wake = null; if (w) w(); };
	const hook = (name, fd) => {
		const orig = console[name];
		console[name] = function (...args) {
			const s = args.map(String).join(" ");
			if (fd === 0) {
				if (s.startsWith("conlab-exit ")) { relay.code = Number(s.slice(12)); poke(); }
			} else {
				relay.out.push({ fd, s });
				poke();
			}
			return orig.apply(this, args);
		};
	};
	hook("log", 1);
	hook("error", 2);
	hook("debug", 0);
	globalThis.__conlabTake = async (ms) => {
		if (relay.out.length === 0 && relay.code === null) {
			await new Promise(r => { relay.wake = r; setTimeout(r, ms); });
		}
		return { out: relay.out.splice(0), code: relay.code };
	};
})();
</script>`

// listen serves srv on a free port of 127.0.0.1 until the returned
// function is called.
func listen(srv *server) (net.Listener, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return ln, func() { hs.Close() }, nil
}

// runDriven is Run in an engine that package webdriver drives (Firefox,
// WebKit): a browser with a fresh profile loads the page once a visit,
// and the runner takes the program's output from the page as it comes.
func runDriven(ctx context.Context, opt Options, stdout, stderr, blog io.Writer) (int, error) {
	srv := &server{opt: opt, pages: workloads.DownloadFiles(), relay: true}
	srv.targets = func() ([]string, error) {
		return nil, fmt.Errorf("the list of workers is available in Chromium only, not in %s", opt.Engine.Title())
	}
	ln, stop, err := listen(srv)
	if err != nil {
		return 1, err
	}
	defer stop()
	var browserOut io.Writer = io.Discard
	if opt.LogAll {
		browserOut = blog
	}
	b, err := webdriver.Launch(ctx, opt.Engine, webdriver.Options{Log: browserOut})
	if err != nil {
		return 1, fmt.Errorf("browsertest: %w", err)
	}
	defer b.Close()
	fmt.Fprintf(blog, "browsertest: running in %s\n", b.Name())
	p := b.Page()
	for visit := 1; ; visit++ {
		srv.visit.Store(int32(visit))
		if err := p.Navigate(ctx, "http://"+ln.Addr().String()+"/"); err != nil {
			return 1, fmt.Errorf("browsertest: loading the page: %w", timedOut(ctx, err, opt.Timeout))
		}
		code, err := take(ctx, p, stdout, stderr)
		if err != nil || code != 0 {
			for _, e := range p.ConsoleErrors() {
				fmt.Fprintf(blog, "browser: %s\n", e)
			}
		}
		if err != nil {
			return 1, fmt.Errorf("browsertest: %w", timedOut(ctx, err, opt.Timeout))
		}
		if code != 0 || visit >= opt.Visits {
			return code, nil
		}
	}
}

// take relays what the program in p writes until it exits, and returns
// its exit code.
func take(ctx context.Context, p webdriver.Page, stdout, stderr io.Writer) (int, error) {
	type taken struct {
		Out []struct {
			FD int    `json:"fd"`
			S  string `json:"s"`
		} `json:"out"`
		Code *int `json:"code"`
	}
	for {
		raw, err := p.Evaluate(ctx, "globalThis.__conlabTake(5000)")
		if err != nil {
			if webdriver.IsNavigated(err) {
				return 1, errors.New("the page went away (crashed?)")
			}
			return 1, err
		}
		var t taken
		if err := json.Unmarshal(raw, &t); err != nil {
			return 1, fmt.Errorf("the page's output %.200s: %w", raw, err)
		}
		for _, o := range t.Out {
			if o.FD == 2 {
				io.WriteString(stderr, o.S)
			} else {
				io.WriteString(stdout, o.S)
			}
		}
		if t.Code != nil {
			return *t.Code, nil
		}
	}
}

// timedOut says that err came from the run's timeout, when it did.
func timedOut(ctx context.Context, err error, timeout time.Duration) error {
	if ctx.Err() != nil && !strings.Contains(err.Error(), ctx.Err().Error()) {
		return fmt.Errorf("%w after %v (%v)", ctx.Err(), timeout, err)
	}
	return err
}
