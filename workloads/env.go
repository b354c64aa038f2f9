package workloads

import (
	"context"
	"errors"
	"sync/atomic"
)

// Env is all a workload may use of the world outside the Go runtime. The
// engine supplies it: natively it uses real HTTP and the process clock; in
// a Web Worker it uses the browser's fetch and a clock aligned across
// workers. Sleeping and yielding need no Env: time.Sleep and
// runtime.Gosched behave alike everywhere (in wasm a sleep is a setTimeout).
type Env interface {
	// Now returns microseconds on a clock shared by every lane of a run.
	// Its origin is arbitrary; the engine subtracts the run's start.
	Now() int64
	// Fetch gets url and returns its body. A relative url is resolved
	// against the page or server the lab is served from.
	Fetch(ctx context.Context, url string) ([]byte, error)
	// Shared returns n int32 cells of memory shared by every lane of the
	// run, even across Web Workers, or nil when there is none (a page that
	// is not cross-origin isolated).
	Shared(n int) Shared
}

// Shared is memory shared by the lanes of a run, accessed atomically
// (Atomics on a SharedArrayBuffer in the browser).
type Shared interface {
	Len() int
	Load(i int) int32
	Store(i int, v int32)
	Add(i int, delta int32) int32
}

// ErrNoFetch is returned by an Env that cannot fetch.
var ErrNoFetch = errors.New("fetching is not available in this environment")

// Int32s is a Shared backed by Go memory: what every goroutine of one
// process shares anyway. The zero value has no cells.
type Int32s []int32

func (s Int32s) Len() int                     { return len(s) }
func (s Int32s) Load(i int) int32             { return atomic.LoadInt32(&s[i]) }
func (s Int32s) Store(i int, v int32)         { atomic.StoreInt32(&s[i], v) }
func (s Int32s) Add(i int, delta int32) int32 { return atomic.AddInt32(&s[i], delta) }
