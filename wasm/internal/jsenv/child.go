//go:build js && wasm

package jsenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// child is the parent's end of a running child program: the port of the
// MessageChannel the child posts its output and exit to. Its messages
// arrive in JavaScript callbacks, which only append to buffers and never
// block. The page holds the child's Web Worker; reap asks it to end it.
type child struct {
	port      safejs.Value
	listeners []listener
	reap      func()
	stop      func() bool
	out       pipe
	mu        sync.Mutex
	err       error
	code      int
	done      chan struct{}
	ended     bool

	stderr []byte
}

// linkChild listens on port, the parent's end of a new child's channel.
// Cancelling ctx kills the child; reap is called once, when the child has
// ended in any way, to end its Web Worker.
func linkChild(ctx context.Context, port safejs.Value, reap func()) (*child, error) {
	c := &child{port: port, reap: reap, done: make(chan struct{})}
	c.out.ready = make(chan struct{}, 1)
	var err error
	c.listeners, err = listenMessages(port, "child", c.handle)
	if err == nil {
		// A port listened to with addEventListener delivers nothing
		// until it is started.
		_, err = port.Call("start")
	}
	if err != nil {
		c.finish(-1, err)
		return nil, fmt.Errorf("spawn: listening to the child: %w", err)
	}
	c.stop = context.AfterFunc(ctx, func() { c.finish(-1, context.Cause(ctx)) })
	return c, nil
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

// failed ends the child with a failure of its Web Worker, which the page
// saw.
func (c *child) failed(err error) {
	c.finish(-1, fmt.Errorf("the child worker failed: %w", err))
}

func (c *child) handle(m *Message, err error) {
	if err != nil {
		var we *WorkerError
		if errors.As(err, &we) {
			c.failed(err)
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

// finish records how the child ended, once, ends its output, stops
// listening and has its Web Worker ended.
func (c *child) finish(code int, err error) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended, c.code, c.err = true, code, err
	c.mu.Unlock()
	unlisten(c.port, c.listeners)
	c.listeners = nil
	_, _ = c.port.Call("close")
	c.reap()
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
