package workloads

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// fakeClockEnv reads time.Now, which inside a synctest bubble is the
// bubble's fake clock: sleeps then take exactly their duration. It wraps
// the platform's default Env, not testEnv: a loopback server started
// inside a bubble would keep its clock from ever advancing.
type fakeClockEnv struct{ Env }

func (fakeClockEnv) Now() int64 { return time.Now().UnixMicro() }

func runSleep(t *testing.T, env Env, mode Mode, n int, params map[string]any) *Result {
	t.Helper()
	res, err := Run(context.Background(), Request{Workload: "sleep", Mode: mode, Workers: n, Params: params}, Options{Env: env})
	if err != nil {
		t.Fatalf("%s/%d %v: %v", mode, n, params, err)
	}
	if !res.Check.OK {
		t.Fatalf("%s/%d %v: check %+v", mode, n, params, res.Check)
	}
	return res
}

// With a fake clock the lesson's arithmetic is exact: sequential is the sum
// of the sleeps, goroutines the longest, and fewer lanes than tasks queue.
func TestSleepFakeClock(t *testing.T) {
	const unit = 100_000 // µs
	cases := []struct {
		mode   Mode
		n      int
		params map[string]any
		wall   int64 // in units
	}{
		{Sequential, 1, nil, 15},
		{Goroutines, 5, nil, 5},
		{Goroutines, 8, nil, 5},
		// Two lanes take tasks 1,2 at once; the lane freed first takes the
		// next: 1+3+5 = 9 units on one lane, 2+4 on the other.
		{Goroutines, 2, nil, 9},
		{Sequential, 1, map[string]any{"pattern": "2,3"}, 5},
		{Goroutines, 2, map[string]any{"pattern": "2,3"}, 3},
	}
	for _, c := range cases {
		synctest.Test(t, func(t *testing.T) {
			res := runSleep(t, fakeClockEnv{defaultEnv()}, c.mode, c.n, c.params)
			if res.WallUS != c.wall*unit {
				t.Errorf("%s/%d %v: wall %d µs, want exactly %d", c.mode, c.n, c.params, res.WallUS, c.wall*unit)
			}
			for _, s := range res.Spans {
				if s.State == Waiting && !strings.HasPrefix(s.Label, "sleep ") {
					t.Errorf("waiting span not a sleep: %+v", s)
				}
			}
		})
	}
}

// The timeline shows the overlap: with a lane per task, every sleep is in
// progress at the same moment.
func TestSleepSpansOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runSleep(t, fakeClockEnv{defaultEnv()}, Goroutines, 5, nil)
		at := int64(50_000) // half a unit in: every task is asleep
		asleep := 0
		for _, s := range res.Spans {
			if s.State == Waiting && s.Start <= at && at < s.End {
				asleep++
			}
		}
		if asleep != 5 {
			t.Errorf("%d tasks asleep at %d µs, want 5: %+v", asleep, at, res.Spans)
		}
	})
}

// On the real clock the shape holds with generous bounds: sequential at
// least the sum, goroutines at least the longest and well below the sum.
func TestSleepRealClock(t *testing.T) {
	const unit = 20 * time.Millisecond
	p := map[string]any{"tasks": 5, "unit": int64(unit / time.Millisecond)}
	seq := time.Duration(runSleep(t, testEnv(t), Sequential, 1, p).WallUS) * time.Microsecond
	par := time.Duration(runSleep(t, testEnv(t), Goroutines, 5, p).WallUS) * time.Microsecond
	if seq < 15*unit {
		t.Errorf("sequential took %v, less than the sum of the sleeps %v", seq, 15*unit)
	}
	if par < 5*unit || par >= 10*unit {
		t.Errorf("goroutines took %v, want about the longest sleep %v (and under %v)", par, 5*unit, 10*unit)
	}
	if float64(seq)/float64(par) < 2 {
		t.Errorf("sequential/goroutines = %.2f, want about 3 (15/5)", float64(seq)/float64(par))
	}
}
