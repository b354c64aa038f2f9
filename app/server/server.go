//go:build !wasm

package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"conlab/app/ui"
	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Config configures a [Server]. The zero value serves ./public with the
// limits below sized to this machine.
type Config struct {
	// Public is the site's directory: Public/web is served at /web/.
	// "" means "public".
	Public string
	// Isolate sends Cross-Origin-Opener-Policy: same-origin and
	// Cross-Origin-Embedder-Policy: require-corp, which make the page
	// cross-origin isolated so SharedArrayBuffer is available.
	Isolate bool
	// BaselineFile is served at /api/baseline; "" means
	// Public/web/data/baseline.json, where the site ships it.
	BaselineFile string
	// Spawner starts the native runs; nil means this executable.
	Spawner *Spawner
	// Cores is the CPU budget: the runs in progress together keep at most
	// this many cores busy, by their workloads' own declarations (lanes
	// computing, child processes). 0 means runtime.NumCPU().
	Cores int
	// Memory is the memory budget in bytes: the runs in progress together
	// hold at most this much by their workloads' estimates, and a run
	// estimated above it is refused (422). 0 means half of this machine's
	// memory; negative means no budget.
	Memory int64
	// ChildMemoryFloor is what the OS memory cap of a run's process allows
	// beyond twice the run's estimate and its threads' stacks: the address
	// space a Go process reserves without using it. 0 means 128 MiB (4 GiB
	// in a build with the race detector).
	ChildMemoryFloor int64
	// PerClient bounds the runs one client address has in progress or
	// waiting; beyond it the client's next run is refused with 429. 0
	// means 3; negative means no bound (behind a proxy every student
	// shares its address).
	PerClient int
	// MaxConns bounds the connections open at once; further clients wait
	// to connect. 0 means 1024, or less when the process may open fewer
	// files.
	MaxConns int
	// IdleTimeout closes a kept-alive connection after this long without
	// a request. 0 means 30 seconds.
	IdleTimeout time.Duration
	// MaxChildren bounds the child processes alive at once, CPU-bound or
	// not. 0 means 4 × Cores.
	MaxChildren int
	// MaxQueue bounds the runs waiting for room; beyond it a run is
	// refused with 429. 0 means 4 × Cores; negative means no queue.
	MaxQueue int
	// QueueWait bounds how long a run waits in the queue before it is
	// refused with 429. 0 means 30 seconds.
	QueueWait time.Duration
	// MaxBody bounds a request body. 0 means 64 KiB.
	MaxBody int64
	// MaxTimeout bounds a run's timeout_ms. 0 means 120 seconds.
	MaxTimeout time.Duration
	// AllowOrigins are origins ("https://school.example") besides the
	// server's own whose pages may start runs; their hosts are also names
	// the server answers to on a loopback address (behind a proxy).
	AllowOrigins []string
	// ShutdownGrace is how long [Server.ListenAndServe] lets runs finish
	// after its context is done before it kills them. 0 means 10 seconds.
	ShutdownGrace time.Duration
	// Logger receives one line per request and one per native run; nil
	// means slog.Default().
	Logger *slog.Logger
}

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

	catalog     []byte
	catalogGzip []byte // the catalog is large (sources, programs) and read often
	catalogETag string
}

type endpoint struct {
	methods []string
	h       http.HandlerFunc
}

var registerUI sync.Once

