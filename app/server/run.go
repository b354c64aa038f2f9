//go:build !wasm

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"conlab/workloads"
)

// handleRun answers POST /api/run: validate, then run in a child process,
// through the cache when the request uses the default parameters.
func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	req, err := DecodeRequest(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		writeError(w, err)
		return
	}
	job, err := PrepareNative(req)
	if err != nil {
		writeError(w, err)
		return
	}
	if max := s.cfg.MaxTimeout.Milliseconds(); job.Request.TimeoutMS > max {
		writeError(w, &workloads.ParamError{Field: "timeout_ms", Msg: fmt.Sprintf("timeout_ms: %s is out of range on this server; allowed: 1 to %s", workloads.GroupDigits(int64(job.Request.TimeoutMS)), workloads.GroupDigits(max))})
		return
	}
	cost := job.Cost(runtime.NumCPU())
	if !s.adm.fitsAlone(cost.Bytes) {
		writeError(w, &apiError{Status: http.StatusUnprocessableEntity, Field: "params", Msg: fmt.Sprintf(
			"this run would need about %d MB of memory at its peak, more than this server gives all native runs together (%d MB)%s",
			cost.Bytes>>20, s.cfg.Memory>>20, s.whatFits(job))})
		return
	}
	// One client may not hold the queue: its runs in progress or waiting
	// are bounded; the bound is released when its request ends (also when
	// the client goes away, which drops a run still waiting).
	if !s.enterClient(r) {
		e := errorf(http.StatusTooManyRequests, "", "you already have %d native runs in progress or waiting on this server; wait for one to finish", s.cfg.PerClient)
		e.RetryAfter = s.adm.retryAfter()
		writeError(w, e)
		return
	}
	defer s.leaveClient(r)
	// The answer may come long after the server's default write timeout.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.QueueWait + time.Duration(job.Request.TimeoutMS)*time.Millisecond + time.Minute))

	var out outcome
	shared := 1
	if key, ok := shareKey(job); ok {
		// The run lives in the server's context, not this request's: one
		// student leaving must not cancel the run others joined. It is
		// cancelled when the last of them has left.
		out, shared, err = s.flights.do(r.Context(), s.ctx, key, func(ctx context.Context) outcome { return s.runNative(ctx, job, cost, true) })
		if err != nil {
			// The client left; nobody reads an answer.
			writeError(w, errorf(http.StatusServiceUnavailable, "", "request cancelled: %v", err))
			return
		}
	} else {
		ctx, cancel := context.WithCancel(r.Context())
		stop := context.AfterFunc(s.ctx, cancel)
		out = s.runNative(ctx, job, cost, false)
		stop()
		cancel()
		if out.log != nil {
			out.log(1)
		}
	}
	if out.err != nil {
		if out.err.Result != nil {
			e := *out.err
			e.Result = markShared(e.Result, shared)
			out.err = &e
		}
		writeError(w, out.err)
		return
	}
	writeRawJSON(w, out.status, markShared(out.body, shared))
}

// shareKey returns the key under which identical requests in flight share
// one run: the whole request as the engine will run it (every field, the
// parameters with their defaults filled in). Workloads whose outcome varies
// from run to run are never shared: each request sees its own race or
// deadlock.
func shareKey(job *workloads.Job) (string, bool) {
	if job.Workload.Varies {
		return "", false
	}
	r := job.Request
	r.Params = job.Args.Map()
	key, err := json.Marshal(r) // map keys come out sorted
	if err != nil {
		return "", false
	}
	return string(key), true
}

