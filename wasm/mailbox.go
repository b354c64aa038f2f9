//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
)

// event is something a worker sent, or a failure of it.
type event struct {
	w   *worker
	msg *jsenv.Message
	err error
}

// mailbox queues events without bound: worker messages arrive in
// JavaScript callbacks, which must never block.
type mailbox struct {
	mu    sync.Mutex
	q     []event
	ready chan struct{}
}

func newMailbox() *mailbox { return &mailbox{ready: make(chan struct{}, 1)} }

func (b *mailbox) put(e event) {
	b.mu.Lock()
	b.q = append(b.q, e)
	b.mu.Unlock()
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// errSilent is the error of a next that timed out.
var errSilent = errors.New("no answer in time")

// next returns the next event, waiting until ctx is done or, if timeout
// is positive, for that long.
func (b *mailbox) next(ctx context.Context, timeout time.Duration) (event, error) {
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	for {
		b.mu.Lock()
		if len(b.q) > 0 {
			e := b.q[0]
			b.q[0] = event{}
			b.q = b.q[1:]
			b.mu.Unlock()
			return e, nil
		}
		b.mu.Unlock()
		select {
		case <-b.ready:
		case <-ctx.Done():
			return event{}, ctx.Err()
		case <-timer:
			return event{}, errSilent
		}
	}
}

// failure turns a worker's failure event into an error naming it.
func (w *worker) failure(e event) error {
	if e.err != nil {
		if errors.Is(e.err, proto.ErrRejected) {
			return fmt.Errorf("worker %d sent a malformed message: %w", w.id, e.err)
		}
		return fmt.Errorf("worker %d: %w", w.id, e.err)
	}
	switch b := e.msg.Body.(type) {
	case *proto.Exit:
		msg := fmt.Sprintf("worker %d stopped (its Go program exited with code %d)", w.id, b.Code)
		if out := strings.TrimSpace(b.Output); out != "" {
			msg += ": " + crashReason(out)
		}
		return errors.New(msg)
	case *proto.Fatal:
		return fmt.Errorf("worker %d: %s", w.id, b.Error)
	}
	return nil
}

// crashReason picks what a crashed Go program said about why: its fatal
// error or panic line, or else its last lines.
func crashReason(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "fatal error: ") || strings.HasPrefix(line, "panic: ") {
			return line
		}
	}
	return lastLines(out, 6)
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
