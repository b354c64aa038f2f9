//go:build js && wasm

package jsenv

import (
	"context"
	"fmt"
	"time"

	"conlab/wasm/internal/proto"

	"github.com/hack-pad/safejs"
)

// The page's side of a worker's children: a worker asks the page for a
// child (proto.Spawn), the page starts it and hands the worker its end of
// the channel to it (proto.Spawned), and ends it when the worker is done
// with it (proto.Reap) or when the worker itself is terminated.

// MaxChildren bounds the children one worker has at once.
const MaxChildren = 64

// HostChildren has the page start, with s, the children the worker asks
// for. A worker that hosts none is told so when it asks.
func (w *Worker) HostChildren(s *Spawner) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.host = s
}

// serveChildren serves m when it is about the worker's children,
// reporting whether it was. It is called from the worker's message
// listener and does not block.
func (w *Worker) serveChildren(m *Message) bool {
	switch b := m.Body.(type) {
	case *proto.Spawn:
		go w.spawnFor(b)
	case *proto.Reap:
		w.mu.Lock()
		c := w.children[b.Child]
		delete(w.children, b.Child)
		w.mu.Unlock()
		if c != nil {
			c.Terminate()
		}
	default:
		return false
	}
	return true
}

// spawnFor starts the child req asks for and answers the worker.
func (w *Worker) spawnFor(req *proto.Spawn) {
	refuse := func(why string) {
		_ = w.Post(&proto.Spawned{ID: req.ID, Error: why}, nil, nil)
	}
	w.mu.Lock()
	host, n := w.host, len(w.children)
	w.mu.Unlock()
	switch {
	case host == nil || host.Script == "":
		refuse("this page does not start child programs for its workers (only conlab's worker pool does)")
		return
	case n >= MaxChildren:
		refuse(fmt.Sprintf("the worker already has %d children, the most it may have at once", MaxChildren))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), SpawnAnswerLimit)
	defer cancel()
	module, err := host.module(ctx, req.Fresh)
	if err != nil {
		refuse(err.Error())
		return
	}
	id := newChildID()
	c, port, err := host.start(id, module, req.Args, func(err error) {
		_ = w.Post(&proto.ChildFailed{Child: id, Error: err.Error()}, nil, nil)
	})
	if err != nil {
		refuse(err.Error())
		return
	}
	w.mu.Lock()
	dead := w.dead
	if !dead {
		if w.children == nil {
			w.children = map[int]*Worker{}
		}
		w.children[id] = c
	}
	w.mu.Unlock()
	if dead {
		c.Terminate()
		return
	}
	if err := w.Post(&proto.Spawned{ID: req.ID, Child: id}, nil, map[string]safejs.Value{"port": port}); err != nil {
		w.mu.Lock()
		delete(w.children, id)
		w.mu.Unlock()
		c.Terminate()
	}
}

// SpawnAnswerLimit bounds how long a worker waits for the page's answer
// to its Spawn, and how long the page takes to give it.
const SpawnAnswerLimit = 15 * time.Second

// endChildren terminates the worker's children. w.mu is held.
func (w *Worker) endChildren() {
	for _, c := range w.children {
		c.Terminate()
	}
	w.children = nil
}
