//go:build js && wasm

package wasm

import (
	"context"
	"testing"
	"time"
)

func TestSettle(t *testing.T) {
	p := newPool(t, Config{Size: 2})
	ctx := testCtx(t, 2*time.Minute)
	if _, err := p.Settle(ctx, -1); err == nil {
		t.Error("Settle(-1) succeeded")
	}
	rep, err := p.Settle(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("settled: %+v", rep)
	if rep.Workers != 2 || len(rep.WorkerMS) != 2 || rep.MS <= 0 {
		t.Fatalf("Settle(0) on a pool of 2: %+v", rep)
	}
	for i, ms := range rep.WorkerMS {
		// At least three rounds of at least 25 ms each, at most the cap
		// and a little.
		if ms < 75 || ms > float64((DefaultSettleCap+time.Second).Milliseconds()) || len(rep.PassNS[i]) < 3 {
			t.Errorf("a worker settled in %v ms, rounds %v", ms, rep.PassNS[i])
		}
	}
	// Settling ends with the two workers gauged together: at least one
	// gauge, each seeing some threads run at once (how many depends on
	// how busy the machine is).
	if HardwareConcurrency() >= 2 {
		if len(rep.Together) == 0 || rep.TogetherMS <= 0 {
			t.Errorf("settling 2 workers gauged none together: %+v", rep)
		}
		for _, r := range rep.Together {
			if !(r > 0) {
				t.Errorf("a gauge saw %.2f threads of 2 at once", r)
			}
		}
	}
	st := p.Stats()
	if st.MeasuredCores < 1 || st.MeasuredCores > st.ReportedCores {
		t.Errorf("a pool of a size given measures the cores as it settles: measured %d of %d reported", st.MeasuredCores, st.ReportedCores)
	}
	if st.Settled != 2 || len(st.SettleMS) != 2 || st.LastSettle.Workers != 2 || st.SettledAgreed != rep.Settled {
		t.Errorf("Stats after settling: %+v", st)
	}
	// Settled workers stay settled.
	again, err := p.Settle(ctx, 2)
	if err != nil || again.Workers != 0 {
		t.Errorf("Settle again: %+v, %v; want nothing to do", again, err)
	}
	// Settling on one kernel settles on it alone: another settles anew,
	// unknown names settle on every kernel.
	one, err := p.Settle(ctx, 2, "countdown")
	if err != nil || one.Workers != 0 {
		t.Errorf("Settle on countdown after every kernel: %+v, %v; want nothing to do", one, err)
	}
	p2 := newPool(t, Config{Size: 1})
	if r, err := p2.Settle(ctx, 1, "countdown", "sleep"); err != nil || r.Workers != 1 || len(r.Together) != 0 {
		t.Fatalf("Settle(1, countdown): %+v, %v", r, err)
	}
	if r, err := p2.Settle(ctx, 1, "countdown"); err != nil || r.Workers != 0 {
		t.Errorf("Settle(1, countdown) again: %+v, %v; want nothing to do", r, err)
	}
	if r, err := p2.Settle(ctx, 1, "sumsquares"); err != nil || r.Workers != 1 {
		t.Errorf("Settle(1, sumsquares) after countdown: %+v, %v; want the worker settled anew", r, err)
	}
	// Growing settles only the new worker.
	more, err := p.Settle(ctx, 3)
	if err != nil || more.Workers != 1 {
		t.Fatalf("Settle(3): %+v, %v; want one new worker settled", more, err)
	}
	if st := p.Stats(); st.Size != 3 || st.Alive != 3 || st.Settled != 3 {
		t.Errorf("after Settle(3): %+v", st)
	}
	took, agreed, err := p.SettlePage(ctx)
	t.Logf("the page settled in %v (agreed %v)", took, agreed)
	if err != nil || took < 75*time.Millisecond {
		t.Errorf("SettlePage: %v, %v", took, err)
	}
	if st := p.Stats(); st.PageSettleMS != float64(took)/float64(time.Millisecond) || st.PageSettled != agreed {
		t.Errorf("Stats after SettlePage: %+v", st)
	}
	// A cancelled Settle returns the context's error.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Settle(cctx, 3); err == nil {
		t.Error("a cancelled Settle succeeded")
	}
}