// New makes a server. It fails when an allowed origin is malformed or the
// executable that runs native runs cannot be found.
func New(cfg Config) (*Server, error) {
	if cfg.Public == "" {
		cfg.Public = "public"
	}
	if cfg.BaselineFile == "" {
		cfg.BaselineFile = filepath.Join(cfg.Public, "web", "data", "baseline.json")
	}
	if cfg.Cores <= 0 {
		cfg.Cores = runtime.NumCPU()
	}
	if cfg.MaxChildren <= 0 {
		cfg.MaxChildren = 4 * cfg.Cores
	}
	switch {
	case cfg.Memory == 0:
		cfg.Memory = MachineMemory() / 2
	case cfg.Memory < 0:
		cfg.Memory = 0
	}
	if cfg.ChildMemoryFloor <= 0 {
		cfg.ChildMemoryFloor = 128 << 20
		if raceEnabled {
			// The race detector's shadow memory must fit under the cap.
			cfg.ChildMemoryFloor = 4 << 30
		}
	}
	switch {
	case cfg.PerClient == 0:
		cfg.PerClient = 3
	case cfg.PerClient < 0:
		cfg.PerClient = 0
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = defaultMaxConns()
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Second
	}
	switch {
	case cfg.MaxQueue == 0:
		cfg.MaxQueue = 4 * cfg.Cores
	case cfg.MaxQueue < 0:
		cfg.MaxQueue = 0
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = 30 * time.Second
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.MaxTimeout <= 0 {
		cfg.MaxTimeout = 120 * time.Second
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	for i, o := range cfg.AllowOrigins {
		n, err := ParseOrigin(o)
		if err != nil {
			return nil, err
		}
		cfg.AllowOrigins[i] = n
	}
	if cfg.Spawner == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the conlab executable for native runs: %w", err)
		}
		cfg.Spawner = &Spawner{Exe: exe}
	}
	catalog, err := json.Marshal(Catalog())
	if err != nil {
		return nil, fmt.Errorf("encoding the catalog: %w", err)
	}
	sum := sha256.Sum256(catalog)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(append(catalog, '\n'))
	zw.Close()

	s := &Server{
		cfg:         cfg,
		log:         cfg.Logger,
		adm:         newAdmission(cfg.Cores, cfg.MaxChildren, cfg.Memory, cfg.MaxQueue),
		clients:     map[string]int{},
		flights:     newFlights(),
		spawn:       cfg.Spawner,
		static:      &static{dir: filepath.Join(cfg.Public, "web")},
		started:     time.Now(),
		catalog:     catalog,
		catalogGzip: gz.Bytes(),
		catalogETag: `"` + hex.EncodeToString(sum[:8]) + `"`,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.api = map[string]endpoint{
		"/api/workloads": {[]string{"GET", "HEAD"}, s.handleWorkloads},
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

func (s *Server) handleWorkloads(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", s.catalogETag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == s.catalogETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if !accepts(r.Header.Get("Accept-Encoding"), "gzip") {
		writeRawJSON(w, http.StatusOK, s.catalog)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(len(s.catalogGzip)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(s.catalogGzip)
	}
}

// Health is the answer of GET /api/health.
type Health struct {
	OK         bool   `json:"ok"`
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	NumCPU     int    `json:"numcpu"`
	CPU        string `json:"cpu,omitempty"`
	Cores      int    `json:"cores"`       // the CPU budget for native runs
	CoresBusy  int    `json:"cores_busy"`  // cores the runs in progress keep busy
	Memory     int64  `json:"memory"`      // the memory budget for native runs, bytes (0: none)
	MemoryUsed int64  `json:"memory_used"` // estimated peak of the runs in progress, bytes
	PerClient  int    `json:"per_client"`  // runs one client may have in progress or waiting (0: no bound)
	Running    int    `json:"running"`     // native runs in progress
	Queued     int    `json:"queued"`      // native runs waiting for room
	Shared     int    `json:"shared"`      // runs in flight that identical requests may join
	Isolated   bool   `json:"isolated"`    // COOP/COEP sent
	UptimeSecs int64  `json:"uptime_secs"` // since the server started
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	running, queued := s.adm.state()
	busy, used := s.adm.usage()
	writeJSON(w, http.StatusOK, Health{
		CoresBusy: busy, Memory: s.cfg.Memory, MemoryUsed: used, PerClient: s.cfg.PerClient,
		OK: s.ctx.Err() == nil, GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		NumCPU: runtime.NumCPU(), CPU: CPUModel(), Cores: s.cfg.Cores, Running: running, Queued: queued,
		Shared: s.flights.len(), Isolated: s.cfg.Isolate, UptimeSecs: int64(time.Since(s.started) / time.Second),
	})
}

func (s *Server) handleBaseline(w http.ResponseWriter, r *http.Request) {
	f, err := os.Open(s.cfg.BaselineFile)
	if err != nil {
		writeError(w, errorf(http.StatusNotFound, "", "no recorded baseline on this server (record one with: conlab baseline -o %s)", filepath.Base(s.cfg.BaselineFile)))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		writeError(w, errorf(http.StatusNotFound, "", "no recorded baseline on this server"))
		return
	}
	b, err := io.ReadAll(io.LimitReader(f, maxBaselineBytes+1))
	if err != nil || len(b) > maxBaselineBytes {
		writeError(w, errorf(http.StatusInternalServerError, "", "the recorded baseline could not be read (larger than %d bytes or unreadable)", maxBaselineBytes))
		return
	}
	// A stored figure is shown only with the date and the machine it was
	// recorded on: a file without them is not served as a baseline.
	label, err := baselineLabel(b)
	if err != nil {
		writeError(w, errorf(http.StatusNotFound, "", "the recorded baseline on this server cannot be shown: %v; record it again with: conlab baseline -o %s", err, filepath.Base(s.cfg.BaselineFile)))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Conlab-Recorded", label)
	http.ServeContent(w, r, "baseline.json", st.ModTime(), bytes.NewReader(b))
}

// maxBaselineBytes bounds the recorded baseline file the server reads.
const maxBaselineBytes = 16 << 20

// baselineLabel returns the label of a recorded baseline file, its date
// and machine in one line (the X-Conlab-Recorded header):
//
//	2026-11-02T10:00:00Z; cpu="AMD EPYC 7B13"; cores=2; os=linux/amd64; go=go1.26.8
//
// It fails when the file is not JSON or lacks its date or the machine's
// cores, OS or Go version. The CPU model is left out where the recording
// machine's OS did not name it.
func baselineLabel(b []byte) (string, error) {
	var f struct {
		Date    time.Time `json:"date"`
		Machine Machine   `json:"machine"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return "", fmt.Errorf("it is not a baseline file (%v)", err)
	}
	m := f.Machine
	switch {
	case f.Date.IsZero():
		return "", errors.New("it has no date")
	case m.NumCPU < 1 || m.GOOS == "" || m.GOARCH == "" || m.GoVersion == "":
		return "", errors.New("it does not say which machine recorded it (cores, OS and Go version)")
	}
	label := f.Date.UTC().Format(time.RFC3339)
	if m.CPU != "" {
		label += "; cpu=" + strconv.Quote(m.CPU)
	}
	return label + fmt.Sprintf("; cores=%d; os=%s/%s; go=%s", m.NumCPU, m.GOOS, m.GOARCH, m.GoVersion), nil
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

// middleware adds the headers every answer carries, recovers panics and
// logs one line per request.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if s.cfg.Isolate {
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Embedder-Policy", "require-corp")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(p))
				if !rec.wrote {
					writeError(rec, errorf(http.StatusInternalServerError, "", "internal error"))
				}
			}
			attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
				"bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds()) / 1000}
			if rec.err != "" {
				// A refused or failed request has this one line, with why.
				attrs = append(attrs, "error", rec.err)
			}
			s.log.Info("request", attrs...)
		}()
		if s.checkHost(rec, r) {
			next.ServeHTTP(rec, r)
		}
	})
}

// recorder remembers the status and size of an answer for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
	err    string // the API error answered, for the log line
}

func (r *recorder) noteError(msg string) { r.err = msg }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

var _ app.ResourceResolver = webResolver{}

// CatalogEntry is a workload as the catalog shows it (GET /api/workloads,
// `conlab list -json`): the engine's fields, and the browser modes that
// cannot run it, with the reasons.
type CatalogEntry struct {
	*workloads.Workload
	Unsupported map[workloads.Mode]string `json:"unsupported,omitempty"`
}

// Catalog returns every workload as the catalog shows it, in catalog
// order.
func Catalog() []CatalogEntry {
	all := workloads.All()
	out := make([]CatalogEntry, len(all))
	for i, w := range all {
		out[i] = CatalogEntry{w, wasm.Unsupported(w)}
	}
	return out
}
