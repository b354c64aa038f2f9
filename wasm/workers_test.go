//go:build js && wasm

package wasm

import (
	"testing"
	"time"

	"conlab/workloads"
)

// ran is a task's result that ran for us µs.
func ran(us int64) workloads.TaskResult {
	return workloads.TaskResult{Spans: []workloads.Span{{Start: 100, End: 100 + us}}}
}

// A worker always has its next tasks in hand: how the page deals them.
func TestHandout(t *testing.T) {
	// A lone worker takes every task at once: nothing to balance.
	h := &handout{n: 200, lanes: 1}
	if k := h.deal(0); k != 200 {
		t.Errorf("a lone lane is dealt %d of 200 tasks, want all", k)
	}
	// Several lanes: before any task is timed, two each (the one running
	// and the next), one each when there are as many tasks as lanes.
	h = &handout{n: 1000, lanes: 2}
	if k := h.deal(0); k != minInHand {
		t.Errorf("first deal of 2 lanes: %d, want %d", k, minInHand)
	}
	if k := (&handout{n: 4, lanes: 4}).deal(0); k != 1 {
		t.Errorf("4 tasks on 4 lanes: dealt %d to the first, want 1", k)
	}
	// Short tasks: a lane holds 200 ms of them.
	h.next = 4
	for range 4 {
		h.answered(ran(2_000))
	}
	if k := h.deal(1); k != inHandUS/2_000-1 {
		t.Errorf("2 ms tasks, one held: dealt %d, want %d (200 ms in hand)", k, inHandUS/2_000-1)
	}
	// Long tasks: still two in hand, never fewer.
	g := &handout{n: 64, lanes: 2, next: 2}
	g.answered(ran(900_000))
	if k := g.deal(1); k != 1 {
		t.Errorf("0.9 s tasks, one held: dealt %d, want 1 (two in hand)", k)
	}
	// Equal tasks end together: each lane's first answer brings it to
	// half of them (the answering lane does not take the odd one, which
	// would leave the other lane idle at the end).
	f := &handout{n: 8, lanes: 2, next: 4}
	for lane := range 2 {
		f.answered(ran(22_000))
		k := f.deal(1)
		f.next += k
		if 1+1+k != 4 {
			t.Errorf("8 tasks on 2 lanes: lane %d's first answer brings it to %d tasks in all, want 4", lane, 1+1+k)
		}
	}
	// At the end a lane holds no more than its part of what is left to
	// run: the tasks not handed out and those in the lanes' hands.
	e := &handout{n: 100, lanes: 2, next: 94, back: 92}
	e.answered(ran(1_000))
	if k := e.deal(0); k != 3 {
		t.Errorf("6 tasks left and 1 in the other lane's hand: dealt %d, want 3", k)
	}
	// A lane with nothing in hand gets a task while any is left.
	l := &handout{n: 3, lanes: 2, next: 2, back: 2}
	if k := l.deal(0); k != 1 {
		t.Errorf("one task left, none in hand: dealt %d, want 1", k)
	}
	e.next = 100
	if k := e.deal(0); k != 0 {
		t.Errorf("no task left: dealt %d", k)
	}
}

// Short tasks travel together: a lone worker gets all of them in one
// message and answers several at a time, so the run is not a round trip
// per task (counter: 100 tasks of well under a millisecond each).
func TestShortTasksTravelTogether(t *testing.T) {
	p := warmPool(t, Config{Size: 1})
	answers := 0
	last := 0
	req := workloads.Request{Workload: "counter", Mode: Workers, Workers: 1, Params: map[string]any{"tasks": 100, "increments": 1000, "sync": "atomic"}}
	res, err := p.Run(testCtx(t, time.Minute), req, func(pr Progress) {
		if pr.Stage == "running" && pr.Done > last {
			answers++
			last = pr.Done
		}
	})
	if err != nil || !res.Check.OK {
		t.Fatalf("Run: %v, %+v", err, res)
	}
	t.Logf("100 tasks answered in %d messages (wall %d µs)", answers, res.WallUS)
	if answers < 1 || answers > 25 {
		t.Errorf("100 short tasks came back in %d messages, want a few", answers)
	}
}
