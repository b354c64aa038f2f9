//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// lane is one worker's share of a workers-mode run.
type lane struct {
	w        *worker
	inflight []flight // sent and not yet answered, in the order sent
	lastEnd  int64    // when the lane's last answered task ended (run clock)
	ran      bool
	final    *uint64 // the instance's Final after its last task, if it has one
	stuck    []workloads.StuckTask
	after    int64
}

// flight is a task sent to a worker.
type flight struct {
	task   int
	sent   int64 // run clock
	inSize int
}

// A worker holds its next tasks while it runs one, so that it never waits
// for the page: at least minInHand tasks, and as many as take inHandUS
// by the run's tasks' mean time so far, at most proto.MaxInFlight. A
// lane holds no more than its part of what is left to run (the tasks in
// every lane's hands and those not handed out yet, shared evenly and
// rounded down), so the lanes still end together; a lane with nothing in
// hand always gets a task while any is left. Tasks without an input
// payload go several to a message.
const (
	minInHand = 2
	inHandUS  = 200_000
)

// handout is the page's side of a workers-mode run's tasks: which task is
// next, and how long tasks take.
type handout struct {
	n, next int
	lanes   int
	back    int   // tasks answered
	ranUS   int64 // the answered tasks' time, running
	ran     int   // answered tasks with spans, which ranUS adds up
}

// want is how many tasks a lane should hold. A lone lane has nothing to
// balance: it holds as many as it may.
func (h *handout) want() int {
	if h.lanes == 1 {
		return proto.MaxInFlight
	}
	w := minInHand
	if h.ran > 0 {
		mean := max(h.ranUS/int64(h.ran), 1)
		w = max(w, int((inHandUS+mean-1)/mean))
	}
	return min(w, proto.MaxInFlight)
}

// deal returns how many more tasks a lane holding held should get now.
func (h *handout) deal(held int) int {
	unsent := h.n - h.next
	part := (unsent + h.next - h.back) / h.lanes
	k := min(h.want()-held, part-held, unsent)
	if held == 0 {
		k = max(k, min(1, unsent))
	}
	return max(k, 0)
}

// answered counts a finished task and its time.
func (h *handout) answered(tr workloads.TaskResult) {
	h.back++
	if len(tr.Spans) == 0 {
		return
	}
	first, last := tr.Spans[0].Start, tr.Spans[0].End
	for _, s := range tr.Spans {
		first, last = min(first, s.Start), max(last, s.End)
	}
	h.ranUS += last - first
	h.ran++
}

