//go:build js && wasm

package wasm

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// A worker rejects, with an error, every message that is not a valid
// message of the protocol's version, and stays usable.
func TestWorkerRejectsMalformedMessages(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	p.mu.Lock()
	w := p.workers[0]
	p.mu.Unlock()
	box := newMailbox()
	w.box.Store(box)
	defer w.box.Store(nil)
	ctx := testCtx(t, time.Minute)
	next := func() event {
		t.Helper()
		e, err := box.next(ctx, 10*time.Second)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		return e
	}
	for _, bad := range []any{
		42,
		"ping",
		map[string]any{"kind": "ping", "body": `{"id":1}`},
		map[string]any{"v": proto.Version + 1, "kind": "ping", "body": `{"id":1}`},
		map[string]any{"v": proto.Version, "kind": "fly", "body": `{}`},
		map[string]any{"v": proto.Version, "kind": "pong", "body": `{"id":1}`},
		map[string]any{"v": proto.Version, "kind": "ping", "body": `{"id":1,"admin":true}`},
		map[string]any{"v": proto.Version, "kind": "ping", "body": `{"id":0}`},
		map[string]any{"v": proto.Version, "kind": "task", "body": `{"id":1,"task":0`},
		map[string]any{"v": proto.Version, "kind": "ping"},
		map[string]any{"v": proto.Version, "kind": "ping", "body": `{"id":1}`, "data": "not bytes"},
		map[string]any{"v": proto.Version, "kind": "boot", "body": `{"worker":1,"base":"","role":"","args":null}`},
	} {
		if err := w.js.PostValue(bad); err != nil {
			t.Fatal(err)
		}
		e := next()
		b, ok := e.msg.Body.(*proto.Error)
		if e.err != nil || !ok || !strings.Contains(b.Error, "rejected") {
			t.Errorf("%v: answer %+v %v, want a rejection", bad, e.msg, e.err)
		}
	}
	// A valid task for a workload the worker does not know is refused too,
	// by the engine's validation, with the request's id.
	if err := w.js.Post(&proto.Task{ID: 77, Request: workloads.Request{Workload: "nope", Mode: workloads.Sequential}, OriginUS: 1, DeadlineUS: 1000, WatchdogMS: 100}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if b, ok := next().msg.Body.(*proto.Error); !ok || b.ID != 77 || !strings.Contains(b.Error, "unknown workload") {
		t.Errorf("unknown workload: %+v", b)
	}
	if err := w.js.Post(&proto.Ping{ID: 99}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if b, ok := next().msg.Body.(*proto.Pong); !ok || b.ID != 99 {
		t.Errorf("after the rejections the worker answers ping with %+v", b)
	}
	w.box.Store(nil)
	mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Cooperative, Workers: 2, Params: map[string]any{"count": 1000}})
}

