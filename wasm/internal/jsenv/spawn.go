//go:build js && wasm

package jsenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// Spawner starts child programs (workloads.ChildMain) as Web Workers
// running worker.js in the child role: the browser's processes. A nil
// Spawner, or one without a Script, cannot start any (ErrNoSpawn).
type Spawner struct {
	// Script is the URL of worker.js.
	Script string
	// Base is the URL relative fetches resolve against.
	Base string
	// Module returns the compiled worker module to share with a child.
	Module func(ctx context.Context) (safejs.Value, error)
}

var childIDs atomic.Int64

// Spawn implements workloads.Spawner. A Fresh child compiles worker.wasm
// itself instead of instantiating the shared module.
func (s *Spawner) Spawn(ctx context.Context, opt workloads.SpawnOptions) (workloads.Child, error) {
	if s == nil || s.Script == "" {
		return nil, workloads.ErrNoSpawn
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	module := safejs.Undefined()
	if !opt.Fresh {
		if s.Module == nil {
			return nil, fmt.Errorf("%w: no compiled module to share", workloads.ErrNoSpawn)
		}
		m, err := s.Module(ctx)
		if err != nil {
			return nil, fmt.Errorf("spawn: %w", err)
		}
		module = m
	}
	c := &child{done: make(chan struct{})}
	c.out.ready = make(chan struct{}, 1)
	w, err := StartWorker(s.Script, c.handle)
	if err != nil {
		return nil, fmt.Errorf("spawn: %w", err)
	}
	c.w = w
	boot := &proto.Boot{Worker: int(childIDs.Add(1)), Base: s.Base, Role: proto.RoleChild, Args: append([]string{}, opt.Args...)}
	if err := w.Boot(module, boot); err != nil {
		w.Terminate()
		return nil, fmt.Errorf("spawn: %w", err)
	}
	c.stop = context.AfterFunc(ctx, func() { c.finish(-1, context.Cause(ctx)) })
	return c, nil
}

// child is a running child worker. Its output arrives in JavaScript
// callbacks, which only append to buffers and never block.
type child struct {
	w    *Worker
	stop func() bool
	out  pipe

	mu     sync.Mutex
	stderr []byte
	code   int
	err    error
	done   chan struct{}
	ended  bool
}

func (c *child) Name() string      { return "Web Worker" }
func (c *child) Stdout() io.Reader { return &c.out }

func (c *child) Wait() (workloads.Exit, error) {
	<-c.done
	if c.stop != nil {
		c.stop()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return workloads.Exit{Code: c.code, Stderr: string(c.stderr)}, c.err
}

func (c *child) handle(m *Message, err error) {
	if err != nil {
		var we *WorkerError
		if errors.As(err, &we) {
			c.finish(-1, fmt.Errorf("the child worker failed: %w", err))
		} else {
			c.finish(-1, fmt.Errorf("the child worker sent a bad message: %w", err))
		}
		return
	}
	switch b := m.Body.(type) {
	case *proto.Output:
		if b.Stream == "stdout" {
			c.out.write(m.Data)
			return
		}
		c.mu.Lock()
		c.stderr = append(c.stderr, m.Data...)
		if over := len(c.stderr) - workloads.MaxStderr; over > 0 {
			c.stderr = append(c.stderr[:0], c.stderr[over:]...)
		}
		c.mu.Unlock()
	case *proto.Exit:
		c.finish(b.Code, nil)
	case *proto.Fatal:
		c.finish(-1, errors.New("the child worker could not start: "+b.Error))
	default:
		c.finish(-1, fmt.Errorf("the child worker sent an unexpected %s message", m.Kind))
	}
}

// finish records how the child ended, once, and ends its output.
func (c *child) finish(code int, err error) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended, c.code, c.err = true, code, err
	c.mu.Unlock()
	c.w.Terminate()
	c.out.close()
	close(c.done)
}

// pipe is an unbounded byte pipe: writes never block (they come from
// JavaScript callbacks), reads block until data or the end. One reader.
type pipe struct {
	mu     sync.Mutex
	buf    []byte
	closed bool
	ready  chan struct{} // capacity 1: a write or close happened
}

func (p *pipe) write(b []byte) {
	p.mu.Lock()
	p.buf = append(p.buf, b...)
	p.mu.Unlock()
	p.notify()
}

func (p *pipe) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.notify()
}

func (p *pipe) notify() {
	select {
	case p.ready <- struct{}{}:
	default:
	}
}

// Read implements io.Reader.
func (p *pipe) Read(b []byte) (int, error) {
	for {
		p.mu.Lock()
		if len(p.buf) > 0 {
			n := copy(b, p.buf)
			p.buf = p.buf[n:]
			p.mu.Unlock()
			return n, nil
		}
		if p.closed {
			p.mu.Unlock()
			return 0, io.EOF
		}
		p.mu.Unlock()
		<-p.ready
	}
}
