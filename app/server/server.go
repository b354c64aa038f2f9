//go:build !wasm

package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"conlab/app/ui"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Server is conlab's HTTP server: the UI, the static files and the API.
// Make one with [New]; it is an http.Handler. Call [Server.Close] (or let
// [Server.ListenAndServe] do it) to kill the native runs still going.
type Server struct {
	cfg     Config
	log     *slog.Logger
	adm     *admission
	flights *flights
	// clients counts each client address's runs in progress or waiting.
	clientsMu sync.Mutex
	clients   map[string]int
	spawn     *Spawner
	static    *static
	lab       *labPages
	ui        http.Handler
	handler   http.Handler
	api       map[string]endpoint
	started   time.Time

	ctx    context.Context // runs shared by several requests live in it
	cancel context.CancelFunc
}

type endpoint struct {
	methods []string
	h       http.HandlerFunc
}

var registerUI sync.Once

// New makes a server. It fails when an allowed origin is malformed or the
// executable that runs native runs cannot be found.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	catalog, err := newCatalogFile()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		adm:     newAdmission(cfg.Cores, cfg.MaxChildren, cfg.Memory, cfg.MaxQueue),
		clients: map[string]int{},
		flights: newFlights(),
		spawn:   cfg.Spawner,
		static:  &static{dir: filepath.Join(cfg.Public, "web")},
		started: time.Now(),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.api = map[string]endpoint{
		"/api/workloads": {[]string{"GET", "HEAD"}, catalog.ServeHTTP},
		"/api/run":       {[]string{"POST"}, s.handleRun},
		"/api/delay":     {[]string{"GET", "HEAD"}, workloads.DelayHandler().ServeHTTP},
		"/api/health":    {[]string{"GET", "HEAD"}, s.handleHealth},
		"/api/baseline":  {[]string{"GET", "HEAD"}, s.handleBaseline},
	}

	registerUI.Do(ui.Register)
	h := ui.Handler()
	// go-app resolves /web/ URLs against Resources, and serves /web/ and
	// /app.wasm through it when it is an http.Handler: point both at this
	// server's static files so every path is served one way.
	h.Resources = webResolver{s.static}
	s.ui = h
	s.lab = newLabPages(s.static.dir, s.log)
	s.handler = s.middleware(http.HandlerFunc(s.route))
	if !s.static.exists("wasm_exec.js") {
		s.log.Warn("the toolchain's wasm_exec.js is missing from the site: run make build", "dir", s.static.dir)
	}
	return s, nil
}

// webResolver resolves go-app's /web/ locations to URLs of this server
// and serves them with the static handler.
type webResolver struct{ *static }

func (webResolver) Resolve(location string) string {
	if location == "" || location == "/" {
		return "/"
	}
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		return location
	}
	if location == "web" || location == "/web" || strings.HasPrefix(location, "web/") || strings.HasPrefix(location, "/web/") {
		return "/" + strings.Trim(location, "/")
	}
	return location
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/api" || strings.HasPrefix(p, "/api/"):
		s.serveAPI(w, r)
	case strings.HasPrefix(p, "/web/data/") && !s.static.exists(strings.TrimPrefix(p, "/web/")):
		// The download workload's page files, before `make static` wrote them.
		downloadPages.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/web/"):
		s.static.ServeHTTP(w, r)
	case p == "/wasm_exec.js":
		// The page loads /wasm_exec.js: it must be the toolchain's copy
		// that matches the Go that built app.wasm, not go-app's own.
		s.static.serve(w, r, "wasm_exec.js")
	case p == "/app.wasm" || p == "/goapp.wasm":
		s.static.serve(w, r, "app.wasm")
	case s.lab.has(p):
		// The lab's pages and service worker, as the static site has them.
		s.lab.ServeHTTP(w, r)
	default:
		s.servePage(w, r)
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	ep, ok := s.api[r.URL.Path]
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "", "no API endpoint %s (have /api/workloads, /api/run, /api/delay, /api/health, /api/baseline)", r.URL.Path))
		return
	}
	for _, m := range ep.methods {
		if r.Method == m {
			if m == http.MethodPost && !s.checkPost(w, r) {
				return
			}
			ep.h(w, r)
			return
		}
	}
	w.Header().Set("Allow", strings.Join(ep.methods, ", "))
	writeError(w, errorf(http.StatusMethodNotAllowed, "", "%s %s is not allowed (use %s)", r.Method, r.URL.Path, strings.Join(ep.methods, " or ")))
}

// Close kills the native runs still going and waits until their processes
// are gone. The server answers later runs with an error.
func (s *Server) Close() {
	s.cancel()
	s.spawn.Close()
	s.static.close()
}

// ListenAndServe serves on addr until ctx is done, then shuts down
// gracefully: it stops accepting, lets requests in progress (and their
// native runs) finish for up to ShutdownGrace, kills what remains, and
// returns once no child process is left. ready, if not nil, is called
// with the server's URL once it listens (useful with port 0).
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(url string)) error {
	tl, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ln := newLimitListener(tl, s.cfg.MaxConns)
	srv := &http.Server{
		Handler: s,
		// A connection that sends nothing is closed as soon as an idle
		// one would be.
		ReadHeaderTimeout: min(5*time.Second, s.cfg.IdleTimeout),
		ReadTimeout:       30 * time.Second,
		// Run answers extend their own write deadline (see handleRun).
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    s.cfg.IdleTimeout,
		ConnState:      ln.track,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	s.log.Info("serving", "url", url, "isolate", s.cfg.Isolate, "cores", s.cfg.Cores, "memory_mb", s.cfg.Memory>>20,
		"per_client", s.cfg.PerClient, "max_conns", s.cfg.MaxConns, "idle_timeout", s.cfg.IdleTimeout)
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx)
	// Kill what is left: runs of requests that outlived the grace, and
	// shared runs no request waits for any more.
	s.Close()
	srv.Close()
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("shutdown grace expired: killed the native runs still going")
		err = nil
	}
	return err
}

var _ app.ResourceResolver = webResolver{}
