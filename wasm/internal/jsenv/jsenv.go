//go:build js && wasm

// Package jsenv holds what the page and worker.wasm both need of the
// browser: a clock aligned across workers, awaiting promises, fetch,
// SharedArrayBuffer memory, and protocol messages as JavaScript objects.
// Every JavaScript call goes through safejs and reports errors, never
// panics, except where an interface of the engine has no error to return.
package jsenv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
)

// Global returns the global object (window or the worker's self).
func Global() safejs.Value { return safejs.Global() }

// Get reads a property path from v ("performance", "timeOrigin").
func Get(v safejs.Value, path ...string) (safejs.Value, error) {
	var err error
	for _, p := range path {
		if v.IsUndefined() || v.IsNull() {
			return safejs.Undefined(), fmt.Errorf("reading %s of %s", p, v.Type())
		}
		v, err = v.Get(p)
		if err != nil {
			return safejs.Undefined(), err
		}
	}
	return v, nil
}

// Clock reads microseconds on the browser's shared time line:
// performance.timeOrigin + performance.now(). Every worker has its own
// performance.now() origin; adding timeOrigin puts all of them on one
// clock. It reads the browser once and then follows Go's monotonic clock
// (which wasm_exec.js also takes from performance.now()), so Now costs no
// JavaScript call. The zero Clock reads Go's clock from an arbitrary origin.
type Clock struct {
	base   time.Time
	baseUS int64
}

// NewClock aligns a clock with the browser's. It reads both clocks a few
// times and keeps the reading taken in the shortest interval: a thread
// descheduled between two reads would otherwise shift the clock.
func NewClock() (Clock, error) {
	perf, err := Get(Global(), "performance")
	if err != nil {
		return Clock{}, err
	}
	orig, err := Get(perf, "timeOrigin")
	if err != nil {
		return Clock{}, err
	}
	o, err := orig.Float()
	if err != nil {
		return Clock{}, fmt.Errorf("performance.timeOrigin: %w", err)
	}
	now := func() (float64, error) {
		v, err := perf.Call("now")
		if err != nil {
			return 0, err
		}
		f, err := v.Float()
		if err != nil {
			return 0, fmt.Errorf("performance.now(): %w", err)
		}
		return f, nil
	}
	var best Clock
	width := -1.0
	for range 5 {
		before, err := now()
		if err != nil {
			return Clock{}, err
		}
		t := time.Now()
		after, err := now()
		if err != nil {
			return Clock{}, err
		}
		if w := after - before; width < 0 || w < width {
			width = w
			best = Clock{base: t, baseUS: int64((o + (before+after)/2) * 1000)}
		}
	}
	return best, nil
}

// Now returns microseconds since the Unix epoch on the shared time line.
func (c Clock) Now() int64 {
	if c.base.IsZero() {
		return int64(time.Since(start) / time.Microsecond)
	}
	return c.baseUS + int64(time.Since(c.base)/time.Microsecond)
}

var start = time.Now()

// ErrNotPromise is returned by Await for a value that has no then method.
var ErrNotPromise = errors.New("not a promise")

// Await waits for a promise to settle and returns its value, or the
// rejection as an error. It must not be called from a JavaScript callback
// (it blocks). When ctx is done first it returns ctx's error; the
// promise's callbacks release themselves whenever it settles.
func Await(ctx context.Context, p safejs.Value) (safejs.Value, error) {
	then, err := p.Get("then")
	if err != nil || then.Type() != safejs.TypeFunction {
		return safejs.Undefined(), ErrNotPromise
	}
	type settled struct {
		v   safejs.Value
		err error
	}
	ch := make(chan settled, 1) // buffered: the callbacks never block
	var onOK, onErr safejs.Func
	release := func() { onOK.Release(); onErr.Release() }
	onOK, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{v: v}
		release()
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	onErr, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		msg := "rejected"
		if len(args) > 0 {
			msg = Describe(args[0])
		}
		ch <- settled{err: errors.New(msg)}
		release()
		return nil
	})
	if err != nil {
		onOK.Release()
		return safejs.Undefined(), err
	}
	if _, err := p.Call("then", onOK, onErr); err != nil {
		release()
		return safejs.Undefined(), err
	}
	select {
	case s := <-ch:
		return s.v, s.err
	case <-ctx.Done():
		return safejs.Undefined(), ctx.Err()
	}
}

// Describe turns a JavaScript value (often an Error) into text.
func Describe(v safejs.Value) string {
	switch v.Type() {
	case safejs.TypeString:
		s, _ := v.String()
		return s
	case safejs.TypeObject:
		if m, err := v.Get("message"); err == nil && m.Type() == safejs.TypeString {
			s, _ := m.String()
			if n, err := v.Get("name"); err == nil && n.Type() == safejs.TypeString {
				name, _ := n.String()
				if name != "" && name != "Error" {
					return name + ": " + s
				}
			}
			return s
		}
	}
	if s, err := v.Call("toString"); err == nil {
		str, _ := s.String()
		return str
	}
	return v.Type().String()
}

// Bytes copies a Uint8Array into Go memory.
func Bytes(v safejs.Value, limit int) ([]byte, error) {
	u8, err := Get(Global(), "Uint8Array")
	if err != nil {
		return nil, err
	}
	if ok, err := v.InstanceOf(u8); err != nil || !ok {
		return nil, errors.New("not a Uint8Array")
	}
	n, err := v.Length()
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%d bytes exceed the limit of %d", n, limit)
	}
	b := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(b, v); err != nil {
		return nil, err
	}
	return b, nil
}

// Uint8Array copies b into a new Uint8Array.
func Uint8Array(b []byte) (safejs.Value, error) {
	u8, err := Get(Global(), "Uint8Array")
	if err != nil {
		return safejs.Undefined(), err
	}
	a, err := u8.New(len(b))
	if err != nil {
		return safejs.Undefined(), err
	}
	if _, err := safejs.CopyBytesToJS(a, b); err != nil {
		return safejs.Undefined(), err
	}
	return a, nil
}

// Object makes an empty JavaScript object.
func Object() (safejs.Value, error) {
	o, err := Get(Global(), "Object")
	if err != nil {
		return safejs.Undefined(), err
	}
	return o.New()
}
