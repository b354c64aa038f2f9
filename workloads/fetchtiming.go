package workloads

import (
	"context"
	"time"
)

// A browser holds back requests to one server beyond its connection limit
// (about six over HTTP/1.1): fetch() was called, but the request waits in
// the browser's queue before it goes on the wire. Drawn as one "fetch"
// span, twenty requests look in flight at once; split, the timeline shows
// the queue and never more than six on the wire.

// QueuedLabel labels the part of a fetch spent in the client's queue;
// ResumeLabel the part after the response arrived, before the task ran
// again (on one thread, until the goroutine holding it yields).
const (
	QueuedLabel = "queued in the browser: waiting for one of its connections to the server (about 6)"
	ResumeLabel = "response in: waiting to run again"
)

// FetchTiming is when a request's phases happened, on the Env's clock
// (µs); 0 where the client cannot tell.
type FetchTiming struct {
	Request  int64 // the request was sent
	Response int64 // the response's first byte arrived
	End      int64 // its last byte arrived
}

// FetchTimer is an Env whose fetches can say when their phases happened
// (in the browser, from the Resource Timing API).
type FetchTimer interface {
	// FetchTimed is Env.Fetch that also returns the request's timing.
	FetchTimed(ctx context.Context, url string) (body []byte, timing FetchTiming, err error)
}

// FetchQueued is Fetch, with the wait split when the environment can
// tell: the time the request waited in the client's queue is a Blocked
// span (waiting for a connection another request holds); the time on the
// wire a Waiting span labelled "fetch url"; the time from the response's
// end until the task ran again a Blocked span. serverWait is how long the
// server is known to hold the request before it answers (0: none): a
// browser that does not report its queue in the request's timing
// (Chromium reports requests sent at once, though it holds them) still
// shows it, since the request cannot have reached the server later than
// serverWait before the answer began. Elsewhere it is Fetch.
func (t *T) FetchQueued(url string, serverWait time.Duration) (body []byte, err error) {
	ft, ok := t.r.env.(FetchTimer)
	if !ok || t.ctl != nil {
		return t.Fetch(url)
	}
	err = t.during("fetch "+url, Waiting, func() error {
		var tm FetchTiming
		body, tm, err = ft.FetchTimed(t.ctx, url)
		if err != nil {
			return err
		}
		wire := tm.Request
		if w := serverWait.Microseconds(); w > 0 && tm.Response > w {
			wire = max(wire, tm.Response-w)
		}
		if wire > 0 {
			t.splitAt(wire-t.r.origin, QueuedLabel, Blocked, false)
		}
		if tm.End > 0 {
			t.splitAt(tm.End-t.r.origin, ResumeLabel, Blocked, true)
		}
		return nil
	})
	return body, err
}

// splitAt splits the span in progress at at: the part before gets label
// and state (before) or keeps its own, and the part after keeps its own
// or gets label and state (after). A time outside the span changes
// nothing, nor does a split under a millisecond from either end.
func (t *T) splitAt(at int64, label string, s State, after bool) {
	now := t.now()
	if at-t.start < 1000 || now-at < 1000 {
		return
	}
	own, ownState := t.label, t.state
	if !after {
		t.label, t.state = label, s
	}
	t.close(at)
	t.start = at
	if after {
		t.label, t.state = label, s
	} else {
		t.label, t.state = own, ownState
	}
}
