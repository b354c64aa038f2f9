package settle

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestGaugeRunning(t *testing.T) {
	for _, c := range []struct {
		g    Gauge
		want float64
	}{
		{Gauge{100, []int64{100, 100}}, 2},           // each thread on its own core
		{Gauge{100, []int64{200, 200}}, 1},           // two threads sharing one core
		{Gauge{100, []int64{100, 200}}, 1.5},         // one core shared with something else
		{Gauge{100, []int64{200, 200, 200, 200}}, 2}, // four threads on two cores
		{Gauge{0, []int64{100}}, 0},
		{Gauge{100, []int64{100, 0}}, 0},
		{Gauge{100, nil}, 0},
	} {
		if got := c.g.Running(); got != c.want {
			t.Errorf("%+v.Running() = %v, want %v", c.g, got, c.want)
		}
	}
}

// fakeGauges returns a gauge that advances c by 100 ms and measures what
// seen says, one after the other (the last one from then on).
func fakeGauges(c *fakeClock, seen ...Gauge) func() (Gauge, error) {
	i := 0
	return func() (Gauge, error) {
		c.t += 100_000
		g := seen[min(i, len(seen)-1)]
		i++
		return g, nil
	}
}

func TestTogetherWaitsForTheThreadsWanted(t *testing.T) {
	// Something else holds a core for the first three gauges (each of two
	// workers runs a pass in 150 % of the time it takes alone), then
	// leaves it.
	c := &fakeClock{}
	busy, free := Gauge{100, []int64{150, 150}}, Gauge{100, []int64{104, 100}}
	rep, err := Together(context.Background(), c.now, fakeGauges(c, busy, busy, busy, free), Want{Threads: 2, Found: 2, MinTime: time.Second}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Settled || len(rep.Running) != 4 || rep.Took != 400*time.Millisecond {
		t.Fatalf("report %+v: want settled at the fourth gauge, after 400 ms", rep)
	}
	if b := rep.Best(2); b < 1.96 || b > 1.97 {
		t.Errorf("best %v, want 1.96…", b)
	}
	// One thread wanted: a gauge that sees it at its speed alone does.
	c = &fakeClock{}
	rep, _ = Together(context.Background(), c.now, fakeGauges(c, Gauge{100, []int64{150}}, Gauge{100, []int64{100}}), Want{Threads: 1}, 10*time.Second)
	if !rep.Settled || len(rep.Running) != 2 {
		t.Fatalf("report %+v: want settled at the second gauge", rep)
	}
}

func TestTogetherGivesUpAtTheCap(t *testing.T) {
	// Two threads run at 1.7×, 15 % short of the 2 wanted: never within
	// the 10 %.
	c := &fakeClock{}
	rep, err := Together(context.Background(), c.now, fakeGauges(c, Gauge{85, []int64{100, 100}}), Want{Threads: 2, Found: 2}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Settled || rep.Took != time.Second || len(rep.Running) != 10 {
		t.Fatalf("report %+v: want unsettled after ten gauges, at the 1 s cap", rep)
	}
	// No time left: one gauge still says how many threads ran.
	c = &fakeClock{}
	rep, _ = Together(context.Background(), c.now, fakeGauges(c, Gauge{85, []int64{100, 100}}), Want{Threads: 2, Found: 2}, 0)
	if rep.Settled || !slices.Equal(rep.Running, []float64{1.7}) {
		t.Fatalf("report %+v: want one unsettled gauge of 1.7", rep)
	}
}

func TestTogetherStopsOnErrors(t *testing.T) {
	c := &fakeClock{}
	boom := errors.New("boom")
	_, err := Together(context.Background(), c.now, func() (Gauge, error) { return Gauge{}, boom }, Want{Threads: 2}, time.Second)
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Together(ctx, c.now, fakeGauges(c, Gauge{100, []int64{100}}), Want{Threads: 1}, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err %v, want context.Canceled", err)
	}
}

func TestTogetherSettlesOnWhatTheMachineRunsSteadily(t *testing.T) {
	// The browser reports 4 cores of a machine that has 2: four threads
	// run steadily as 2, the cores found before. Gauges agree from the
	// third, but only after the minimum time of 1 s do they end it.
	c := &fakeClock{}
	two := Gauge{100, []int64{200, 200, 205, 200}}
	rep, err := Together(context.Background(), c.now, fakeGauges(c, two), Want{Threads: 4, Found: 2, MinTime: time.Second}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Settled || len(rep.Running) != 10 {
		t.Fatalf("report %+v: want settled at the tenth gauge (1 s)", rep)
	}
	// Something else holds one of the 2 cores found: the gauges agree on
	// 1, fewer than found, and the wait goes on to the cap.
	c = &fakeClock{}
	one := Gauge{100, []int64{200, 200}}
	rep, _ = Together(context.Background(), c.now, fakeGauges(c, one), Want{Threads: 2, Found: 2, MinTime: time.Second}, 3*time.Second)
	if rep.Settled || rep.Took != 3*time.Second {
		t.Fatalf("report %+v: want unsettled at the 3 s cap", rep)
	}
	// Gauges that still rise do not agree: 1.0, 1.4, 1.7 (…) end it only
	// when they reach the 2 wanted.
	c = &fakeClock{}
	rising := []Gauge{{100, []int64{200, 200}}, {100, []int64{143, 143}}, {100, []int64{118, 118}}, {100, []int64{101, 101}}}
	rep, _ = Together(context.Background(), c.now, fakeGauges(c, rising...), Want{Threads: 2, Found: 1, MinTime: 0}, 3*time.Second)
	if !rep.Settled || len(rep.Running) != 4 {
		t.Fatalf("report %+v: want settled at the fourth gauge", rep)
	}
}

func TestTogetherIgnoresASlowedSoloTiming(t *testing.T) {
	// The solo timing of the first gauge was slowed: two threads seem to
	// run as 4.2. It does not count, nor for Best; the next gauges do.
	c := &fakeClock{}
	slowed, busy, free := Gauge{420, []int64{200, 200}}, Gauge{100, []int64{150, 150}}, Gauge{100, []int64{102, 101}}
	rep, err := Together(context.Background(), c.now, fakeGauges(c, slowed, busy, free), Want{Threads: 2, Found: 2}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Settled || len(rep.Running) != 3 {
		t.Fatalf("report %+v: want settled at the third gauge", rep)
	}
	if b := rep.Best(2); b < 1.97 || b > 1.99 {
		t.Errorf("best %v, want 1.98: the slowed gauge does not count", b)
	}
}
