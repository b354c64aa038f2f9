// Package browsertest runs a GOOS=js GOARCH=wasm program (a test binary,
// say) in headless Chromium, driven with chromedp, or in Firefox ESR or
// WebKitGTK through package webdriver: it serves the program,
// the site's public/web folder (worker.js, worker.wasm, wasm_exec.js) on
// 127.0.0.1, relays what the program writes to its stdout and stderr, and
// returns its exit code. The command in ./exec makes it a `go test -exec`
// runner, so the browser engine is tested in a real browser, not a mock.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"conlab/app/internal/webdriver"
	"conlab/workloads"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Options describe one run.
type Options struct {
	// Program is the GOOS=js GOARCH=wasm binary to run.
	Program string
	// Args are its arguments (os.Args[1:]).
	Args []string
	// Env is its environment.
	Env map[string]string
	// Web is the folder served at /web/ and at /PREFIX/web/ for any
	// PREFIX, so a pool configured with a prefix finds it too.
	Web string
	// Files overlay Web: a name under /web/ (e.g. "worker.wasm") mapped to
	// a local file. A file listed as NAME.gz too is sent from there,
	// gzip-encoded, to a request that accepts gzip, as a real server
	// sends its pre-compressed copies.
	Files map[string]string
	// Isolate sends COOP and COEP headers, making the page cross-origin
	// isolated (SharedArrayBuffer available).
	Isolate bool
	// Engine is the browser engine to run in: webdriver.Chromium (also
	// ""), driven with chromedp, which streams the page's console;
	// webdriver.Firefox or webdriver.WebKit, driven through package
	// webdriver, whose page keeps the program's output until the runner
	// takes it (at most every 5 s, and at once when there is some).
	// /__runner/workers answers in Chromium only.
	Engine webdriver.Engine
	// Browser is Chromium's path; "" looks for chromium, then
	// google-chrome, on PATH. The other engines are found on PATH.
	Browser string
	// Timeout bounds the whole run; 0 means 30 minutes.
	Timeout time.Duration
	// Stdout and Stderr receive the program's output; nil discards it.
	Stdout, Stderr io.Writer
	// Log, if set, receives what the browser itself reports: uncaught
	// exceptions outside the program, its errors and warnings (a failed
	// resource load) and, with LogAll, every other console message (of
	// the workers too: a crashed worker's traceback).
	Log    io.Writer
	LogAll bool
	// Visits is how many times the page is loaded and the program run,
	// one after the other, in the same browser profile: a later visit
	// finds /web/ in the browser's cache (it is revalidated, as conlab
	// serve has it), and the compiled wasm in the browser's code cache.
	// Each visit's environment has CONLAB_VISIT set to its number, from
	// 1; the run stops at the first visit that exits with a code other
	// than 0. 0 means 1.
	Visits int
}

// FindBrowser returns the path of a Chromium to run, or an error saying
// how to install one.
func FindBrowser() (string, error) { return webdriver.Find(webdriver.Chromium) }

