package workloads

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// spanTrack is one task's spans as "label/state@start-end" in ms, the form
// the dbupdate tests compare exactly under a fake clock.
func spanTrack(spans []Span, task int) string {
	var b []string
	for _, s := range spans {
		if s.Task == task && s.End > s.Start {
			b = append(b, fmt.Sprintf("%s/%s@%d-%d", s.Label, s.State, s.Start/1000, s.End/1000))
		}
	}
	return strings.Join(b, " | ")
}

// With a fake clock the three outcomes of the lesson, their wall times and
// their timelines are exact.
func TestDBUpdateVariantsTimeline(t *testing.T) {
	cases := []struct {
		variant    string
		value      string
		ok         bool
		wallMS     int64
		task0      string
		task1Has   string
		noteHas    string
		singleCore bool
	}{
		{dbUnlocked, "1", false, 200,
			"wait 200 ms (x=0 in hand)/waiting@0-200",
			"wait 200 ms (x=0 in hand)/waiting@0-200", "lost update", false},
		{dbLocked, "2", true, 400,
			"wait 200 ms (x=0 in hand)/waiting@0-200",
			"wait for the lock/blocked@0-200 | wait 200 ms (x=1 in hand)/waiting@200-400", "no update was lost", false},
		// Sleeping first is safe only with one task running at a time.
		{dbSleepFirst, "2", true, 200,
			"sleep first/waiting@0-200", "sleep first/waiting@0-200", "no update was lost", true},
	}
	for _, c := range cases {
		t.Run(c.variant, func(t *testing.T) {
			if c.singleCore {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			}
			synctest.Test(t, func(t *testing.T) {
				res := runOK(t, Request{Workload: "dbupdate", Mode: Goroutines, Workers: 2,
					Params: map[string]any{"variant": c.variant, "delay": 200}})
				if res.Check.Value != c.value || res.Check.OK != c.ok || res.Check.Expected != "2" || !strings.Contains(res.Check.Note, c.noteHas) {
					t.Errorf("check %+v, want value %s ok=%v note ~ %q", res.Check, c.value, c.ok, c.noteHas)
				}
				if got := res.WallUS / 1000; got != c.wallMS {
					t.Errorf("wall %d ms, want %d", got, c.wallMS)
				}
				// The task that gets the lock first is either one: find it.
				first, second := 0, 1
				if strings.Contains(spanTrack(res.Spans, 0), "blocked") {
					first, second = 1, 0
				}
				if got := spanTrack(res.Spans, first); got != c.task0 {
					t.Errorf("first task's timeline:\n got %s\nwant %s", got, c.task0)
				}
				if got := spanTrack(res.Spans, second); got != c.task1Has {
					t.Errorf("second task's timeline:\n got %s\nwant %s", got, c.task1Has)
				}
				// Reads and writes are drawn as their own spans.
				var reads, writes []string
				for _, s := range res.Spans {
					if strings.HasPrefix(s.Label, "read x=") {
						reads = append(reads, s.Label)
					}
					if strings.HasPrefix(s.Label, "write x=") {
						writes = append(writes, s.Label)
					}
				}
				if len(reads) != 2 || len(writes) != 2 {
					t.Errorf("want 2 reads and 2 writes on the timeline, got %v %v", reads, writes)
				}
			})
		})
	}
}

// One after another, every variant ends at 2: a lost update needs overlap.
func TestDBUpdateOneLaneNeverLoses(t *testing.T) {
	for _, v := range []string{dbUnlocked, dbLocked, dbSleepFirst} {
		for _, req := range []Request{
			{Workload: "dbupdate", Mode: Sequential, Workers: 2},
			{Workload: "dbupdate", Mode: Goroutines, Workers: 1},
		} {
			req.Params = map[string]any{"variant": v, "delay": 5}
			res := runOK(t, req)
			if !res.Check.OK || res.Check.Value != "2" {
				t.Errorf("%s %s/%d: %+v", v, req.Mode, req.Workers, res.Check)
			}
		}
	}
}

// On real threads and a real clock the unlocked update is lost and the
// locked one is not.
func TestDBUpdateRealClock(t *testing.T) {
	res := runOK(t, Request{Workload: "dbupdate", Mode: Goroutines, Workers: 2, Params: map[string]any{"variant": dbUnlocked, "delay": 30}})
	if res.Check.OK || res.Check.Value != "1" {
		t.Errorf("unlocked: %+v", res.Check)
	}
	res = runOK(t, Request{Workload: "dbupdate", Mode: Goroutines, Workers: 2, Params: map[string]any{"variant": dbLocked, "delay": 30}})
	if !res.Check.OK || res.WallUS < 60_000 {
		t.Errorf("locked: %+v after %d µs (the second task must wait for the first)", res.Check, res.WallUS)
	}
}

// A cancelled run ends the sleeping and the blocked task at once.
func TestDBUpdateCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		res, err := Run(ctx, Request{Workload: "dbupdate", Mode: Goroutines, Workers: 2, Params: map[string]any{"variant": dbLocked, "delay": 10_000}}, Options{})
		if !errors.Is(err, context.Canceled) || res.WallUS/1000 != 50 {
			t.Fatalf("got %v after %d µs, want cancelled at 50 ms", err, res.WallUS)
		}
	})
}
