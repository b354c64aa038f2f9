package settle

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeClock advances only when a pass runs: each pass costs the next of
// costs (the last one repeats).
type fakeClock struct {
	t     int64
	costs []int64
	n     int
}

func (c *fakeClock) now() int64 { return c.t }

func (c *fakeClock) pass() error {
	i := min(c.n, len(c.costs)-1)
	c.t += c.costs[i]
	c.n++
	return nil
}

func TestUntilSettlesWhenTwoRoundsAgree(t *testing.T) {
	// Passes of 1 ms: the first round takes 10 passes (10 ms). Then the
	// code gets faster pass by pass until it stays at 400 µs.
	costs := []int64{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}
	for range 10 {
		costs = append(costs, 800)
	}
	for range 10 {
		costs = append(costs, 500)
	}
	costs = append(costs, 400)
	c := &fakeClock{costs: costs}
	rep, err := Until(context.Background(), c.now, c.pass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Settled || rep.Passes != 10 {
		t.Fatalf("report %+v: want settled with 10 passes a round", rep)
	}
	want := []int64{10000, 8000, 5000, 4000, 4000}
	if len(rep.Rounds) != len(want) {
		t.Fatalf("rounds %v, want %v", rep.Rounds, want)
	}
	for i := range want {
		if rep.Rounds[i] != want[i] {
			t.Fatalf("rounds %v, want %v", rep.Rounds, want)
		}
	}
	if rep.Took != 31*time.Millisecond {
		t.Errorf("took %v, want 31ms", rep.Took)
	}
}

func TestUntilGivesUpAtTheCap(t *testing.T) {
	// Rounds alternate between 10 and 20 ms: they never agree.
	c := &fakeClock{}
	flip := false
	pass := func() error {
		if flip {
			c.t += 2000
		} else {
			c.t += 1000
		}
		return nil
	}
	round := 0
	now := func() int64 { return c.t }
	wrapped := func() error {
		err := pass()
		round++
		if round >= 10 && round%10 == 0 {
			flip = !flip
		}
		return err
	}
	rep, err := Until(context.Background(), now, wrapped, Options{Cap: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Settled {
		t.Fatalf("settled on rounds %v, which never agree", rep.Rounds)
	}
	if rep.Took < time.Second || rep.Took > 1100*time.Millisecond {
		t.Errorf("took %v, want about the 1 s cap", rep.Took)
	}
}

func TestUntilStopsOnErrors(t *testing.T) {
	c := &fakeClock{costs: []int64{1000}}
	boom := errors.New("boom")
	n := 0
	_, err := Until(context.Background(), c.now, func() error {
		n++
		if n == 15 {
			return boom
		}
		return c.pass()
	}, Options{Cap: time.Hour})
	// With 10 passes a round, pass 15 is in the second round.
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
		a, b int64
		ok   bool
	}{{100, 110, true}, {110, 100, true}, {100, 112, false}, {0, 0, false}, {1000, 1000, true}} {
		if got := Agree(c.a, c.b, 0.1); got != c.ok {
			t.Errorf("Agree(%d, %d) = %v, want %v", c.a, c.b, got, c.ok)
		}
	}
}
