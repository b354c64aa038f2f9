//go:build js && wasm

package jsenv

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// MaxFetch bounds a fetched body, as the native environment does.
const MaxFetch = 1 << 20

// Fetch gets url with the browser's fetch, resolving a relative url
// against base (the page's address: a worker's own address is its
// script's). Cancelling ctx aborts the request.
func Fetch(ctx context.Context, base, url string) ([]byte, error) {
	g := Global()
	fetch, err := Get(g, "fetch")
	if err != nil || fetch.Type() != safejs.TypeFunction {
		return nil, workloads.ErrNoFetch
	}
	abs := url
	if base != "" {
		if u, err := Get(g, "URL"); err == nil {
			if parsed, err := u.New(url, base); err == nil {
				if h, err := parsed.Get("href"); err == nil {
					abs, _ = h.String()
				}
			} else {
				return nil, fmt.Errorf("fetch %s: bad URL: %v", url, err)
			}
		}
	}
	opts, err := Object()
	if err != nil {
		return nil, err
	}
	// A unique URL per request is the workload's business; the cache
	// setting only keeps the browser from revalidating behind its back.
	if ac, err := Get(g, "AbortController"); err == nil && ac.Type() == safejs.TypeFunction {
		ctl, err := ac.New()
		if err == nil {
			if sig, err := ctl.Get("signal"); err == nil {
				_ = opts.Set("signal", sig)
			}
			stop := context.AfterFunc(ctx, func() { _, _ = ctl.Call("abort") })
			defer stop()
		}
	}
	p, err := fetch.Invoke(abs, opts)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", abs, err)
	}
	resp, err := Await(ctx, p)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("fetch %s: %w", abs, err)
	}
	okv, err := resp.Get("ok")
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", abs, err)
	}
	if ok, _ := okv.Bool(); !ok {
		st, _ := Get(resp, "status")
		code, _ := st.Int()
		stt, _ := Get(resp, "statusText")
		text, _ := stt.String()
		return nil, fmt.Errorf("fetch %s: %d %s", abs, code, text)
	}
	bp, err := resp.Call("arrayBuffer")
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", abs, err)
	}
	buf, err := Await(ctx, bp)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: reading body: %w", abs, err)
	}
	u8, err := Get(g, "Uint8Array")
	if err != nil {
		return nil, err
	}
	arr, err := u8.New(buf)
	if err != nil {
		return nil, err
	}
	return Bytes(arr, MaxFetch)
}

// SharedInt32 is workloads.Shared over a SharedArrayBuffer, every access
// through Atomics: what two Web Workers can both see. It is slow on
// purpose of being honest: each access is a call out of wasm, which is the
// lesson of element-wise shared memory.
type SharedInt32 struct {
	arr     safejs.Value // Int32Array over the buffer
	atomics safejs.Value
	n       int
}

// NewSharedInt32 views buf (a SharedArrayBuffer) as n int32 cells.
func NewSharedInt32(buf safejs.Value, n int) (*SharedInt32, error) {
	i32, err := Get(Global(), "Int32Array")
	if err != nil {
		return nil, err
	}
	bl, err := Get(buf, "byteLength")
	if err != nil {
		return nil, err
	}
	size, err := bl.Int()
	if err != nil {
		return nil, err
	}
	if size < 4*n {
		return nil, fmt.Errorf("shared buffer of %d bytes holds fewer than %d cells", size, n)
	}
	arr, err := i32.New(buf, 0, n)
	if err != nil {
		return nil, err
	}
	at, err := Get(Global(), "Atomics")
	if err != nil || at.Type() != safejs.TypeObject {
		return nil, errors.New("Atomics is not available")
	}
	return &SharedInt32{arr: arr, atomics: at, n: n}, nil
}

// Len implements workloads.Shared.
func (s *SharedInt32) Len() int { return s.n }

// The Shared interface has no error results: a failing access (an index
// out of range) panics, as Go memory would, and the engine reports the
// panic as the task's error.
func (s *SharedInt32) call(op string, args ...any) int32 {
	if i := args[0].(int); i < 0 || i >= s.n {
		panic(fmt.Sprintf("shared memory: index %d out of range [0,%d)", i, s.n))
	}
	v, err := s.atomics.Call(op, append([]any{s.arr}, args...)...)
	if err != nil {
		panic("shared memory: Atomics." + op + ": " + err.Error())
	}
	x, err := v.Int()
	if err != nil {
		panic("shared memory: Atomics." + op + ": " + err.Error())
	}
	return int32(x)
}

// Load implements workloads.Shared.
func (s *SharedInt32) Load(i int) int32 { return s.call("load", i) }

// Store implements workloads.Shared.
func (s *SharedInt32) Store(i int, v int32) { s.call("store", i, int(v)) }

// Add implements workloads.Shared: Atomics.add returns the old value, the
// interface the new one.
func (s *SharedInt32) Add(i int, delta int32) int32 { return s.call("add", i, int(delta)) + delta }

// Env is the workloads.Env of a browser context: the aligned clock, the
// browser's fetch, and shared memory that is a SharedArrayBuffer when one
// was given, Go memory when the run stays in one instance, and none when
// lanes are separate workers on a page that is not cross-origin isolated.
type Env struct {
	Clock Clock
	Base  string // relative fetches resolve against it
	// SharedBuf is the run's SharedArrayBuffer (undefined for none).
	SharedBuf safejs.Value
	// OneMemory says every lane of the run is in this instance, so Go
	// memory is shared memory.
	OneMemory bool
	// Spawner starts child programs (a *Spawner on the page, a
	// *PageSpawner in a worker); nil: none can be started here.
	Spawner workloads.Spawner

	first atomic.Int64 // the first Now: the engine's start of the run
}

// Now implements workloads.Env.
func (e *Env) Now() int64 {
	t := e.Clock.Now()
	e.first.CompareAndSwap(0, t)
	return t
}

// First returns the first reading of Now, which is where the engine
// started the run, or 0 if Now was never read.
func (e *Env) First() int64 { return e.first.Load() }

// Fetch implements workloads.Env.
func (e *Env) Fetch(ctx context.Context, url string) ([]byte, error) {
	return Fetch(ctx, e.Base, url)
}

// Shared implements workloads.Env.
func (e *Env) Shared(n int) workloads.Shared {
	if !e.SharedBuf.IsUndefined() && !e.SharedBuf.IsNull() {
		s, err := NewSharedInt32(e.SharedBuf, n)
		if err == nil {
			return s
		}
	}
	if e.OneMemory {
		return make(workloads.Int32s, n)
	}
	return nil
}

// Spawn implements workloads.Spawner through e.Spawner.
func (e *Env) Spawn(ctx context.Context, opt workloads.SpawnOptions) (workloads.Child, error) {
	if e.Spawner == nil {
		return nil, workloads.ErrNoSpawn
	}
	return e.Spawner.Spawn(ctx, opt)
}
