package workloads

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// maxTasksAtOnce returns the most distinct tasks that had a span matching
// keep open at the same instant. Spans are half-open [Start, End): one that
// ends when another starts does not overlap it; empty spans never count.
func maxTasksAtOnce(spans []Span, keep func(Span) bool) int {
	type event struct {
		at   int64
		task int
		d    int
	}
	var ev []event
	for _, s := range spans {
		if s.End > s.Start && keep(s) {
			ev = append(ev, event{s.Start, s.Task, +1}, event{s.End, s.Task, -1})
		}
	}
	sort.Slice(ev, func(i, j int) bool {
		if ev[i].at != ev[j].at {
			return ev[i].at < ev[j].at
		}
		return ev[i].d < ev[j].d // ends first
	})
	open := map[int]int{}
	most := 0
	for _, e := range ev {
		open[e.task] += e.d
		if open[e.task] == 0 {
			delete(open, e.task)
		}
		most = max(most, len(open))
	}
	return most
}

func holdingPermit(s Span) bool { return strings.HasPrefix(s.Label, "hold a permit") }

func notBlocked(s Span) bool { return s.State != Blocked }

func TestMaxTasksAtOnce(t *testing.T) {
	spans := []Span{
		{Task: 0, Start: 0, End: 10}, {Task: 0, Start: 10, End: 20}, // one task, two spans: one
		{Task: 1, Start: 5, End: 15},
		{Task: 2, Start: 15, End: 30}, // starts as task 1 ends
		{Task: 3, Start: 12, End: 12}, // empty
	}
	if got := maxTasksAtOnce(spans, func(Span) bool { return true }); got != 2 {
		t.Errorf("got %d, want 2", got)
	}
	spans = append(spans, Span{Task: 4, Start: 14, End: 16})
	if got := maxTasksAtOnce(spans, func(Span) bool { return true }); got != 3 {
		t.Errorf("got %d, want 3", got)
	}
}

// On a fake clock the timeline is exact: K tasks work, the rest are
// blocked, in ceil(tasks/K) waves; no instant shows more than K tasks in
// any state but blocked.
func TestSemaphoreTimelineFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runOK(t, Request{Workload: "semaphore", Mode: Goroutines, Workers: 10,
			Params: map[string]any{"tasks": 10, "limit": 3, "hold": 200}})
		if !res.Check.OK || res.Check.Value != "10 tasks ran, at most 3 at once" {
			t.Errorf("check %+v", res.Check)
		}
		if res.WallUS != 800_000 {
			t.Errorf("wall %d µs, want 4 waves of 200 ms", res.WallUS)
		}
		if got := maxTasksAtOnce(res.Spans, notBlocked); got != 3 {
			t.Errorf("%d tasks not blocked at once, want 3", got)
		}
		waits := 0
		for _, s := range res.Spans {
			if s.State == Blocked && s.End > s.Start {
				waits++
				if s.Label != "wait for a permit" {
					t.Errorf("blocked span %+v", s)
				}
			}
		}
		if waits != 7 {
			t.Errorf("%d tasks waited for a permit, want 7", waits)
		}
	})
}

// On real threads, sleeping or busy on the CPU, the permits are never
// exceeded, and with enough lanes they are all used.
func TestSemaphoreRealThreads(t *testing.T) {
	for _, cpu := range []bool{false, true} {
		res := runOK(t, Request{Workload: "semaphore", Mode: Goroutines, Workers: 8,
			Params: map[string]any{"tasks": 12, "limit": 3, "hold": 20, "cpu": cpu}})
		if !res.Check.OK {
			t.Errorf("cpu=%v: %+v", cpu, res.Check)
		}
		got := maxTasksAtOnce(res.Spans, holdingPermit)
		if got > 3 {
			t.Errorf("cpu=%v: %d tasks held a permit at once, limit 3", cpu, got)
		}
		if !cpu && got != 3 {
			t.Errorf("cpu=%v: at most %d held a permit at once; 8 lanes should fill 3 permits", cpu, got)
		}
		if cpu && runtime.GOOS == "js" && got != 1 {
			// One thread and no preemption: a task busy with its permit
			// keeps every other task from even asking for one.
			t.Errorf("cooperative CPU work: %d tasks held a permit at once, want 1", got)
		}
	}
}

// Fewer lanes than permits: the lanes are the limit, and the note says so.
func TestSemaphoreFewLanes(t *testing.T) {
	res := runOK(t, Request{Workload: "semaphore", Mode: Goroutines, Workers: 2,
		Params: map[string]any{"tasks": 6, "limit": 4, "hold": 5}})
	if !res.Check.OK || !strings.Contains(res.Check.Note, "lanes") || maxTasksAtOnce(res.Spans, holdingPermit) > 2 {
		t.Errorf("%+v", res.Check)
	}
	res = runOK(t, Request{Workload: "semaphore", Mode: Sequential, Workers: 4,
		Params: map[string]any{"tasks": 3, "limit": 2, "hold": 1}})
	if !res.Check.OK || res.Check.Value != "3 tasks ran, at most 1 at once" {
		t.Errorf("sequential: %+v", res.Check)
	}
}

func TestSemaphoreCheck(t *testing.T) {
	if c := semCheck(Outputs{Values: []uint64{1, 2, 4}}, 3, 3, 3, false); c.OK || !strings.Contains(c.Note, "more than the 3 permits") {
		t.Errorf("exceeded: %+v", c)
	}
	if c := semCheck(Outputs{Values: []uint64{1, 0, 2}}, 3, 3, 3, false); c.OK || !strings.Contains(c.Note, "did not run") {
		t.Errorf("missing: %+v", c)
	}
}

func TestSemaphoreCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		res, err := Run(ctx, Request{Workload: "semaphore", Mode: Goroutines, Workers: 4,
			Params: map[string]any{"tasks": 4, "limit": 1, "hold": 10_000}}, Options{})
		if !errors.Is(err, context.Canceled) || res.WallUS != 1_000_000 {
			t.Fatalf("got %v after %d µs", err, res.WallUS)
		}
	})
}

// A semaphore that did not bind says why: too few lanes, or one thread
// kept busy by a task working on the CPU; it never blames the lanes when
// there were more lanes than tasks at work.
func TestSemaphoreCheckExplainsNoBinding(t *testing.T) {
	c := semCheck(Outputs{Values: []uint64{1, 2, 2, 1}}, 4, 3, 2, false)
	if !c.OK || !strings.Contains(c.Note, "with 2 lanes") || !strings.Contains(c.Note, "more workers than the 3 permits") {
		t.Errorf("few lanes: %+v", c)
	}
	c = semCheck(Outputs{Values: []uint64{1, 1, 1, 1}}, 4, 3, 4, true)
	if !c.OK || strings.Contains(c.Note, "lanes, not") || !strings.Contains(c.Note, "the thread, not the semaphore") {
		t.Errorf("cpu on one thread: %+v", c)
	}
	c = semCheck(Outputs{Values: []uint64{1, 1, 1}}, 3, 3, 1, false)
	if !c.OK || !strings.Contains(c.Note, "with 1 lane there") {
		t.Errorf("one lane: %+v", c)
	}
}
