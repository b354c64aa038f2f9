//go:build !wasm

package e2e

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"conlab/app/internal/site"
	"conlab/app/server"
)

// labPath is the sub-path the static site is published under: the site
// was built without knowing it.
const labPath = "/course/week3/lab/"

// labServer serves the lab to a test's browsers on 127.0.0.1, in one of
// the two ways it is published: the static site under labPath behind a
// plain file server (startLab), or `conlab serve`, in-process, at the
// root (startServe). It counts the requests it answers, can hold some,
// deploys a new version, and stops.
type labServer struct {
	URL  string // the lab's root, ending in /
	Kind string // "static" or "serve"
	srv  *http.Server
	root string // URL's path
	// next deploys the lab's next version.
	next func(t *testing.T)

	mu      sync.Mutex
	hits    map[string]int
	handler http.Handler             // what answers the lab's requests now
	held    map[string]chan struct{} // paths whose requests wait, see hold
}

// eachLab runs test against the static site (subtest "static") and
// against `conlab serve` ("serve"), each with a server of its own.
func eachLab(t *testing.T, test func(t *testing.T, lab *labServer)) {
	t.Run("static", func(t *testing.T) { test(t, startLab(t, builtSite(t))) })
	t.Run("serve", func(t *testing.T) { test(t, startServe(t)) })
}

// startLab serves the static site in dir under labPath until the test
// ends.
func startLab(t *testing.T, dir string) *labServer { return startLabTyped(t, dir, "") }

// startLabTyped is startLab with the Content-Type the server sends for
// .wasm files: "" leaves net/http's (application/wasm).
func startLabTyped(t *testing.T, dir, wasmType string) *labServer {
	s := &labServer{Kind: "static", root: labPath, handler: siteFiles(dir, wasmType)}
	s.next = func(t *testing.T) {
		opt := siteOpts
		opt.Dir = filepath.Join(t.TempDir(), "next")
		opt.Version = "e2e-next"
		next, err := site.Generate(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		// The deployment comes later: file servers validate by
		// modification time to the second, and two builds a moment apart
		// would look unchanged to the browser's update check.
		later := time.Now().Add(time.Minute)
		filepath.WalkDir(next.Dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				err = os.Chtimes(p, later, later)
			}
			return err
		})
		// At once, as a host's atomic deployment does.
		s.mu.Lock()
		s.handler = siteFiles(next.Dir, wasmType)
		s.mu.Unlock()
	}
	s.listen(t)
	return s
}

func siteFiles(dir, wasmType string) http.Handler {
	files := http.StripPrefix(labPath, http.FileServer(http.Dir(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wasmType != "" && strings.HasSuffix(r.URL.Path, ".wasm") {
			// A server that does not know the type: set first, kept by
			// FileServer.
			w.Header().Set("Content-Type", wasmType)
		}
		files.ServeHTTP(w, r)
	})
}

// startServe runs `conlab serve` (package server) on a web root of its
// own (servePublic) until the test ends. Its next version is a rebuild
// that changes web/app.css.
func startServe(t *testing.T) *labServer {
	t.Helper()
	public := servePublic(t)
	srv, err := server.New(server.Config{Public: public, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s := &labServer{Kind: "serve", root: "/", handler: srv}
	s.next = func(t *testing.T) {
		css := filepath.Join(public, "web", "app.css")
		f, err := os.OpenFile(css, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteString("\n/* the next version */\n")
		if err := errors.Join(err, f.Close()); err != nil {
			t.Fatal(err)
		}
	}
	s.listen(t)
	return s
}

// servePublic assembles a web root for `conlab serve`: the repository's
// public/web with the wasm binaries and wasm_exec.js the tests built.
func servePublic(t *testing.T) string {
	t.Helper()
	builtSite(t)
	public := t.TempDir()
	if err := builtLab.CopyWeb(filepath.Join(public, "web")); err != nil {
		t.Fatal(err)
	}
	return public
}

// listen starts serving on a free loopback port, until the test ends.
func (s *labServer) listen(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.URL = "http://" + ln.Addr().String() + s.root
	s.hits = map[string]int{}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
}

func (s *labServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	h, held := s.handler, s.held[r.URL.Path]
	s.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
	}
	if !strings.HasPrefix(r.URL.Path, s.root) {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

// deployNext deploys the lab's next version and returns its name, as the
// service worker the lab now serves says it.
func (s *labServer) deployNext(t *testing.T) string {
	t.Helper()
	s.next(t)
	resp, err := http.Get(s.URL + site.SWName)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^const VERSION = "([^"]+)";$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("the lab's %s names no version:\n%.400s", site.SWName, b)
	}
	return string(m[1])
}

// hold makes the requests for name, under the lab's root, wait until
// release is called; they are then answered as usual.
func (s *labServer) hold(name string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string]chan struct{}{}
	}
	s.held[s.root+name] = ch
	return sync.OnceFunc(func() {
		s.mu.Lock()
		delete(s.held, s.root+name)
		s.mu.Unlock()
		close(ch)
	})
}

// hitsOf returns how many requests for name, under the lab's root, the
// server has had.
func (s *labServer) hitsOf(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[s.root+name]
}

// stop closes the server and every connection: the lab is gone.
func (s *labServer) stop() { s.srv.Close() }

// requests returns how many requests the server has had.
func (s *labServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}
