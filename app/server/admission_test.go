//go:build !wasm

package server

import (
	"context"
	"errors"
	"testing"
	"time"
)

// granted reports whether acquire's goroutine got its budget within d.
func waitGrant(ch <-chan error, d time.Duration) (error, bool) {
	select {
	case err := <-ch:
		return err, true
	case <-time.After(d):
		return nil, false
	}
}

func TestAdmissionBudgets(t *testing.T) {
	a := newAdmission(2, 3, 0, 2)
	ctx := context.Background()
	// Two one-core runs fill the cores; an I/O run (0 cores) still fits.
	for _, c := range []int{1, 1, 0} {
		if _, err := a.acquire(ctx, need{Cores: c}); err != nil {
			t.Fatalf("acquire(%d): %v", c, err)
		}
	}
	if r, q := a.state(); r != 3 || q != 0 {
		t.Fatalf("state %d running %d queued", r, q)
	}
	// The fourth waits (no child process left), the fifth too, the sixth
	// is refused: the queue holds two.
	w1, w2 := make(chan error, 1), make(chan error, 1)
	go func() { _, err := a.acquire(ctx, need{Cores: 0}); w1 <- err }()
	waitQueued(t, a, 1)
	go func() { _, err := a.acquire(ctx, need{Cores: 1}); w2 <- err }()
	waitQueued(t, a, 2)
	if _, err := a.acquire(ctx, need{Cores: 0}); !errors.Is(err, errBusy) {
		t.Fatalf("beyond the queue: %v, want errBusy", err)
	}
	// Releasing the I/O run admits the first waiter only: the second
	// needs a core as well as a process.
	a.release(need{Cores: 0}, time.Millisecond)
	if err, ok := waitGrant(w1, time.Second); !ok || err != nil {
		t.Fatalf("first waiter: %v %v", ok, err)
	}
	if _, ok := waitGrant(w2, 50*time.Millisecond); ok {
		t.Fatal("second waiter admitted without a free core and process")
	}
	a.release(need{Cores: 1}, time.Millisecond) // frees a core and a process
	if err, ok := waitGrant(w2, time.Second); !ok || err != nil {
		t.Fatalf("second waiter: %v %v", ok, err)
	}
}

// A run needing every core is not overtaken by later small runs.
func TestAdmissionNoBarging(t *testing.T) {
	a := newAdmission(2, 10, 0, 10)
	ctx := context.Background()
	if _, err := a.acquire(ctx, need{Cores: 1}); err != nil {
		t.Fatal(err)
	}
	big := make(chan error, 1)
	go func() { _, err := a.acquire(ctx, need{Cores: 2}); big <- err }()
	waitQueued(t, a, 1)
	small := make(chan error, 1)
	go func() { _, err := a.acquire(ctx, need{Cores: 1}); small <- err }()
	waitQueued(t, a, 2)
	if _, ok := waitGrant(small, 50*time.Millisecond); ok {
		t.Fatal("a small run overtook the big one waiting at the head")
	}
	a.release(need{Cores: 1}, time.Millisecond)
	if _, ok := waitGrant(big, time.Second); !ok {
		t.Fatal("the big run did not start")
	}
	a.release(need{Cores: 2}, time.Millisecond)
	if _, ok := waitGrant(small, time.Second); !ok {
		t.Fatal("the small run did not start")
	}
}

// A waiter that gives up leaves the queue, and the runs behind it move up.
func TestAdmissionCancel(t *testing.T) {
	a := newAdmission(1, 10, 0, 10)
	if _, err := a.acquire(context.Background(), need{Cores: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { _, err := a.acquire(ctx, need{Cores: 1}); gaveUp <- err }()
	waitQueued(t, a, 1)
	cancel()
	if err, ok := waitGrant(gaveUp, time.Second); !ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v %v", ok, err)
	}
	if _, q := a.state(); q != 0 {
		t.Fatalf("cancelled waiter still queued: %d", q)
	}
	a.release(need{Cores: 1}, time.Millisecond)
	if _, err := a.acquire(context.Background(), need{Cores: 1}); err != nil {
		t.Fatalf("budget lost after a cancel: %v", err)
	}
}

// A run waits for memory as for cores, and the runs in progress never
// hold more than the budget together.
func TestAdmissionMemory(t *testing.T) {
	a := newAdmission(8, 8, 1000, 8)
	ctx := context.Background()
	g1, err := a.acquire(ctx, need{Bytes: 600})
	if err != nil {
		t.Fatal(err)
	}
	w := make(chan error, 1)
	go func() { _, err := a.acquire(ctx, need{Bytes: 500}); w <- err }()
	waitQueued(t, a, 1)
	if _, b := a.usage(); b != 600 {
		t.Fatalf("%d bytes in use, want 600", b)
	}
	a.release(g1, time.Millisecond)
	if err, ok := waitGrant(w, time.Second); !ok || err != nil {
		t.Fatalf("the waiter: %v %v", ok, err)
	}
	if a.fitsAlone(1001) || !a.fitsAlone(1000) {
		t.Error("fitsAlone disagrees with the budget")
	}
}

// Cores are clamped to the budget, so an oversized run can still start.
func TestAdmissionClamp(t *testing.T) {
	a := newAdmission(2, 2, 0, 0)
	c, err := a.acquire(context.Background(), need{Cores: 64})
	if err != nil || c.Cores != 2 {
		t.Fatalf("acquire(64) = %d, %v", c.Cores, err)
	}
	if ra := a.retryAfter(); ra < 1 || ra > 60 {
		t.Errorf("retryAfter %d", ra)
	}
}

func waitQueued(t *testing.T, a *admission, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, q := a.state(); q == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	_, q := a.state()
	t.Fatalf("queue length %d, want %d", q, n)
}
