//go:build !wasm

package server

import (
	"context"
	"sync"
)

// outcome is a finished API answer: status and JSON body.
type outcome struct {
	status int
	body   []byte
	err    *apiError // set instead of body for errors
}

// Cache sources, reported in the X-Conlab-Cache header.
const (
	cacheMiss   = "miss"   // this request ran it
	cacheShared = "shared" // joined an identical run in flight
	cacheHit    = "hit"    // answered from the cache
	cacheNone   = "none"   // not cacheable: parameters other than the defaults
)

// memo caches successful answers by key and merges concurrent identical
// requests into one call (the pattern of x/sync/singleflight, with the
// cache lookup and the join under one lock so a call finishing in between
// cannot start a second run). The zero value is not usable: see newMemo.
type memo struct {
	mu    sync.Mutex
	max   int
	done  map[string]outcome
	order []string // insertion order, for eviction
	calls map[string]*call
}

type call struct {
	done chan struct{}
	val  outcome
}

func newMemo(max int) *memo {
	return &memo{max: max, done: map[string]outcome{}, calls: map[string]*call{}}
}

// do returns the cached answer for key, or waits for the call in flight
// for key, or starts fn for it. fn runs on its own goroutine, detached
// from any one caller, so the callers sharing it can leave (their ctx
// done) without cancelling it for the others. Answers with status 200 are
// cached; others are given to the callers waiting and forgotten.
func (m *memo) do(ctx context.Context, key string, fn func() outcome) (outcome, string, error) {
	m.mu.Lock()
	if v, ok := m.done[key]; ok {
		m.mu.Unlock()
		return v, cacheHit, nil
	}
	source := cacheShared
	c, ok := m.calls[key]
	if !ok {
		source = cacheMiss
		c = &call{done: make(chan struct{})}
		m.calls[key] = c
		go m.run(key, c, fn)
	}
	m.mu.Unlock()
	select {
	case <-c.done:
		return c.val, source, nil
	case <-ctx.Done():
		return outcome{}, source, ctx.Err()
	}
}

func (m *memo) run(key string, c *call, fn func() outcome) {
	defer func() {
		// A panic here would take the server down with every caller
		// waiting: answer them with the error instead.
		if p := recover(); p != nil {
			c.val = outcome{status: 500, err: errorf(500, "", "internal error: %v", p)}
			m.mu.Lock()
			delete(m.calls, key)
			m.mu.Unlock()
			close(c.done)
		}
	}()
	c.val = fn()
	m.mu.Lock()
	delete(m.calls, key)
	if c.val.status == 200 && m.max > 0 {
		if len(m.order) >= m.max {
			delete(m.done, m.order[0])
			m.order = m.order[1:]
		}
		m.done[key] = c.val
		m.order = append(m.order, key)
	}
	m.mu.Unlock()
	close(c.done)
}

// len returns the number of cached answers.
func (m *memo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.done)
}
