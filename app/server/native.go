//go:build !wasm

package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"conlab/wasm"
	"conlab/workloads"
)

// PrepareNative validates req for a native run, in one of the engine's
// modes. A browser mode (cooperative, workers, main) is a
// *workloads.UnsupportedError saying so; every other error is the
// engine's *workloads.ParamError naming the field.
func PrepareNative(req workloads.Request) (*workloads.Job, error) {
	if m := req.Mode; slices.Contains(wasm.Modes, m) && !m.Valid() {
		// The browser's checks first, so that an error the browser would
		// report too (a bad parameter) comes before the mode's.
		job, err := wasm.Prepare(req)
		if err != nil {
			return nil, err
		}
		return nil, &workloads.UnsupportedError{Workload: job.Workload.ID, Mode: m,
			Reason: "that mode runs in the browser; natively the lab runs sequential and goroutines (real threads)"}
	}
	return workloads.Prepare(req)
}

// Execute runs req natively in this process and blocks until the run ends.
// Its results and errors are those of workloads.Run, after
// [PrepareNative]'s checks.
//
// When req.GOMAXPROCS is not 0, Execute sets GOMAXPROCS for the run and
// restores it afterwards. The setting is process-wide, so Executes running
// at the same time with different values disturb each other: the server
// runs each request in a process of its own for that reason.
//
// Relative URLs fetched by the run (the download workload's) go to a
// server on a loopback port of this process, with the delay endpoint and
// the page files of a static site, started on the first fetch and stopped
// when the run ends. Child programs (the subprocess workload's) are this
// executable, run as `conlab child`.
func Execute(ctx context.Context, req workloads.Request) (*workloads.Result, error) {
	job, err := PrepareNative(req)
	if err != nil {
		return nil, err
	}
	if n := job.Request.GOMAXPROCS; n > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	}
	env := &loopbackEnv{}
	// Children of the subprocess and spawn workloads are this program
	// again (`conlab child`); without it they run in-process.
	if exe, err := os.Executable(); err == nil {
		env.Exe = exe
	}
	defer env.close()
	res, err := job.Run(ctx, workloads.Options{Env: env})
	if res != nil {
		res.Facts.CPU = CPUModel()
	}
	return res, err
}

// RunJSON is the child's side of the server's run protocol: it reads one
// JSON request from in (at most 1 MiB), runs it with [Execute], and writes
// the JSON result to out, also when the run failed (a deadlock, a
// timeout: the result then carries the error and the spans so far). The
// returned error is the run's or the request's.
func RunJSON(ctx context.Context, in io.Reader, out io.Writer) error {
	req, err := DecodeRequest(io.LimitReader(in, 1<<20))
	if err != nil {
		return err
	}
	res, err := Execute(ctx, req)
	if res != nil {
		if werr := json.NewEncoder(out).Encode(res); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// loopbackEnv is the native environment with relative fetches answered by
// a delay server on a loopback port, started on first use: most runs
// never fetch.
type loopbackEnv struct {
	workloads.NativeEnv
	once sync.Once
	srv  *http.Server
	err  error
}

func (e *loopbackEnv) Fetch(ctx context.Context, url string) ([]byte, error) {
	e.once.Do(e.start)
	if e.err != nil {
		return nil, e.err
	}
	return e.NativeEnv.Fetch(ctx, url)
}

func (e *loopbackEnv) start() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.err = fmt.Errorf("starting the loopback delay server: %w", err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/api/delay", workloads.DelayHandler())
	mux.Handle("/web/data/", downloadPages)
	e.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go e.srv.Serve(ln)
	e.NativeEnv.BaseURL = "http://" + ln.Addr().String() + "/"
	// The run's fetches all go to this one host: keep enough idle
	// connections for the download workload's lanes.
	e.NativeEnv.Client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workloads.MaxWorkers, Proxy: nil},
	}
}

// close stops the delay server, if the run started one.
func (e *loopbackEnv) close() {
	e.once.Do(func() {}) // a fetch can no longer start the server
	if e.srv != nil {
		e.srv.Close()
		e.NativeEnv.Client.CloseIdleConnections()
	}
}

var cpuModel = sync.OnceValue(func() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
})

// CPUModel returns the processor's model name from /proc/cpuinfo, or ""
// where there is none.
func CPUModel() string { return cpuModel() }

// downloadPages serves the download workload's page files, as a static
// site ships them, from memory: the native run and a server whose site
// was not generated answer them too.
var downloadPages = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, ok := pageFiles()[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(body)
})

var pageFiles = sync.OnceValue(workloads.DownloadFiles)