// onWorkers spreads the tasks over the run's workers: each worker takes
// the next tasks as it works through those it holds, as the engine's
// lanes do.
func (r *run) onWorkers(ctx context.Context) (*workloads.Result, error) {
	job := r.job
	n := r.total
	lanes := make([]*lane, len(r.ws))
	byWorker := map[*worker]int{}
	for i, w := range r.ws {
		lanes[i] = &lane{w: w}
		byWorker[w] = i
	}
	shared := safejs.Undefined()
	sharedCells := 0
	if job.Plan.Shared > 0 && Isolated() {
		if sab, err := jsenv.Get(jsenv.Global(), "SharedArrayBuffer"); err == nil {
			if buf, err := sab.New(4 * job.Plan.Shared); err == nil {
				shared, sharedCells = buf, job.Plan.Shared
			}
		}
	}
	results := make([]workloads.TaskResult, n)
	data := make([][]byte, n)
	var extra []workloads.Span
	h := &handout{n: n, lanes: len(lanes)}
	// send hands lane l the tasks it should hold now: with an input
	// payload one a message, else all in one.
	send := func(l int) error {
		ln := lanes[l]
		k := h.deal(len(ln.inflight))
		for k > 0 {
			first := h.next
			var in []byte
			var more []int
			if job.Plan.Input != nil {
				in = job.Plan.Input(first)
				h.next++
				k--
			} else {
				more = make([]int, 0, k-1)
				for t := first + 1; t < first+k; t++ {
					more = append(more, t)
				}
				h.next += k
				k = 0
			}
			now := r.now()
			ln.inflight = append(ln.inflight, flight{task: first, sent: now, inSize: len(in)})
			for _, t := range more {
				ln.inflight = append(ln.inflight, flight{task: t, sent: now})
			}
			ln.ran = true
			var ex map[string]safejs.Value
			if sharedCells > 0 {
				ex = map[string]safejs.Value{"shared": shared}
			}
			msg := &proto.Task{ID: r.id, Task: first, Lane: l, Request: job.Request, OriginUS: r.origin, DeadlineUS: r.deadline, WatchdogMS: r.watchdogMS(), Shared: sharedCells, More: more}
			if err := ln.w.js.Post(msg, in, ex); err != nil {
				return fmt.Errorf("wasm: sending task %d to worker %d: %w", first, ln.w.id, err)
			}
		}
		return nil
	}
	r.progress(Progress{Stage: "running", Total: n})
	var runErr error
	// Each lane takes its share of minInHand tasks: every lane gets one
	// before any gets a second, unless there are more tasks than lanes.
	for l := range lanes {
		if runErr = send(l); runErr != nil {
			break
		}
	}
	var bad []*worker // workers to replace
	killNow := false  // terminate the workers in flight instead of asking them to stop
	// answer takes one task's answer on lane l.
	answer := func(l int, tr workloads.TaskResult, payload []byte, timeout bool) error {
		ln := lanes[l]
		if len(ln.inflight) == 0 || tr.Task != ln.inflight[0].task || tr.Lane != l {
			bad = append(bad, ln.w)
			return fmt.Errorf("worker %d answered for task %d on lane %d, which it was not running", ln.w.id, tr.Task, tr.Lane)
		}
		f := ln.inflight[0]
		ln.inflight = ln.inflight[1:]
		// A task sent ahead waited for the one before it: its copy
		// starts when that one ended, not when it was sent.
		extra = append(extra, copySpans(l, tr, max(f.sent, ln.lastEnd), r.now(), f.inSize, len(payload))...)
		ln.lastEnd = max(ln.lastEnd, lastEnd(tr))
		results[tr.Task] = tr
		data[tr.Task] = payload
		h.answered(tr)
		r.done++
		if tr.Err != "" {
			if timeout {
				return fmt.Errorf("%w (%d ms)", workloads.ErrTimeout, job.Request.TimeoutMS)
			}
			return errors.New(tr.Err)
		}
		return nil
	}
	for runErr == nil && r.done < n {
		e, err := r.box.next(ctx, 0)
		if err != nil {
			runErr = r.ctxError(ctx)
			// The caller's cancel terminates at once; a deadline first
			// asks the tasks to stop, to keep what they did.
			killNow = r.parent.Err() != nil
			break
		}
		l, ok := byWorker[e.w]
		if !ok {
			continue
		}
		ln := lanes[l]
		if ferr := e.w.failure(e); ferr != nil {
			runErr = ferr
			if len(ln.inflight) > 0 {
				runErr = fmt.Errorf("task %d: %w", ln.inflight[0].task, ferr)
			}
			ln.inflight = nil
			bad = append(bad, e.w)
			break
		}
		switch b := e.msg.Body.(type) {
		case *proto.Spans:
			if b.ID == r.id {
				r.spans(b.Spans)
			}
		case *proto.Error:
			if b.ID == r.id || b.ID == 0 {
				runErr = fmt.Errorf("worker %d: %s", e.w.id, b.Error)
			}
		case *proto.Stuck:
			if b.ID != r.id {
				continue
			}
			ln.stuck, ln.after = b.Stuck, b.AfterMS
			if dl := r.deadlock(lanes); dl != nil {
				runErr = dl
			}
		case *proto.TaskDone:
			if b.ID != r.id {
				continue
			}
			r.spans(b.Live)
			runErr = answer(l, b.Result, e.msg.Data, b.ErrKind == proto.ErrTimeout)
			for _, tr := range b.More {
				if runErr != nil {
					break
				}
				runErr = answer(l, tr, nil, false)
			}
			if b.HasFinal {
				v := b.Final
				ln.final = &v
			}
			ln.stuck = nil
			r.progress(Progress{Stage: "running", Done: r.done, Total: n})
			if runErr == nil {
				runErr = send(l)
			}
		}
	}
	finals := r.wind(lanes, runErr != nil, killNow, &bad, results)
	r.p.retire(bad...)

	res := r.result("wasm-worker")
	out := workloads.Outputs{Values: make([]uint64, n)}
	for i, tr := range results {
		res.Spans = append(res.Spans, tr.Spans...)
		out.Values[i] = tr.Value
		if data[i] != nil {
			if out.Data == nil {
				out.Data = make([][]byte, n)
			}
			out.Data[i] = data[i]
		}
	}
	res.Spans = append(res.Spans, extra...)
	if runErr == nil && finals.err != nil {
		runErr = finals.err
	}
	if runErr != nil {
		return r.finishResult(res, runErr)
	}
	out.Finals = finals.values
	job.CheckInto(res, out, r.now)
	return r.finishResult(res, nil)
}

// lastEnd is when a task's last span ended.
func lastEnd(tr workloads.TaskResult) int64 {
	var end int64
	for _, s := range tr.Spans {
		end = max(end, s.End)
	}
	return end
}

