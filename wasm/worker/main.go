//go:build js && wasm

// Command worker is worker.wasm: the Go program inside each Web Worker of
// the lab's pool. worker.js instantiates it with the module the page
// compiled and hands it the boot message; from then on it serves the
// protocol of package conlab/wasm/internal/proto: warm-ups, whole runs
// (sequential and cooperative), single tasks of workers-mode runs, and
// cancellation. In the child role it runs workloads.ChildMain instead and
// exits: a child program of the subprocess and spawn lessons.
//
// It holds no go-app and no net/http: fetching goes through the browser's
// fetch, which keeps the binary small.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"

	"github.com/hack-pad/safejs"
)

func main() {
	w, boot, err := start()
	if err != nil {
		post(safejs.Global(), &proto.Fatal{Error: err.Error()}, nil)
		os.Exit(1)
	}
	if boot.Role == proto.RoleChild {
		os.Exit(runChild(boot))
	}
	if err := w.listen(); err != nil {
		post(w.self, &proto.Fatal{Error: err.Error()}, nil)
		os.Exit(1)
	}
	select {} // serve messages until the page terminates the worker
}

// post sends a message, dropping it when it cannot be encoded (a bug that
// the page then sees as a missing answer: it waits for a run's answer
// until the run's deadline plus half a second, the pool's deadlineGrace).
func post(target safejs.Value, body proto.Body, data []byte) {
	if err := jsenv.Post(target, body, data, nil); err != nil {
		println("worker: cannot post:", err.Error())
	}
}

type worker struct {
	self    safejs.Value
	clock   jsenv.Clock
	boot    *proto.Boot
	spawner *jsenv.PageSpawner

	mu   sync.Mutex
	runs map[int64]*wrun
}

func start() (*worker, *proto.Boot, error) {
	self := safejs.Global()
	bv, err := jsenv.Get(self, "conlabBoot")
	if err != nil || bv.Type() != safejs.TypeObject {
		return nil, nil, fmt.Errorf("worker.wasm must be started by worker.js")
	}
	body, err := jsenv.Get(bv, "body")
	if err != nil {
		return nil, nil, err
	}
	text, err := body.String()
	if err != nil {
		return nil, nil, err
	}
	b, err := proto.Decode(proto.ToWorker, proto.Version, string(proto.KBoot), text)
	if err != nil {
		return nil, nil, err
	}
	boot := b.(*proto.Boot)
	clock, err := jsenv.NewClock()
	if err != nil {
		return nil, nil, err
	}
	w := &worker{self: self, clock: clock, boot: boot, runs: map[int64]*wrun{}, spawner: &jsenv.PageSpawner{Self: self}}
	return w, boot, nil
}

// listen registers the message handler and says ready.
func (w *worker) listen() error {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			w.receive(args[0])
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := w.self.Call("addEventListener", "message", fn); err != nil {
		return err
	}
	ready := &proto.Ready{Worker: w.boot.Worker, GoVersion: runtime.Version()}
	if bv, err := jsenv.Get(w.self, "conlabBoot"); err == nil {
		for name, dst := range map[string]*float64{
			"instantiate_ms": &ready.InstantiateMS, "compile_ms": &ready.CompileMS, "time_origin": &ready.TimeOriginMS,
			"script_ms": &ready.ScriptMS, "boot_ms": &ready.BootMS, "instantiated_ms": &ready.InstantiatedMS,
		} {
			if v, err := bv.Get(name); err == nil && v.Type() == safejs.TypeNumber {
				*dst, _ = v.Float()
			}
		}
	}
	if now, err := jsenv.Get(w.self, "performance"); err == nil {
		if v, err := now.Call("now"); err == nil {
			ready.GoStartMS, _ = v.Float()
		}
	}
	return jsenv.Post(w.self, ready, nil, nil)
}

// receive runs in the JavaScript callback: it validates and dispatches,
// and every handler that may block runs on its own goroutine.
func (w *worker) receive(e safejs.Value) {
	defer func() {
		if p := recover(); p != nil {
			post(w.self, &proto.Error{Error: fmt.Sprintf("worker: internal error handling a message: %v", p)}, nil)
		}
	}()
	data, err := e.Get("data")
	if err != nil {
		post(w.self, &proto.Error{Error: err.Error()}, nil)
		return
	}
	m, err := jsenv.Read(data, proto.ToWorker)
	if err != nil {
		post(w.self, &proto.Error{Error: "worker: " + err.Error()}, nil)
		return
	}
	switch b := m.Body.(type) {
	case *proto.Warm:
		w.goGuarded(b.ID, func() { w.warm(b) })
	case *proto.Run:
		w.goGuarded(b.ID, func() { w.run(b) })
	case *proto.Task:
		w.enqueue(b, m.Data, m.Shared)
	case *proto.Finish:
		w.finish(b)
	case *proto.Cancel:
		w.mu.Lock()
		if r := w.runs[b.ID]; r != nil {
			r.cancel()
		}
		w.mu.Unlock()
	case *proto.Ping:
		post(w.self, &proto.Pong{ID: b.ID}, nil)
	case *proto.Spawned, *proto.ChildFailed:
		w.spawner.Answer(m)
	case *proto.Boot:
		post(w.self, &proto.Error{Error: "worker: message rejected: this worker has already started"}, nil)
	default:
		post(w.self, &proto.Error{Error: fmt.Sprintf("worker: message rejected: a worker does not serve %s", m.Kind)}, nil)
	}
}

// goGuarded runs f on a goroutine, turning a panic into an error message
// for the request id so that the worker stays usable.
func (w *worker) goGuarded(id int64, f func()) {
	go func() {
		defer func() {
			if p := recover(); p != nil {
				post(w.self, &proto.Error{ID: id, Error: fmt.Sprintf("worker: internal error: %v", p)}, nil)
			}
		}()
		f()
	}()
}

func (w *worker) env(oneMemory bool, shared safejs.Value) *jsenv.Env {
	return &jsenv.Env{Clock: w.clock, Base: w.boot.Base, OneMemory: oneMemory, SharedBuf: shared, Spawner: w.spawner}
}
