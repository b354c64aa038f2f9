package workloads

import "context"

// A browser holds back requests to one server beyond its connection limit
// (about six over HTTP/1.1): fetch() was called, but the request waits in
// the browser's queue before it goes on the wire. Drawn as one "fetch"
// span, twenty requests look in flight at once; split, the timeline shows
// the queue and never more than six on the wire.

// QueuedLabel labels the part of a fetch spent in the client's queue.
const QueuedLabel = "queued in the browser: waiting for one of its connections to the server (about 6)"

// FetchTimer is an Env whose fetches can tell when a request left the
// client's queue and went on the wire (in the browser, from the Resource
// Timing API).
type FetchTimer interface {
	// FetchTimed is Env.Fetch that also returns when the request went on
	// the wire, on the Env's clock (µs); 0 when the client cannot tell.
	FetchTimed(ctx context.Context, url string) (body []byte, wire int64, err error)
}

// FetchQueued is Fetch, with the wait split when the environment can tell:
// the time the request waited in the client's queue is a Blocked span
// (waiting for a connection another request holds), the time on the wire
// a Waiting one labelled "fetch url". Elsewhere it is Fetch.
func (t *T) FetchQueued(url string) (body []byte, err error) {
	ft, ok := t.r.env.(FetchTimer)
	if !ok || t.ctl != nil {
		return t.Fetch(url)
	}
	var wire int64
	err = t.during("fetch "+url, Waiting, func() error {
		body, wire, err = ft.FetchTimed(t.ctx, url)
		if err == nil && wire > 0 {
			t.splitQueue(wire - t.r.origin)
		}
		return err
	})
	return body, err
}

// splitQueue ends the span in progress at at, recorded as the client's
// queue, and goes on with the same span from at: the part before was not
// on the wire. A time outside the span changes nothing.
func (t *T) splitQueue(at int64) {
	if at <= t.start || at > t.now() {
		return
	}
	label, state := t.label, t.state
	t.label, t.state = QueuedLabel, Blocked
	t.close(at)
	t.label, t.state, t.start = label, state, at
}
