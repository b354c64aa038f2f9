package workloads

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Any lane count works: with a lane per task producers and consumers run
// together over a small buffer; with fewer, they run in turn over a queue
// that holds every item. Nothing hangs.
func TestQueueAnyLaneCount(t *testing.T) {
	for _, mode := range Modes {
		for n := 1; n <= 8; n++ {
			for _, producers := range []int{1, 3} {
				for _, buffer := range []int{1, 4} {
					req := Request{Workload: "queue", Mode: mode, Workers: n, TimeoutMS: 20_000, Params: map[string]any{
						"items": 10, "producers": producers, "buffer": buffer, "produce": 1, "consume": 2}}
					res, err := Run(context.Background(), req, Options{Watchdog: 2 * time.Second})
					if err != nil || !res.Check.OK {
						t.Fatalf("%s/%d producers=%d buffer=%d: %v %+v", mode, n, producers, buffer, err, res)
					}
				}
			}
		}
	}
}

// The items handed over are on the timeline: each is made, put, got and
// used, in that order; a full queue blocks the producer and an empty one
// the consumers; the queue is closed once, and each consumer stops.
func TestQueueTimeline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runOK(t, Request{Workload: "queue", Mode: Goroutines, Workers: 3, Params: map[string]any{
			"items": 6, "producers": 1, "buffer": 1, "produce": 10, "consume": 100}})
		if !res.Check.OK || res.Check.Value != "6 made, 6 used, 6 used exactly once" {
			t.Fatalf("check %+v", res.Check)
		}
		first := map[string]int64{}
		count := map[string]int{}
		for _, s := range res.Spans {
			if _, ok := first[s.Label]; !ok {
				first[s.Label] = s.Start
			}
			count[s.Label]++
		}
		for i := range 6 {
			put, got := fmt.Sprintf("put item %d", i), fmt.Sprintf("got item %d", i)
			if count[put] != 1 || count[got] != 1 {
				t.Errorf("item %d: %d puts and %d gets on the timeline", i, count[put], count[got])
			}
			if first[got] < first[put] {
				t.Errorf("item %d got at %d µs before it was put at %d µs", i, first[got], first[put])
			}
		}
		var full, empty bool
		for _, s := range res.Spans {
			full = full || (s.State == Blocked && s.End > s.Start && strings.HasPrefix(s.Label, "queue full"))
			empty = empty || (s.State == Blocked && s.End > s.Start && strings.HasPrefix(s.Label, "queue empty"))
		}
		if !full || !empty {
			t.Errorf("want the producer blocked on a full queue (%v) and consumers on an empty one (%v)", full, empty)
		}
		if count["close the queue: no more items"] != 1 || count["queue closed: stop"] != 2 {
			t.Errorf("want one close and two consumers stopping: %v", count)
		}
		// Two consumers using 6 items of 100 ms: at least 300 ms.
		if res.WallUS < 300_000 || res.WallUS > 400_000 {
			t.Errorf("wall %d µs, want 300-400 ms", res.WallUS)
		}
	})
}

// Run in turn, the producer fills the queue, then the consumer empties it:
// exactly the sum of the times, on a fake clock.
func TestQueueInTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, req := range []Request{
			{Workload: "queue", Mode: Sequential, Workers: 4},
			{Workload: "queue", Mode: Goroutines, Workers: 1},
		} {
			req.Params = map[string]any{"items": 5, "buffer": 1, "produce": 10, "consume": 20}
			res := runOK(t, req)
			if !res.Check.OK || res.WallUS != 150_000 {
				t.Errorf("%s/%d: %+v after %d µs, want 150 ms", req.Mode, req.Workers, res.Check, res.WallUS)
			}
			for _, s := range res.Spans {
				if s.State == Blocked && s.End > s.Start {
					t.Errorf("%s/%d: nothing should wait when the queue holds every item: %+v", req.Mode, req.Workers, s)
				}
			}
		}
	})
}

func TestQueueCheck(t *testing.T) {
	c := queueCheck(Outputs{Values: []uint64{4, 2, 2}, Finals: []uint64{4}}, 4, 1)
	if !c.OK {
		t.Errorf("good run: %+v", c)
	}
	c = queueCheck(Outputs{Values: []uint64{4, 3, 2}, Finals: []uint64{3}}, 4, 1)
	if c.OK || c.Value != "4 made, 5 used, 3 used exactly once" {
		t.Errorf("an item used twice: %+v", c)
	}
	c = queueCheck(Outputs{Values: []uint64{4, 3}, Finals: nil}, 4, 1)
	if c.OK {
		t.Errorf("no final: %+v", c)
	}
}

func TestQueueCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		res, err := Run(ctx, Request{Workload: "queue", Mode: Goroutines, Workers: 3,
			Params: map[string]any{"items": 100, "buffer": 1, "produce": 1, "consume": 5000}}, Options{})
		if !errors.Is(err, context.Canceled) || res.WallUS != 100_000 {
			t.Fatalf("got %v after %d µs", err, res.WallUS)
		}
	})
}
