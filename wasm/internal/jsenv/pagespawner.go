//go:build js && wasm

package jsenv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// PageSpawner starts child programs for a worker by asking the page,
// which starts each child's Web Worker and links it to this worker with a
// MessageChannel (proto.Spawn): the child's output then comes to this
// worker directly. A worker never constructs a Worker itself: Firefox
// blocks the constructing worker's thread inside the constructor until
// its main thread has answered, and with it the worker's only Go thread.
// The worker's message listener hands the page's answers to Answer.
type PageSpawner struct {
	// Self is the worker's global scope, which posts to the page.
	Self safejs.Value

	mu       sync.Mutex
	next     int64
	asked    map[int64]chan *Message // by Spawn id, until answered
	children map[int]*child          // by child id, until reaped
}

// Spawn implements workloads.Spawner. It waits for the page's answer at
// most SpawnAnswerLimit: a page that runs no conlab worker pool answers
// nothing, and that is an error, not a hang.
func (s *PageSpawner) Spawn(ctx context.Context, opt workloads.SpawnOptions) (workloads.Child, error) {
	if s == nil {
		return nil, workloads.ErrNoSpawn
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ch := make(chan *Message, 1)
	s.mu.Lock()
	if s.asked == nil {
		s.asked, s.children = map[int64]chan *Message{}, map[int]*child{}
	}
	s.next++
	id := s.next
	s.asked[id] = ch
	s.mu.Unlock()
	if err := Post(s.Self, &proto.Spawn{ID: id, Args: opt.Args, Fresh: opt.Fresh}, nil, nil); err != nil {
		s.forget(id)
		return nil, fmt.Errorf("spawn: asking the page for a child: %w", err)
	}
	timer := time.NewTimer(SpawnAnswerLimit)
	defer timer.Stop()
	var m *Message
	select {
	case m = <-ch:
	case <-ctx.Done():
		s.forget(id)
		return nil, ctx.Err()
	case <-timer.C:
		s.forget(id)
		return nil, fmt.Errorf("spawn: the page did not answer this worker's request for a child within %v: "+
			"the page starts every child, and only a page running conlab's worker pool does", SpawnAnswerLimit)
	}
	b := m.Body.(*proto.Spawned)
	if b.Error != "" {
		return nil, errors.New("spawn: the page could not start the child: " + b.Error)
	}
	c, err := linkChild(ctx, m.Port, func() { s.reap(b.Child) })
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.children[b.Child] = c
	s.mu.Unlock()
	return c, nil
}

// Answer takes a message of the page about this worker's children
// (Spawned, ChildFailed), reporting whether it was one. It is called from
// the worker's message listener and does not block.
func (s *PageSpawner) Answer(m *Message) bool {
	switch b := m.Body.(type) {
	case *proto.Spawned:
		s.mu.Lock()
		ch := s.asked[b.ID]
		delete(s.asked, b.ID)
		s.mu.Unlock()
		switch {
		case ch != nil && b.Error == "" && m.Port.IsUndefined():
			child := b.Child
			b.Child, b.Error = 0, "its answer carried no port to the child"
			s.reap(child)
			ch <- m
		case ch != nil:
			ch <- m
		case b.Error == "":
			// The child came after Spawn gave up on it.
			closePort(m.Port)
			s.reap(b.Child)
		}
	case *proto.ChildFailed:
		s.mu.Lock()
		c := s.children[b.Child]
		s.mu.Unlock()
		if c != nil {
			c.failed(errors.New(b.Error))
		}
	default:
		return false
	}
	return true
}

// forget drops the Spawn id waits for, and refuses its answer if it came
// meanwhile.
func (s *PageSpawner) forget(id int64) {
	s.mu.Lock()
	ch := s.asked[id]
	delete(s.asked, id)
	s.mu.Unlock()
	select {
	case m := <-ch:
		if b := m.Body.(*proto.Spawned); b.Error == "" {
			closePort(m.Port)
			s.reap(b.Child)
		}
	default:
	}
}

// reap forgets child id and asks the page to end it.
func (s *PageSpawner) reap(id int) {
	s.mu.Lock()
	delete(s.children, id)
	s.mu.Unlock()
	if id > 0 {
		if err := Post(s.Self, &proto.Reap{Child: id}, nil, nil); err != nil {
			println("worker: cannot ask the page to end child", id, ":", err.Error())
		}
	}
}

// closePort closes a MessagePort, if it is one.
func closePort(p safejs.Value) {
	if isPort(p) {
		_, _ = p.Call("close")
	}
}