// deadlock returns the deadlock of a workers-mode run when every worker
// with a task in flight reports all its tasks blocked, or nil.
func (r *run) deadlock(lanes []*lane) *workloads.DeadlockError {
	var stuck []workloads.StuckTask
	var after int64 = -1
	busy := 0
	for _, ln := range lanes {
		if len(ln.inflight) == 0 {
			continue
		}
		busy++
		if len(ln.stuck) == 0 {
			return nil
		}
		stuck = append(stuck, ln.stuck...)
		if after < 0 || ln.after < after {
			after = ln.after
		}
	}
	if busy == 0 {
		return nil
	}
	slices.SortFunc(stuck, func(a, b workloads.StuckTask) int { return a.Task - b.Task })
	return &workloads.DeadlockError{Stuck: stuck, After: after}
}

type finals struct {
	values []uint64
	err    error
}

// wind ends a workers-mode run in its workers. After a failure, tasks in
// flight are cancelled (or, with kill, their workers terminated at once);
// a worker that does not answer within the grace goes too. Then every
// surviving worker that took part drops the run, and the run's finals
// are the lanes' last Final values.
func (r *run) wind(lanes []*lane, failed, kill bool, bad *[]*worker, results []workloads.TaskResult) finals {
	gone := map[*worker]bool{}
	for _, w := range *bad {
		gone[w] = true
	}
	inFlight := 0
	for _, ln := range lanes {
		if len(ln.inflight) == 0 || gone[ln.w] {
			continue
		}
		if kill {
			gone[ln.w] = true
			*bad = append(*bad, ln.w)
			continue
		}
		if err := ln.w.js.Post(&proto.Cancel{ID: r.id}, nil, nil); err != nil {
			gone[ln.w] = true
			*bad = append(*bad, ln.w)
			continue
		}
		inFlight += len(ln.inflight)
	}
	// Collect what the cancelled tasks did, for the timeline: each task in
	// flight answers, the queued ones at once with the context's error.
	deadline := time.Now().Add(r.grace())
	for inFlight > 0 {
		e, err := r.box.next(context.Background(), time.Until(deadline))
		if err != nil {
			break
		}
		var ln *lane
		for _, x := range lanes {
			if x.w == e.w {
				ln = x
			}
		}
		if ln == nil || gone[e.w] {
			continue
		}
		if e.w.failure(e) != nil {
			gone[e.w] = true
			*bad = append(*bad, e.w)
			inFlight -= len(ln.inflight)
			ln.inflight = nil
			continue
		}
		if b, ok := e.msg.Body.(*proto.TaskDone); ok && b.ID == r.id {
			for _, tr := range append([]workloads.TaskResult{b.Result}, b.More...) {
				if len(ln.inflight) == 0 || tr.Task != ln.inflight[0].task {
					break
				}
				results[tr.Task] = tr
				ln.inflight = ln.inflight[1:]
				inFlight--
			}
			if b.HasFinal {
				v := b.Final
				ln.final = &v
			}
		}
	}
	for _, ln := range lanes {
		if len(ln.inflight) > 0 && !gone[ln.w] {
			gone[ln.w] = true
			*bad = append(*bad, ln.w)
		}
	}
	// Finish the run in every surviving worker that took part; each
	// TaskDone carried its instance's Final, so there is nothing to wait
	// for.
	var out finals
	for _, ln := range lanes {
		if !ln.ran || gone[ln.w] {
			continue
		}
		if err := ln.w.js.Post(&proto.Finish{ID: r.id}, nil, nil); err != nil {
			gone[ln.w] = true
			*bad = append(*bad, ln.w)
			if !failed && out.err == nil {
				out.err = fmt.Errorf("worker %d: %w", ln.w.id, err)
			}
			continue
		}
		if ln.final != nil {
			out.values = append(out.values, *ln.final)
		}
	}
	return out
}

// copySpans draws the copying of a task's payloads between the page and
// its worker: the lesson of data-parallel work in the workers mode.
func copySpans(l int, tr workloads.TaskResult, sent, got int64, in, out int) []workloads.Span {
	if len(tr.Spans) == 0 {
		return nil
	}
	first, last := tr.Spans[0].Start, tr.Spans[0].End
	for _, s := range tr.Spans {
		first, last = min(first, s.Start), max(last, s.End)
	}
	var sp []workloads.Span
	if in > 0 && first > sent {
		sp = append(sp, workloads.Span{Lane: l, Task: tr.Task, Label: "copy input to worker: " + size(in), State: workloads.Waiting, Start: sent, End: first})
	}
	if out > 0 && got > last {
		sp = append(sp, workloads.Span{Lane: l, Task: tr.Task, Label: "copy output to page: " + size(out), State: workloads.Waiting, Start: last, End: got})
	}
	return sp
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