// The page that runs the program. Output goes through console.log (fd 1)
// and console.error (fd 2), one call per write, which the runner reads in
// order; the exit code through a console.debug marker in the same stream.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>conlab browser test</title>{{.Relay}}</head>
<body>
<script src="/web/wasm_exec.js"></script>
<script>
"use strict";
// A small in-memory file system behind wasm_exec.js's fs: enough for a
// program that writes and reads back a temporary file, as the testing
// package does to capture an example's output. Other calls stay ENOSYS.
// It has no directories: opening one fails with ENOENT, which a fuzz
// target's look for its corpus under testdata reads as none.
function memfs(fs) {
	const C = { O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };
	fs.constants = C;
	const files = new Map();
	const fds = new Map();
	let nextFD = 100;
	const fail = (code, msg) => { const e = new Error(msg); e.code = code; return e; };
	const stat = (f) => ({ dev: 0, ino: 0, mode: 0o100600, nlink: 1, uid: 0, gid: 0, rdev: 0, size: f.size,
		blksize: 4096, blocks: Math.ceil(f.size / 512), atimeMs: f.mtime, mtimeMs: f.mtime, ctimeMs: f.mtime,
		isDirectory: () => false });
	fs.open = (path, flags, mode, cb) => {
		let f = files.get(path);
		if (!f) {
			if (!(flags & C.O_CREAT)) return cb(fail("ENOENT", "no such file or directory"));
			f = { data: new Uint8Array(256), size: 0, mtime: Date.now() };
			files.set(path, f);
		} else if ((flags & C.O_CREAT) && (flags & C.O_EXCL)) {
			return cb(fail("EEXIST", "file exists"));
		}
		if (flags & C.O_TRUNC) f.size = 0;
		const fd = nextFD++;
		fds.set(fd, { file: f, pos: 0, append: !!(flags & C.O_APPEND) });
		cb(null, fd);
	};
	fs.close = (fd, cb) => { fds.delete(fd); cb(null); };
	fs.fstat = (fd, cb) => { const h = fds.get(fd); h ? cb(null, stat(h.file)) : cb(fail("EBADF", "bad file descriptor")); };
	fs.stat = fs.lstat = (path, cb) => { const f = files.get(path); f ? cb(null, stat(f)) : cb(fail("ENOENT", "no such file or directory")); };
	fs.unlink = (path, cb) => files.delete(path) ? cb(null) : cb(fail("ENOENT", "no such file or directory"));
	const write = fs.write.bind(fs);
	fs.write = (fd, buf, offset, length, position, cb) => {
		const h = fds.get(fd);
		if (!h) return write(fd, buf, offset, length, position, cb);
		const f = h.file;
		const pos = position === null ? (h.append ? f.size : h.pos) : position;
		if (pos + length > f.data.length) {
			const grown = new Uint8Array(Math.max(2 * f.data.length, pos + length));
			grown.set(f.data.subarray(0, f.size));
			f.data = grown;
		}
		f.data.set(buf.subarray(offset, offset + length), pos);
		f.size = Math.max(f.size, pos + length);
		f.mtime = Date.now();
		if (position === null) h.pos = pos + length;
		cb(null, length);
	};
	fs.read = (fd, buf, offset, length, position, cb) => {
		const h = fds.get(fd);
		if (!h) return cb(fail("EBADF", "bad file descriptor"));
		const pos = position === null ? h.pos : position;
		const n = Math.max(0, Math.min(length, h.file.size - pos));
		buf.set(h.file.data.subarray(pos, pos + n), offset);
		if (position === null) h.pos = pos + n;
		cb(null, n);
	};
}
(async () => {
	const exit = (code) => console.debug("conlab-exit " + code);
	const decoders = {};
	globalThis.fs.writeSync = (fd, buf) => {
		const d = decoders[fd] || (decoders[fd] = new TextDecoder("utf-8"));
		const s = d.decode(buf, { stream: true });
		if (s !== "") {
			(fd === 2 ? console.error : console.log)(s);
		}
		return buf.length;
	};
	memfs(globalThis.fs);
	try {
		const go = new Go();
		go.argv = {{.Argv}};
		go.env = {{.Env}};
		go.exit = exit;
		const { instance } = await WebAssembly.instantiateStreaming(fetch("/__runner/program.wasm"), go.importObject);
		await go.run(instance);
	} catch (err) {
		console.error("browsertest: the program failed: " + ((err && err.stack) || err) + "\n");
		exit(1);
	}
})();
</script>
</body></html>
`))

// Run runs the program and returns its exit code. An error means the run
// itself failed (no browser, the page crashed, the timeout passed); the
// code is then 1.
func Run(ctx context.Context, opt Options) (int, error) {
	if opt.Timeout == 0 {
		opt.Timeout = 30 * time.Minute
	}
	stdout, stderr, blog := orDiscard(opt.Stdout), orDiscard(opt.Stderr), orDiscard(opt.Log)
	if _, err := os.Stat(opt.Program); err != nil {
		return 1, fmt.Errorf("browsertest: %w", err)
	}
	if opt.Engine != "" && opt.Engine != webdriver.Chromium {
		ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
		defer cancel()
		return runDriven(ctx, opt, stdout, stderr, blog)
	}
	browser := opt.Browser
	if browser == "" {
		var err error
		if browser, err = FindBrowser(); err != nil {
			return 1, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()

	profile, err := os.MkdirTemp("", "conlab-chromium-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(profile)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, webdriver.ChromiumFlags(browser, profile)...)
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	srv := &server{opt: opt, pages: workloads.DownloadFiles()}
	srv.targets = func() ([]string, error) {
		ts, err := chromedp.Targets(tabCtx)
		if err != nil {
			return nil, err
		}
		var urls []string
		for _, t := range ts {
			if t.Type == "worker" {
				urls = append(urls, t.URL)
			}
		}
		return urls, nil
	}
	ln, stop, err := listen(srv)
	if err != nil {
		return 1, err
	}
	defer stop()

	// Start the browser, subscribe to the console, then load the page: no
	// message is lost.
	if err := chromedp.Do(tabCtx); err != nil {
		return 1, fmt.Errorf("browsertest: starting %s: %w", browser, err)
	}
	// chromedp turns on DevTools' network tracking, which keeps a copy of
	// every response body for the inspector: 4 MB of worker.wasm each
	// time. The runner needs none of it, and it slowed the benchmark's
	// first pool start by about 200 ms (browserbench -quick, with and
	// without).
	if _, err := chromedp.Call(tabCtx, network.Disable, cdp.Empty{}); err != nil {
		return 1, fmt.Errorf("browsertest: %w", err)
	}
	detached, err := chromedp.Detached(tabCtx)
	if err != nil {
		return 1, err
	}
	messages := chromedp.Console(tabCtx)
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	send := func(r result) bool {
		select {
		case done <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				send(result{1, err})
				return
			}
			api := len(m.Args) > 0
			switch {
			case api && m.Type == "debug" && strings.HasPrefix(m.Text, "conlab-exit "):
				code, err := strconv.Atoi(strings.TrimPrefix(m.Text, "conlab-exit "))
				if err != nil {
					send(result{1, fmt.Errorf("browsertest: bad exit marker %q", m.Text)})
					return
				}
				if !send(result{code, nil}) {
					return
				}
			case api && m.Type == "log":
				io.WriteString(stdout, m.Text)
			case api && m.Type == "error":
				io.WriteString(stderr, m.Text)
			case m.IsException():
				fmt.Fprintf(blog, "browser: uncaught: %s\n", m.Text)
			case opt.LogAll || m.Type == "error" || m.Type == "warning":
				fmt.Fprintf(blog, "browser %s: %s\n", m.Type, m.Text)
			}
		}
	}()
	for visit := 1; ; visit++ {
		srv.visit.Store(int32(visit))
		if err := chromedp.Do(tabCtx, chromedp.Navigate("http://"+ln.Addr().String()+"/")); err != nil {
			return 1, fmt.Errorf("browsertest: loading the page: %w", err)
		}
		select {
		case r := <-done:
			if r.err != nil || r.code != 0 || visit >= opt.Visits {
				return r.code, r.err
			}
		case <-detached:
			return 1, errors.New("browsertest: the page went away (crashed?)")
		case <-ctx.Done():
			return 1, fmt.Errorf("browsertest: %w after %v", ctx.Err(), opt.Timeout)
		}
	}
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return webdriver.LockedWriter(w)
}

type server struct {
	opt     Options
	targets func() ([]string, error)
	pages   map[string][]byte
	visit   atomic.Int32
	relay   bool // the page keeps the program's output for runDriven
}

// ServeHTTP serves:
//
//	/                       the page that runs the program
//	/__runner/program.wasm  the program
//	/__runner/workers       {"workers": N, "urls": [...]}: the Web Workers
//	                        the browser has alive, so a test can check
//	                        that none leaked
//	/api/delay              the download workload's endpoint, as conlab serve
//	/web/data/page-NNN.txt  the download workload's static pages
//	[/PREFIX]/web/NAME      the web folder under any prefix, except:
//	/missing.../web/NAME    404, a site without the files
//	/stall.../web/*.js      an answer only after 3 s, an error (a worker
//	                        that cannot start; worker.wasm still compiles)
//	/badmime.../web/*.wasm  served as application/octet-stream
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if strings.Contains(r.URL.Path, "/web/") {
		// Revalidated on each use, as conlab serve has it: a later visit
		// gets a 304 and uses what the browser kept.
		h.Set("Cache-Control", "no-cache")
	}
	if s.opt.Isolate {
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	}
	p := path.Clean(r.URL.Path)
	switch {
	case p == "/":
		s.page(w)
		return
	case p == "/__runner/program.wasm":
		h.Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, s.opt.Program)
		return
	case p == "/favicon.ico":
		w.WriteHeader(http.StatusNoContent)
		return
	case p == "/__runner/workers":
		urls, err := s.targets()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"workers": len(urls), "urls": urls})
		return
	}
	if p == "/api/delay" {
		workloads.DelayHandler().ServeHTTP(w, r)
		return
	}
	if body, ok := s.pages[strings.TrimPrefix(p, "/")]; ok {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(body)
		return
	}
	i := strings.Index(p, "/web/")
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	prefix, name := p[:i], p[i+len("/web/"):]
	switch {
	case strings.HasPrefix(prefix, "/missing"):
		http.NotFound(w, r)
		return
	case strings.HasPrefix(prefix, "/stall") && path.Ext(name) == ".js":
		// Long past any start-up timeout a test sets, but bounded: the
		// browser keeps a worker whose script is loading alive until the
		// load ends, even when it was terminated.
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
			http.Error(w, "stalled", http.StatusServiceUnavailable)
		}
		return
	}
	file, ok := s.opt.Files[name]
	if !ok {
		if s.opt.Web == "" {
			http.NotFound(w, r)
			return
		}
		file = filepath.Join(s.opt.Web, filepath.FromSlash(name))
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".wasm":
		ctype = "application/wasm"
		// A prefix starting with /badmime serves wasm with the wrong MIME
		// type, as a careless server does, to test the fallback.
		if strings.HasPrefix(prefix, "/badmime") {
			ctype = "application/octet-stream"
		}
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	if _, err := os.Stat(file); err != nil {
		http.NotFound(w, r)
		return
	}
	if gz, ok := s.opt.Files[name+".gz"]; ok && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		file = gz
	}
	http.ServeFile(w, r, file)
}

func (s *server) page(w http.ResponseWriter) {
	argv, _ := json.Marshal(append([]string{"js"}, s.opt.Args...))
	env := map[string]string{"CONLAB_VISIT": strconv.Itoa(int(s.visit.Load()))}
	for k, v := range s.opt.Env {
		env[k] = v
	}
	envJSON, _ := json.Marshal(env)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var relay template.HTML
	if s.relay {
		relay = relayScript
	}
	pageTemplate.Execute(w, map[string]any{"Argv": template.JS(argv), "Env": template.JS(envJSON), "Relay": relay})
}
