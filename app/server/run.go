//go:build !wasm

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
		writeError(w, &workloads.ParamError{Field: "timeout_ms", Msg: fmt.Sprintf("timeout_ms: %d is out of range on this server; allowed: 1 to %d", job.Request.TimeoutMS, max)})
		return
	}
	// The answer may come long after the server's default write timeout.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.QueueWait + time.Duration(job.Request.TimeoutMS)*time.Millisecond + time.Minute))

	var out outcome
	shared := 1
	if key, ok := shareKey(job); ok {
		// The run lives in the server's context, not this request's: one
		// student leaving must not cancel the run others joined. It is
		// cancelled when the last of them has left.
		out, shared, err = s.flights.do(r.Context(), s.ctx, key, func(ctx context.Context) outcome { return s.runNative(ctx, job, true) })
		if err != nil {
			// The client left; nobody reads an answer.
			writeError(w, errorf(http.StatusServiceUnavailable, "", "request cancelled: %v", err))
			return
		}
	} else {
		ctx, cancel := context.WithCancel(r.Context())
		stop := context.AfterFunc(s.ctx, cancel)
		out = s.runNative(ctx, job, false)
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
// one run: the workload, mode, lanes, GOMAXPROCS, deadline, every
// parameter as the engine will use it, and the schedule. Workloads whose
// outcome varies from run to run are never shared: each request sees its
// own race or deadlock.
func shareKey(job *workloads.Job) (string, bool) {
	if job.Workload.Varies {
		return "", false
	}
	args, err := json.Marshal(job.Args.Map()) // map keys come out sorted
	if err != nil {
		return "", false
	}
	r := job.Request
	return fmt.Sprintf("%s|%s|%d|%d|%d|%s|%s", r.Workload, r.Mode, r.Workers, r.GOMAXPROCS, r.TimeoutMS, args, r.Schedule), true
}

// cores is how many cores a run can keep busy: one per lane that computes,
// up to GOMAXPROCS. Workloads that mostly wait (sleeps, fetches, locks)
// take no core, only a child process.
func (s *Server) cores(job *workloads.Job) int {
	switch job.Workload.Kind {
	case workloads.IO, workloads.Sync, workloads.Bug:
		return 0
	}
	r := job.Request
	if r.Mode == workloads.Sequential {
		return 1
	}
	n := min(r.Workers, len(job.Plan.Tasks))
	if r.GOMAXPROCS > 0 {
		n = min(n, r.GOMAXPROCS)
	}
	return min(n, s.cfg.Cores)
}

// runNative waits for room, runs job in a child process and turns what
// happened into an answer. shareable goes into the log line: whether
// identical requests could join the run.
func (s *Server) runNative(ctx context.Context, job *workloads.Job, shareable bool) outcome {
	req := job.Request
	log := s.log.With("workload", req.Workload, "mode", req.Mode, "workers", req.Workers, "gomaxprocs", req.GOMAXPROCS, "shareable", shareable)
	qctx, cancel := context.WithTimeout(ctx, s.cfg.QueueWait)
	queued := time.Now()
	cores, err := s.adm.acquire(qctx, s.cores(job))
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
	cr, err := s.spawn.Run(ctx, req)
	took := time.Since(queued) - wait
	s.adm.release(cores, took)

	attrs := []any{"queue_ms", wait.Milliseconds(), "took_ms", took.Milliseconds()}
	if cr != nil {
		attrs = append(attrs, "pid", cr.PID, "exit", cr.Exit)
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
