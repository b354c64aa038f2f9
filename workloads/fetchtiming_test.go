package workloads

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// queueEnv is a client with conns connections to one server, as a browser
// has about six: a request beyond them waits for one in the client's
// queue, then spends onWire on the wire. It says when each went on the
// wire, as the Resource Timing API does.
type queueEnv struct {
	conns     chan struct{}
	onWire    time.Duration
	t0        time.Time
	hideQueue bool
}

func newQueueEnv(conns int, onWire time.Duration) *queueEnv {
	return &queueEnv{conns: make(chan struct{}, conns), onWire: onWire, t0: time.Now()}
}

func (e *queueEnv) Now() int64 { return time.Since(e.t0).Microseconds() }

func (e *queueEnv) Shared(int) Shared { return nil }

func (e *queueEnv) Fetch(ctx context.Context, raw string) ([]byte, error) {
	b, _, err := e.FetchTimed(ctx, raw)
	return b, err
}

// FetchTimed reports the request as sent when it got a connection (as
// Firefox does), or, with hideQueue, at once (as Chromium does).
func (e *queueEnv) FetchTimed(ctx context.Context, raw string) ([]byte, FetchTiming, error) {
	called := e.Now()
	select {
	case e.conns <- struct{}{}:
	case <-ctx.Done():
		return nil, FetchTiming{}, ctx.Err()
	}
	defer func() { <-e.conns }()
	var tm FetchTiming
	tm.Request = e.Now()
	if e.hideQueue {
		tm.Request = called
	}
	if err := sleep(ctx, e.onWire); err != nil {
		return nil, tm, err
	}
	tm.Response = e.Now()
	tm.End = tm.Response
	u, err := url.Parse(raw)
	if err != nil {
		return nil, tm, err
	}
	_, id, err := ParseDelayQuery(u.Query())
	if err != nil {
		return nil, tm, err
	}
	return PageBody(id), tm, nil
}

// A download through a client that queues: each request's wait is split
// into its time in the client's queue (blocked on the connections others
// hold) and its time on the wire, and no more requests are on the wire at
// once than the client has connections.
func TestFetchQueuedSplitsTheQueue(t *testing.T) {
	for _, hide := range []bool{false, true} {
		t.Run(fmt.Sprintf("hidden queue %v", hide), func(t *testing.T) { testFetchQueued(t, hide) })
	}
}

func testFetchQueued(t *testing.T, hide bool) {
	const pages, conns = 12, 3
	env := newQueueEnv(conns, 30*time.Millisecond)
	env.hideQueue = hide
	// The server's wait is the delay parameter: 30 ms here.
	res, err := Run(context.Background(), Request{Workload: "download", Mode: Goroutines, Workers: pages,
		Params: map[string]any{"pages": pages, "delay": 30}}, Options{Env: env})
	if err != nil || !res.Check.OK {
		t.Fatalf("run: %v %+v", err, res)
	}
	type iv struct{ start, end int64 }
	var wire []iv
	queued := map[int]Span{}
	for _, s := range res.Spans {
		switch {
		case s.Label == QueuedLabel:
			if s.State != Blocked {
				t.Errorf("queue span %+v is not blocked", s)
			}
			queued[s.Task] = s
		case strings.HasPrefix(s.Label, "fetch "):
			if s.State != Waiting {
				t.Errorf("fetch span %+v is not waiting", s)
			}
			wire = append(wire, iv{s.Start, s.End})
			if q, ok := queued[s.Task]; ok && q.End != s.Start {
				t.Errorf("task %d: queued until %d, on the wire from %d", s.Task, q.End, s.Start)
			}
		}
	}
	if len(wire) != pages {
		t.Fatalf("%d fetch spans, want %d", len(wire), pages)
	}
	// Twelve requests over three connections: at least the last six
	// waited in the queue.
	if len(queued) < pages-2*conns {
		t.Errorf("%d requests queued, want at least %d", len(queued), pages-2*conns)
	}
	// On the wire, never more than the connections (a millisecond of
	// slack: a connection is freed just before the next request takes it).
	type edge struct {
		t int64
		d int
	}
	var es []edge
	for _, w := range wire {
		es = append(es, edge{w.start + 1000, 1}, edge{w.end, -1})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].t < es[j].t || es[i].t == es[j].t && es[i].d < es[j].d })
	cur, most := 0, 0
	for _, e := range es {
		cur += e.d
		most = max(most, cur)
	}
	if most > conns {
		t.Errorf("%d requests on the wire at once, over the %d connections", most, conns)
	}
}

// An environment that cannot tell draws each fetch as one span, as Fetch.
func TestFetchQueuedWithoutTiming(t *testing.T) {
	res, err := Run(context.Background(), Request{Workload: "download", Mode: Goroutines, Workers: 3,
		Params: map[string]any{"pages": 3, "delay": 1}}, Options{Env: testEnv(t)})
	if err != nil || !res.Check.OK {
		t.Fatalf("run: %v %+v", err, res)
	}
	for _, s := range res.Spans {
		if s.Label == QueuedLabel {
			t.Errorf("a queue span without timing: %+v", s)
		}
	}
}