// runNative waits for room, runs job in a child process and turns what
// happened into an answer. shareable goes into the log line: whether
// identical requests could join the run.
func (s *Server) runNative(ctx context.Context, job *workloads.Job, cost workloads.Cost, shareable bool) outcome {
	req := job.Request
	log := s.log.With("workload", req.Workload, "mode", req.Mode, "workers", req.Workers, "gomaxprocs", req.GOMAXPROCS, "shareable", shareable)
	qctx, cancel := context.WithTimeout(ctx, s.cfg.QueueWait)
	queued := time.Now()
	granted, err := s.adm.acquire(qctx, need{Cores: cost.Cores, Bytes: cost.Bytes})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return errOutcome(errorf(http.StatusServiceUnavailable, "", "the server is shutting down or the request was cancelled"))
		}
		e := errorf(http.StatusTooManyRequests, "", "the server is busy with other native runs; try again shortly")
		if !errors.Is(err, errBusy) {
			e.Msg = fmt.Sprintf("no room for the run after waiting %v; try again shortly", s.cfg.QueueWait)
		}
		e.RetryAfter = s.adm.retryAfter()
		// The request's own log line says why it was refused.
		return errOutcome(e)
	}
	wait := time.Since(queued)
	limit := s.memoryLimits(job, cost)
	cr, err := s.spawn.RunWithin(ctx, req, limit)
	took := time.Since(queued) - wait
	s.adm.release(granted, took)

	attrs := []any{"queue_ms", wait.Milliseconds(), "took_ms", took.Milliseconds(),
		"cores", granted.Cores, "estimate_mb", cost.Bytes >> 20, "gomemlimit_mb", limit.GoMemLimit >> 20, "cap_mb", limit.Bytes >> 20}
	if cr != nil {
		attrs = append(attrs, "pid", cr.PID, "exit", cr.Exit, "peak_mb", cr.PeakBytes>>20)
	}
	if err != nil {
		log.Warn("native run failed", append(attrs, "error", err.Error())...)
		if ctx.Err() != nil {
			return errOutcome(errorf(http.StatusServiceUnavailable, "", "the run was stopped: the server is shutting down or the request was cancelled"))
		}
		return errOutcome(asAPIError(err))
	}
	res := cr.Result
	attrs = append(attrs, "wall_ms", float64(res.WallUS)/1000, "check_ok", res.Check.OK)
	if res.Error != "" {
		attrs = append(attrs, "error", res.Error)
	}
	logRun := func(shared int) { log.Info("native run", append(attrs, "shared", shared)...) }
	if isTimeout(res) {
		o := errOutcome(&apiError{Status: http.StatusGatewayTimeout, Field: "timeout_ms", Msg: res.Error, Result: json.RawMessage(cr.Raw)})
		o.log = logRun
		return o
	}
	return outcome{status: http.StatusOK, body: cr.Raw, log: logRun}
}

func errOutcome(e *apiError) outcome { return outcome{status: e.Status, err: e} }

// memoryLimits caps a run at twice its estimate: an honest run stays well
// under (TestCostEstimates), one that misjudged itself is stopped before
// it takes the other runs' memory. The collector aims below twice the
// estimate (GOMEMLIMIT); the OS cap, which counts address space, adds
// what a Go process maps without using: the runtime's reservations
// (ChildMemoryFloor) and an 8 MB stack for each thread it may start (one
// per GOMAXPROCS and per lane blocked in a system call).
func (s *Server) memoryLimits(job *workloads.Job, cost workloads.Cost) Limits {
	procs := job.Request.GOMAXPROCS
	if procs <= 0 {
		procs = runtime.NumCPU()
	}
	threads := int64(min(procs, 256) + job.Request.Workers + cost.Processes)
	return Limits{
		GoMemLimit: max(2*cost.Bytes, 32<<20),
		Bytes:      2*cost.Bytes + s.cfg.ChildMemoryFloor + threads*(8<<20),
		Watch:      cost.Processes > 0,
	}
}

// whatFits suggests, for a run over the memory budget, the nearest runs
// that fit: fewer lanes, or a smaller value of one parameter, the others
// unchanged. It returns "" when it finds none.
func (s *Server) whatFits(job *workloads.Job) string {
	fits := func(r workloads.Request) bool {
		j, err := PrepareNative(r)
		return err == nil && s.adm.fitsAlone(j.Cost(runtime.NumCPU()).Bytes)
	}
	req := job.Request
	req.Params = job.Args.Map()
	var hints []string
	if req.Mode != workloads.Sequential {
		for w := req.Workers - 1; w >= 1; w-- {
			r := req
			r.Workers = w
			if fits(r) {
				hints = append(hints, fmt.Sprintf("workers %d", w))
				break
			}
		}
	}
	for _, p := range job.Workload.Params {
		if p.Type != workloads.Int {
			continue
		}
		cur := job.Args.Int(p.Name)
		with := func(v int64) workloads.Request {
			r := req
			r.Params = job.Args.Map()
			r.Params[p.Name] = v
			return r
		}
		// The largest value below the current one that fits, if any.
		lo, hi := p.Min, cur-1
		if hi < lo || !fits(with(lo)) {
			continue
		}
		for lo < hi {
			mid := lo + (hi-lo+1)/2
			if fits(with(mid)) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		hints = append(hints, fmt.Sprintf("%s %d", p.Name, lo))
	}
	if len(hints) == 0 {
		return ""
	}
	return "; what fits, changing one thing: " + strings.Join(hints, ", or ")
}

// clientAddr is the address a request came from, without its port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// enterClient counts a run of the request's client, unless it already
// has PerClient runs in progress or waiting.
func (s *Server) enterClient(r *http.Request) bool {
	if s.cfg.PerClient <= 0 {
		return true
	}
	c := clientAddr(r)
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	if s.clients[c] >= s.cfg.PerClient {
		return false
	}
	s.clients[c]++
	return true
}

func (s *Server) leaveClient(r *http.Request) {
	if s.cfg.PerClient <= 0 {
		return
	}
	c := clientAddr(r)
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	if s.clients[c]--; s.clients[c] <= 0 {
		delete(s.clients, c)
	}
}
