package workloads

import (
	"context"
	"io"
	"sync"
)

// InProcess is the Spawner of last resort: the child runs ChildMain on a
// goroutine of this program, its stdout an io.Pipe. It costs almost
// nothing to start, shares this program's memory and CPU, and is labelled
// "in-process child" on the timeline so nobody mistakes it for a process.
var InProcess Spawner = inProcessSpawner{}

type inProcessSpawner struct{}

func (inProcessSpawner) Spawn(ctx context.Context, opt SpawnOptions) (Child, error) {
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	c := &inProcessChild{ctx: ctx, out: pr, done: make(chan struct{})}
	// A cancelled child's reader must end even if the child is between
	// writes: close the pipe from the parent's side.
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(io.EOF) })
	args := append([]string(nil), opt.Args...)
	go func() {
		defer close(c.done)
		defer cancel()
		defer stop()
		c.code = childMain(ctx, args, pw, &c.stderr)
		pw.Close()
	}()
	return c, nil
}

type inProcessChild struct {
	ctx    context.Context
	out    *io.PipeReader
	stderr tailBuffer
	done   chan struct{}
	code   int
}

func (c *inProcessChild) Name() string      { return "in-process child" }
func (c *inProcessChild) Stdout() io.Reader { return c.out }

func (c *inProcessChild) Wait() (Exit, error) {
	<-c.done
	c.out.Close()
	e := Exit{Code: c.code, Stderr: c.stderr.String()}
	if c.code == childKilled {
		return e, context.Cause(c.ctx)
	}
	return e, nil
}

// tailBuffer keeps the last MaxStderr bytes written to it. It is safe for
// concurrent use; the zero value is empty and ready.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - MaxStderr; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
