package settle

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// fakeClock advances only when a pass runs: a pass costs cost(t) µs, t
// being the clock's time when it starts.
type fakeClock struct {
	t    int64
	cost func(t int64) int64
}

func (c *fakeClock) now() int64 { return c.t }

func (c *fakeClock) pass() error {
	c.t += c.cost(c.t)
	return nil
}

// tiers is a cost that falls from tier to tier: costs[i] µs a pass until
// until[i] µs, the last cost after that.
func tiers(until []int64, costs ...int64) func(int64) int64 {
	return func(t int64) int64 {
		for i, u := range until {
			if t < u {
				return costs[i]
			}
		}
		return costs[len(costs)-1]
	}
}

func TestUntilSettlesWhenRoundsAgree(t *testing.T) {
	// The code gets faster round by round until a pass stays at 400 µs.
	c := &fakeClock{cost: tiers([]int64{25_000, 50_600, 75_600}, 1000, 800, 500, 400)}
	rep, err := Until(context.Background(), c.now, c.pass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{1_000_000, 800_000, 500_000, 400_000, 400_000, 400_000}
	if !rep.Settled || !slices.Equal(rep.PassNS, want) {
		t.Fatalf("report %+v: want settled with passes of %v ns", rep, want)
	}
	// Rounds of 25, 32 and 50 passes to 75.6 ms, then three of 63
	// passes, 25.2 ms each.
	if rep.Took != 151200*time.Microsecond || rep.Passes != 25+32+50+3*63 {
		t.Errorf("took %v in %d passes, want 151.2ms in 296", rep.Took, rep.Passes)
	}
}

func TestUntilWaitsForTheMinimumTime(t *testing.T) {
	// A slow tier runs steadily at 1 ms a pass for 200 ms, then a fast
	// one takes over at 500 µs: rounds agree at once, but only those
	// after the minimum time count.
	cost := tiers([]int64{200_000}, 1000, 500)
	c := &fakeClock{cost: cost}
	rep, err := Until(context.Background(), c.now, c.pass, Options{MinTime: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Settled || rep.PassNS[len(rep.PassNS)-1] != 500_000 || rep.Took != 275*time.Millisecond {
		t.Fatalf("report %+v: want settled on the fast tier after 275 ms", rep)
	}
	// Without the minimum, the slow tier's rounds settle it.
	c = &fakeClock{cost: cost}
	rep, _ = Until(context.Background(), c.now, c.pass, Options{})
	if !rep.Settled || rep.Took != 75*time.Millisecond {
		t.Fatalf("report %+v: want settled after 75 ms on the slow tier", rep)
	}
	// The minimum is bounded by the cap.
	c = &fakeClock{cost: tiers(nil, 1000)}
	rep, _ = Until(context.Background(), c.now, c.pass, Options{MinTime: time.Hour, Cap: time.Second})
	if !rep.Settled || rep.Took != time.Second {
		t.Fatalf("report %+v: want settled at the 1 s cap", rep)
	}
}

func TestUntilMeasuresPassesOfACoarseClock(t *testing.T) {
	// A pass of 300 µs on a clock that counts whole milliseconds: rounds
	// of many passes still see 300 µs within the 10 %.
	var exact int64
	now := func() int64 { return exact / 1000 * 1000 }
	pass := func() error { exact += 300; return nil }
	rep, err := Until(context.Background(), now, pass, Options{})
	if err != nil || !rep.Settled {
		t.Fatalf("report %+v, %v", rep, err)
	}
	for _, ns := range rep.PassNS {
		if ns < 270_000 || ns > 330_000 {
			t.Errorf("a pass of 300 µs measured %d ns (rounds %v)", ns, rep.PassNS)
		}
	}
}

func TestUntilGivesUpAtTheCap(t *testing.T) {
	// The cost alternates between 1 and 2 ms every 40 ms: no three
	// rounds agree.
	c := &fakeClock{cost: func(t int64) int64 {
		if t/40_000%2 == 0 {
			return 1000
		}
		return 2000
	}}
	rep, err := Until(context.Background(), c.now, c.pass, Options{Cap: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Settled {
		t.Fatalf("settled on rounds %v, which never agree", rep.PassNS)
	}
	if rep.Took < time.Second || rep.Took > 1100*time.Millisecond {
		t.Errorf("took %v, want about the 1 s cap", rep.Took)
	}
}

func TestUntilStopsOnErrors(t *testing.T) {
	c := &fakeClock{cost: tiers(nil, 1000)}
	boom := errors.New("boom")
	n := 0
	_, err := Until(context.Background(), c.now, func() error {
		n++
		if n == 30 {
			return boom
		}
		return c.pass()
	}, Options{Cap: time.Hour})
	// With 25 passes a round, pass 30 is in the second round.
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Until(ctx, c.now, c.pass, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err %v, want context.Canceled", err)
	}
	if _, err := Until(context.Background(), c.now, func() error { return nil }, Options{}); !errors.Is(err, ErrNoPass) {
		t.Fatalf("a pass that takes no time: err %v, want ErrNoPass", err)
	}
}

func TestAgree(t *testing.T) {
	for _, c := range []struct {
		ts []int64
		ok bool
	}{
		{[]int64{100, 110}, true}, {[]int64{110, 100}, true}, {[]int64{100, 112}, false},
		{[]int64{0, 0}, false}, {[]int64{1000, 1000}, true}, {[]int64{100}, false}, {nil, false},
		{[]int64{100, 105, 110}, true}, {[]int64{100, 110, 115}, false},
	} {
		if got := Agree(c.ts, 0.1); got != c.ok {
			t.Errorf("Agree(%v) = %v, want %v", c.ts, got, c.ok)
		}
	}
}
