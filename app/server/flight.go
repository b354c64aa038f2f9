//go:build !wasm

package server

import (
	"bytes"
	"context"
	"strconv"
	"sync"
)

// outcome is a finished API answer: status and JSON body.
type outcome struct {
	status int
	body   []byte
	err    *apiError // set instead of body for errors
	// log, if set, writes the run's log line once the number of requests
	// that received the answer is known.
	log func(shared int)
}

// flights merges identical requests that are in flight at the same moment
// into one run (the pattern of x/sync/singleflight, with a count of the
// requests waiting). Nothing outlives the run: the answer goes to the
// requests waiting when it ends, and the next identical request starts a
// run of its own. The zero value is not usable: see newFlights.
type flights struct {
	mu    sync.Mutex
	calls map[string]*flight
}

type flight struct {
	done    chan struct{}
	val     outcome
	waiters int // requests waiting for the answer
	shared  int // requests the answer went to, set when it is ready
	cancel  context.CancelFunc
}

func newFlights() *flights { return &flights{calls: map[string]*flight{}} }

// do joins the run in flight for key, or starts fn for it in a context
// derived from base. fn runs on its own goroutine, detached from any one
// caller: a caller whose ctx is done leaves without stopping it for the
// others, and the run is cancelled when the last caller has left. do
// returns the answer and how many callers received it (1 when the run was
// this caller's alone), or ctx's error when the caller left first.
func (f *flights) do(ctx, base context.Context, key string, fn func(context.Context) outcome) (outcome, int, error) {
	f.mu.Lock()
	c, ok := f.calls[key]
	if ok {
		c.waiters++
	} else {
		rctx, cancel := context.WithCancel(base)
		c = &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
		f.calls[key] = c
		go f.run(key, c, rctx, fn)
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.val, c.shared, nil
	case <-ctx.Done():
		f.mu.Lock()
		defer f.mu.Unlock()
		select {
		case <-c.done:
			// The answer came as we left: take it.
			return c.val, c.shared, nil
		default:
		}
		c.waiters--
		if c.waiters == 0 {
			// Nobody is left to read the answer: stop the run, and let
			// the next identical request start its own.
			if f.calls[key] == c {
				delete(f.calls, key)
			}
			c.cancel()
		}
		return outcome{}, 0, ctx.Err()
	}
}

func (f *flights) run(key string, c *flight, ctx context.Context, fn func(context.Context) outcome) {
	defer c.cancel()
	defer func() {
		// A panic here would take the server down with every caller
		// waiting: answer them with the error instead.
		if p := recover(); p != nil {
			c.val = outcome{status: 500, err: errorf(500, "", "internal error: %v", p)}
			f.finish(key, c)
			close(c.done)
		}
	}()
	c.val = fn(ctx)
	f.finish(key, c)
	// The run's log line, with how many received it, is written before
	// anyone has the answer.
	if c.val.log != nil {
		c.val.log(c.shared)
	}
	close(c.done)
}

// finish takes the run out of flight: requests arriving from now on start
// a run of their own, and the count of those that receive this one is final.
func (f *flights) finish(key string, c *flight) {
	f.mu.Lock()
	if f.calls[key] == c {
		delete(f.calls, key)
	}
	c.shared = c.waiters
	f.mu.Unlock()
}

// len returns the number of runs in flight.
func (f *flights) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// markShared returns a run's JSON result with "shared": n added, for an
// answer that n requests received; other bodies are returned unchanged.
// The result is the child's own JSON (an object): the field is spliced in
// before its closing brace so every other byte stays as the run wrote it.
func markShared(body []byte, n int) []byte {
	b := bytes.TrimRight(body, " \t\r\n")
	if n < 2 || len(b) < 2 || b[len(b)-1] != '}' {
		return body
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:len(b)-1]...)
	if len(bytes.TrimSpace(b[1:len(b)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"shared":`...)
	out = strconv.AppendInt(out, int64(n), 10)
	return append(out, '}')
}
