//go:build js && wasm

package wasm

import (
	"context"
	"strings"
	"testing"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"
)

// The page starts every child and ends it with its run: cancelling a run
// whose children are running ends their Web Workers too.
func TestCancelEndsChildren(t *testing.T) {
	p := warmPool(t, Config{Size: 2})
	liveWorkers(t) // skips where the runner cannot count workers
	for _, m := range []workloads.Mode{Cooperative, Workers} {
		ctx, cancel := context.WithCancel(testCtx(t, 2*time.Minute))
		req := workloads.Request{Workload: "subprocess", Mode: m, Workers: 2, Params: map[string]any{"children": 2, "lines": 1000, "every": 1000}}
		done := make(chan error, 1)
		go func() {
			_, err := p.Run(ctx, req, nil)
			done <- err
		}()
		if !waitFor(time.Minute, func() bool { return liveWorkers(t) >= p.Stats().Alive+2 }) {
			t.Errorf("%s: the children did not start: %v", m, lastCensus)
		}
		cancel()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: a cancelled run ended without an error", m)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: the cancelled run did not end", m)
		}
		if !waitFor(15*time.Second, func() bool { return liveWorkers(t) == p.Stats().Alive }) {
			t.Errorf("%s: children left alive after the cancel: %v, pool %+v", m, lastCensus, p.Stats())
		}
	}
}

// A worker whose page starts no children for it (here: a worker started
// without a pool) says so in the run's error, at once, instead of waiting
// for a child.
func TestWorkerWithoutHostCannotSpawn(t *testing.T) {
	p := newPool(t, Config{Size: 1})
	ctx := testCtx(t, time.Minute)
	module, err := p.compiled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	box := newMailbox()
	w, err := jsenv.StartWorker(p.script, func(m *jsenv.Message, err error) { box.put(event{msg: m, err: err}) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Terminate()
	next := func(want proto.Kind) *jsenv.Message {
		t.Helper()
		for {
			e, err := box.next(ctx, 30*time.Second)
			if err != nil {
				t.Fatalf("waiting for %s: %v", want, err)
			}
			if e.err != nil {
				t.Fatalf("waiting for %s: %v", want, e.err)
			}
			if e.msg.Kind == want {
				return e.msg
			}
		}
	}
	if err := w.Boot(module, &proto.Boot{Worker: 1, Base: p.base, Role: proto.RolePool}); err != nil {
		t.Fatal(err)
	}
	next(proto.KReady)
	req := workloads.Request{Workload: "subprocess", Mode: workloads.Sequential, Params: map[string]any{"children": 1, "lines": 1, "every": 0}}
	if err := w.Post(&proto.Run{ID: 1, Request: req, OriginUS: p.clock.Now(), WatchdogMS: 5000}, nil, nil); err != nil {
		t.Fatal(err)
	}
	res := next(proto.KResult).Body.(*proto.Result)
	if !strings.Contains(res.Result.Error, "does not start child programs for its workers") {
		t.Errorf("the run's error is %q, want the page's refusal", res.Result.Error)
	}
}
