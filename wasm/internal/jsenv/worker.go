//go:build js && wasm

package jsenv

import (
	"errors"
	"fmt"
	"sync"

	"conlab/wasm/internal/proto"

	"github.com/hack-pad/safejs"
)

// WorkerError is a failure of a Web Worker itself (its script did not
// load, an exception escaped it, a message could not be cloned), as
// opposed to a message it sent.
type WorkerError struct{ Msg string }

func (e *WorkerError) Error() string { return e.Msg }

// Worker is a Web Worker running worker.js. Its handler is called from
// JavaScript callbacks, once per message or failure, and must not block.
// Methods are safe for concurrent use.
type Worker struct {
	v         safejs.Value
	mu        sync.Mutex
	listeners []listener
	dead      bool
	host      *Spawner        // starts the children it asks for (host.go)
	children  map[int]*Worker // its children, by id
}

// listener is a function listening to an event of a JavaScript target.
type listener struct {
	event string
	fn    safejs.Func
}

// listen adds f as target's listener of event.
func listen(target safejs.Value, event string, f func(e safejs.Value)) (listener, error) {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			f(args[0])
		}
		return nil
	})
	if err != nil {
		return listener{}, err
	}
	if _, err := target.Call("addEventListener", event, fn); err != nil {
		fn.Release()
		return listener{}, err
	}
	return listener{event, fn}, nil
}

// unlisten removes target's listeners and releases their functions:
// removed listeners are never called again, so this may run inside one
// of them.
func unlisten(target safejs.Value, ls []listener) {
	for _, l := range ls {
		_, _ = target.Call("removeEventListener", l.event, l.fn)
		l.fn.Release()
	}
}

// listenMessages has handle receive the protocol messages target (a
// Worker, or a child's port) sends: decoded and validated, err wrapping
// proto.ErrRejected when one is malformed, and a *WorkerError naming from
// ("worker", "child") when one cannot be received. It returns the
// listeners it added, also those added before it failed.
func listenMessages(target safejs.Value, from string, handle func(m *Message, err error)) ([]listener, error) {
	msg, err := listen(target, "message", func(e safejs.Value) {
		data, err := e.Get("data")
		if err != nil {
			handle(nil, fmt.Errorf("%w: %v", proto.ErrRejected, err))
			return
		}
		handle(Read(data, proto.ToPage))
	})
	if err != nil {
		return nil, err
	}
	bad, err := listen(target, "messageerror", func(safejs.Value) {
		handle(nil, &WorkerError{Msg: "a message from the " + from + " could not be received (deserialization failed)"})
	})
	if err != nil {
		return []listener{msg}, err
	}
	return []listener{msg, bad}, nil
}

// StartWorker starts a Web Worker running script. handle receives every
// message the worker sends (decoded and validated: err wraps
// proto.ErrRejected when it is malformed) and every failure of the worker
// (err is a *WorkerError), but those about its children, which the
// Worker serves itself (see HostChildren).
func StartWorker(script string, handle func(m *Message, err error)) (*Worker, error) {
	ctor, err := Get(Global(), "Worker")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return nil, errors.New("this browser cannot start Web Workers")
	}
	w := &Worker{}
	if w.v, err = ctor.New(script); err != nil {
		return nil, fmt.Errorf("new Worker(%s): %w", script, err)
	}
	fail := func(error) { w.Terminate() }
	w.listeners, err = listenMessages(w.v, "worker", func(m *Message, err error) {
		if err == nil && w.serveChildren(m) {
			return
		}
		handle(m, err)
	})
	if err != nil {
		fail(err)
		return nil, err
	}
	l, err := listen(w.v, "error", func(e safejs.Value) {
		// The page handles it: keep it from also surfacing as an
		// uncaught error.
		_, _ = e.Call("preventDefault")
		msg := "the worker failed"
		if m, err := e.Get("message"); err == nil && m.Type() == safejs.TypeString {
			if s, _ := m.String(); s != "" {
				msg += ": " + s
			}
		} else {
			msg += " to load " + script
		}
		handle(nil, &WorkerError{Msg: msg})
	})
	if err != nil {
		fail(err)
		return nil, err
	}
	w.listeners = append(w.listeners, l)
	return w, nil
}

// Boot sends the boot message: the compiled module (undefined to have the
// worker compile its own) and the worker's identity and role.
func (w *Worker) Boot(module safejs.Value, b *proto.Boot) error {
	extra := map[string]safejs.Value{}
	if !module.IsUndefined() {
		extra["module"] = module
	}
	return w.Post(b, nil, extra)
}

// Post sends a message; see the package function Post.
func (w *Worker) Post(body proto.Body, data []byte, extra map[string]safejs.Value) error {
	w.mu.Lock()
	dead := w.dead
	w.mu.Unlock()
	if dead {
		return errors.New("the worker was terminated")
	}
	return Post(w.v, body, data, extra)
}

// PostValue posts an arbitrary value, as it is: tests use it to send what
// the protocol forbids.
func (w *Worker) PostValue(v any) error {
	_, err := w.v.Call("postMessage", v)
	return err
}

// Terminate stops the worker at once, whatever it is doing, with its
// children, and releases its callbacks. It is idempotent.
func (w *Worker) Terminate() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead {
		return
	}
	w.dead = true
	w.endChildren()
	if !w.v.IsUndefined() {
		_, _ = w.v.Call("terminate")
	}
	unlisten(w.v, w.listeners)
	w.listeners = nil
}

// Terminated reports whether Terminate was called.
func (w *Worker) Terminated() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dead
}
