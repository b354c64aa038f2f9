//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// queued is a task waiting for its turn in this worker: a worker is one
// lane and runs one task at a time, but the page sends the next ones ahead
// so that the worker always has its next task in hand.
type queued struct {
	m      *proto.Task
	task   int
	data   []byte
	shared safejs.Value
}

// enqueue queues the tasks of a Task message (Task, then More) of a
// workers-mode run, in arrival order. The run's first task here starts
// the goroutine that runs them one after another.
func (w *worker) enqueue(m *proto.Task, data []byte, shared safejs.Value) {
	key := fmt.Sprint(m.Request.Workload, m.Request.Workers, m.Request.Params, m.OriginUS)
	r, fresh := w.register(m.ID, m.DeadlineUS)
	if fresh {
		r.key = key
		r.tasks = make(chan queued, proto.MaxInFlight)
		w.goGuarded(m.ID, func() { w.serve(m.ID, r, m, shared) })
	} else if r.key != key || r.tasks == nil {
		post(w.self, &proto.Error{ID: m.ID, Error: fmt.Sprintf("worker: task %d does not belong to run %d as this worker knows it", m.Task, m.ID)}, nil)
		return
	}
	if len(r.tasks)+1+len(m.More) > cap(r.tasks) {
		post(w.self, &proto.Error{ID: m.ID, Error: fmt.Sprintf("worker: more than %d tasks of run %d queued", proto.MaxInFlight, m.ID)}, nil)
		return
	}
	r.tasks <- queued{m, m.Task, data, shared}
	for _, t := range m.More {
		r.tasks <- queued{m, t, nil, shared}
	}
}

// serve makes this worker's instance for a workers-mode run and runs the
// run's tasks as they come, until the run is finished or cancelled (the
// tasks still queued then are answered, each with the context's error).
// Then it collects the run's garbage (collect).
func (w *worker) serve(id int64, r *wrun, first *proto.Task, shared safejs.Value) {
	job, err := workloads.Prepare(first.Request)
	if err != nil {
		w.drop(id)
		post(w.self, &proto.Error{ID: id, Error: err.Error()}, nil)
		return
	}
	if first.Shared == 0 {
		shared = safejs.Undefined()
	}
	r.sink = newSink(w, id, func() int64 { return 0 })
	r.runner = workloads.NewRunner(job, w.env(false, shared), first.OriginUS)
	r.runner.OnSpan = r.sink.add
	go w.watch(id, r, time.Duration(first.WatchdogMS)*time.Millisecond)
	b := &batch{w: w, id: id, r: r}
	for {
		select {
		case q := <-r.tasks:
			b.task(q)
		case <-r.ctx.Done():
			for {
				select {
				case q := <-r.tasks:
					b.task(q)
				default:
					b.flush()
					w.collect(id)
					return
				}
			}
		}
	}
}

// batch collects the answers of a run's short tasks in this worker, so
// that one message answers several: the page's time to read a message,
// and the worker's to write one, then weigh little against the tasks.
type batch struct {
	w       *worker
	id      int64
	r       *wrun
	results []workloads.TaskResult
	last    int64 // when the last answer was posted (clock, µs)
}

// answerEvery is the longest a finished task's answer waits for others to
// join it while the worker has more tasks in hand: short enough for the
// page's live progress and for it to hand out the next tasks in time.
const answerEvery = 50_000 // µs

// task runs one queued task and answers it, now or with the next ones.
func (b *batch) task(q queued) {
	w, r := b.w, b.r
	res := r.runner.RunTask(r.ctx, q.m.Lane, q.task, q.data)
	out := res.Data
	res.Data = nil
	res.Err = clip(res.Err)
	if out != nil || res.Err != "" {
		// Payloads and errors travel alone, the answers before them first.
		b.flush()
		done := &proto.TaskDone{ID: q.m.ID, Result: res}
		if res.Err != "" && errors.Is(r.ctx.Err(), context.DeadlineExceeded) {
			done.ErrKind = proto.ErrTimeout
		}
		done.Live, _, _ = r.sink.take()
		done.Final, done.HasFinal = r.runner.Final()
		post(w.self, done, out)
		b.last = w.clock.Now()
		return
	}
	b.results = append(b.results, res)
	// Answer now when nothing else is in hand (the page waits for it),
	// when answers have waited long enough, or when there are many.
	if len(r.tasks) == 0 || w.clock.Now()-b.last >= answerEvery || len(b.results) >= proto.MaxInFlight-1 {
		b.flush()
	}
}

// flush posts the answers collected.
func (b *batch) flush() {
	if len(b.results) == 0 {
		return
	}
	done := &proto.TaskDone{ID: b.id, Result: b.results[0], More: b.results[1:]}
	// The spans not yet sent for the live timeline ride along: one
	// message instead of two.
	done.Live, _, _ = b.r.sink.take()
	done.Final, done.HasFinal = b.r.runner.Final()
	post(b.w.self, done, nil)
	b.results = nil
	b.last = b.w.clock.Now()
}

// finish ends a workers-mode run here. It has no answer: the page has
// the instance's Final from the last TaskDone.
func (w *worker) finish(m *proto.Finish) { w.drop(m.ID) }

// watch is this worker's deadlock watchdog for a workers-mode run: it
// tells the page when every task running here has been blocked with no
// progress for the watchdog's patience, and when they move again. The
// page declares a deadlock when every worker of the run says so.
func (w *worker) watch(id int64, r *wrun, patience time.Duration) {
	tick := time.NewTicker(max(min(patience/4, 50*time.Millisecond), time.Millisecond))
	defer tick.Stop()
	last, since, reported := r.runner.Progress(), time.Now(), false
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-tick.C:
		}
		if p := r.runner.Progress(); p != last {
			last, since = p, time.Now()
			if reported {
				reported = false
				post(w.self, &proto.Stuck{ID: id}, nil)
			}
			continue
		}
		if reported || time.Since(since) < patience {
			continue
		}
		if st := r.runner.Stuck(); st != nil {
			reported = true
			for i := range st {
				st[i].Label = clip(st[i].Label)
			}
			post(w.self, &proto.Stuck{ID: id, Stuck: st, AfterMS: time.Since(since).Milliseconds()}, nil)
		}
	}
}
