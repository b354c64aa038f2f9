//go:build !wasm

package server

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoSharesAndCaches(t *testing.T) {
	m := newMemo(2)
	var calls atomic.Int32
	release := make(chan struct{})
	fn := func() outcome {
		calls.Add(1)
		<-release
		return outcome{status: 200, body: []byte("v")}
	}
	var wg sync.WaitGroup
	sources := make(chan string, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, src, err := m.do(context.Background(), "k", fn)
			if err != nil || string(v.body) != "v" {
				t.Errorf("do = %q, %v", v.body, err)
			}
			sources <- src
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	close(sources)
	if n := calls.Load(); n != 1 {
		t.Fatalf("fn ran %d times", n)
	}
	miss := 0
	for s := range sources {
		if s == cacheMiss {
			miss++
		}
	}
	if miss != 1 {
		t.Errorf("%d misses, want 1", miss)
	}
	if _, src, _ := m.do(context.Background(), "k", fn); src != cacheHit {
		t.Errorf("later call: %s", src)
	}
}

func TestMemoErrorsAreNotCached(t *testing.T) {
	m := newMemo(10)
	n := 0
	fn := func() outcome { n++; return outcome{status: 429} }
	for range 3 {
		m.do(context.Background(), "k", fn)
	}
	if n != 3 || m.len() != 0 {
		t.Errorf("a failed answer was cached: %d calls, %d cached", n, m.len())
	}
}

func TestMemoEvicts(t *testing.T) {
	m := newMemo(2)
	ok := func() outcome { return outcome{status: 200} }
	for _, k := range []string{"a", "b", "c"} {
		m.do(context.Background(), k, ok)
	}
	if m.len() != 2 {
		t.Fatalf("%d cached, want 2", m.len())
	}
	if _, src, _ := m.do(context.Background(), "a", ok); src != cacheMiss {
		t.Errorf("the oldest entry was not evicted: %s", src)
	}
}

// A caller that leaves does not cancel the shared call; a panic is an
// error answer, not a crash.
func TestMemoCallerLeavesAndPanics(t *testing.T) {
	m := newMemo(10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	_, _, err := m.do(ctx, "k", func() outcome { defer close(done); time.Sleep(10 * time.Millisecond); return outcome{status: 200} })
	if err == nil {
		t.Fatal("a caller whose context is done got an answer")
	}
	<-done
	time.Sleep(10 * time.Millisecond)
	if _, src, _ := m.do(context.Background(), "k", nil); src != cacheHit {
		t.Errorf("the call did not finish for later callers: %s", src)
	}
	v, _, err := m.do(context.Background(), "p", func() outcome { panic("boom") })
	if err != nil || v.status != 500 || v.err == nil {
		t.Errorf("panic: %+v %v", v, err)
	}
}