// worker.js rejects anything before its boot message.
func TestBootstrapRejectsMessagesBeforeBoot(t *testing.T) {
	p := newPool(t, Config{Size: 1})
	got := make(chan string, 4)
	w, err := jsenv.StartWorker(p.script, func(m *jsenv.Message, err error) {
		switch {
		case err != nil:
			got <- "error: " + err.Error()
		case m.Kind == proto.KError:
			got <- m.Body.(*proto.Error).Error
		default:
			got <- string(m.Kind)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Terminate()
	if err := w.Post(&proto.Ping{ID: 1}, nil, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if !strings.Contains(s, "has not started") {
			t.Errorf("answer %q, want a rejection", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
	}
}

// A worker that sends what the page cannot accept fails the run and is
// replaced: the page trusts nothing a worker says.
func TestPageRejectsMalformedAnswers(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	p.mu.Lock()
	w := p.workers[0]
	p.mu.Unlock()
	box := newMailbox()
	w.box.Store(box)
	// The worker's own global scope cannot be reached from the page, so
	// play the worker's part on the page: a malformed answer arriving in
	// its mailbox the way the message listener would deliver it.
	_, err := jsenv.Read(mustEval(t, `({v: `+strconv.Itoa(proto.Version)+`, kind: "taskdone", body: '{"id":1,"result":{"task":0,"lane":99}}'})`), proto.ToPage)
	if err == nil {
		t.Fatal("a task result on lane 99 was accepted")
	}
	w.dead.Store(true)
	box.put(event{w: w, err: err})
	r := &run{p: p, job: mustPrepare(t, workloads.Request{Workload: "countdown", Mode: Cooperative}), mode: Cooperative, ws: []*worker{w}, box: box, progress: func(Progress) {}}
	r.id, r.origin = p.newID(), p.clock.Now()
	res, rerr := r.inWorker(testCtx(t, time.Minute))
	if rerr == nil || !strings.Contains(rerr.Error(), "malformed") || res.Error == "" {
		t.Errorf("run with a malformed answer: %v", rerr)
	}
	if !waitFor(30*time.Second, func() bool { s := p.Stats(); return s.Alive == 1 && s.Warm == 1 }) {
		t.Fatalf("the worker was not replaced: %+v", p.Stats())
	}
	p.mu.Lock()
	replaced := p.workers[0] != w
	p.mu.Unlock()
	if !replaced {
		t.Error("the worker that sent a malformed answer is still in the pool")
	}
	mustRun(t, p, workloads.Request{Workload: "countdown", Mode: Cooperative, Params: map[string]any{"count": 1000}})
}

// Children of the subprocess and spawn lessons are Web Workers, sharing
// the page's compiled module or compiling their own.
func TestChildrenAreWebWorkers(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	for _, id := range []string{"subprocess", "spawn"} {
		if _, err := workloads.Lookup(id); err != nil {
			t.Skipf("no %s workload", id)
		}
	}
	for _, m := range []workloads.Mode{Cooperative, Main, Workers} {
		req := workloads.Request{Workload: "subprocess", Mode: m, Workers: 2, Params: map[string]any{"children": 2, "lines": 3, "every": 1, "fail": 1, "exit": 3}}
		res, err := p.Run(testCtx(t, 2*time.Minute), req, nil)
		if err != nil {
			t.Fatalf("%s: subprocess: %v", m, err)
		}
		// The failing child fails the run: its code and stderr are in the note.
		if res.Check.OK || !strings.Contains(res.Check.Note, "child 1 exited with code 3") ||
			!strings.Contains(res.Check.Note, "failing on purpose") || strings.Contains(res.Check.Note, "in-process") {
			t.Errorf("%s: subprocess: %+v", m, res.Check)
		}
		web := false
		for _, s := range res.Spans {
			web = web || strings.Contains(s.Label, "Web Worker")
		}
		if !web {
			t.Errorf("%s: no Web Worker on the timeline", m)
		}
	}
	for _, compile := range []string{"once", "each"} {
		res := mustRun(t, p, workloads.Request{Workload: "spawn", Mode: Cooperative, Workers: 4, Params: map[string]any{"children": 4, "compile": compile, "work": 100000}})
		if !strings.Contains(res.Check.Note, "per process") {
			t.Errorf("compile %s: %+v", compile, res.Check)
		}
		t.Logf("compile %s: %s", compile, res.Check.Note)
	}
	// The workers-mode run grew the pool to 2; every child is gone.
	if !waitFor(15*time.Second, func() bool { return liveWorkers(t) == p.Stats().Alive }) {
		t.Errorf("children left alive: %v, pool %+v", lastCensus, p.Stats())
	}
}

func mustEval(t *testing.T, src string) safejs.Value {
	t.Helper()
	fn, err := jsenv.Get(jsenv.Global(), "Function")
	if err != nil {
		t.Fatal(err)
	}
	f, err := fn.New("return (" + src + ");")
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Invoke()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustPrepare(t *testing.T, req workloads.Request) *workloads.Job {
	t.Helper()
	job, err := Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	return job
}
