//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"conlab/wasm/internal/jsenv"

	"github.com/hack-pad/safejs"
)

// compiled returns the compiled worker module, compiling it first if no
// one has: once per page, whoever asks first.
func (p *Pool) compiled(ctx context.Context) (safejs.Value, error) {
	m, _, err := p.compile(ctx)
	return m, err
}

// compile returns the module and, when this call compiled it, how long
// that took.
func (p *Pool) compile(ctx context.Context) (safejs.Value, time.Duration, error) {
	for {
		p.mu.Lock()
		if !p.module.IsUndefined() {
			m := p.module
			p.mu.Unlock()
			return m, 0, nil
		}
		wait := p.compiling
		if wait == nil {
			p.compiling = make(chan struct{})
			p.mu.Unlock()
			break
		}
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return safejs.Undefined(), 0, ctx.Err()
		}
	}
	t0 := time.Now()
	m, err := compileModule(ctx, p.wasmURL)
	d := time.Since(t0)
	p.mu.Lock()
	if err == nil {
		p.module = m
		p.compileMS = float64(d) / float64(time.Millisecond)
	}
	close(p.compiling)
	p.compiling = nil
	p.mu.Unlock()
	if err != nil {
		return safejs.Undefined(), 0, err
	}
	return m, d, nil
}

// compileModule fetches and compiles url: streaming when the server says
// application/wasm, from the bytes otherwise (a server with the wrong
// MIME type), and from the bytes again if streaming fails.
func compileModule(ctx context.Context, url string) (safejs.Value, error) {
	g := jsenv.Global()
	wa, err := jsenv.Get(g, "WebAssembly")
	if err != nil || wa.Type() != safejs.TypeObject {
		return safejs.Undefined(), errors.New("this browser has no WebAssembly")
	}
	fetch := func() (safejs.Value, error) {
		f, err := jsenv.Get(g, "fetch")
		if err != nil {
			return safejs.Undefined(), err
		}
		pr, err := f.Invoke(url)
		if err != nil {
			return safejs.Undefined(), err
		}
		resp, err := jsenv.Await(ctx, pr)
		if err != nil {
			return safejs.Undefined(), fmt.Errorf("fetching %s: %w", url, err)
		}
		if ok, _ := jsenv.Get(resp, "ok"); ok.Type() != safejs.TypeBoolean || !truthy(ok) {
			st, _ := jsenv.Get(resp, "status")
			code, _ := st.Int()
			return safejs.Undefined(), fmt.Errorf("fetching %s: HTTP status %d", url, code)
		}
		return resp, nil
	}
	fromBytes := func(resp safejs.Value) (safejs.Value, error) {
		bp, err := resp.Call("arrayBuffer")
		if err != nil {
			return safejs.Undefined(), err
		}
		buf, err := jsenv.Await(ctx, bp)
		if err != nil {
			return safejs.Undefined(), fmt.Errorf("reading %s: %w", url, err)
		}
		mp, err := wa.Call("compile", buf)
		if err != nil {
			return safejs.Undefined(), err
		}
		m, err := jsenv.Await(ctx, mp)
		if err != nil {
			return safejs.Undefined(), fmt.Errorf("compiling %s: %w", url, err)
		}
		return m, nil
	}
	resp, err := fetch()
	if err != nil {
		return safejs.Undefined(), err
	}
	ctype := ""
	if h, err := jsenv.Get(resp, "headers"); err == nil {
		if v, err := h.Call("get", "Content-Type"); err == nil && v.Type() == safejs.TypeString {
			ctype, _ = v.String()
		}
	}
	streaming, _ := jsenv.Get(wa, "compileStreaming")
	if streaming.Type() != safejs.TypeFunction || strings.TrimSpace(strings.Split(ctype, ";")[0]) != "application/wasm" {
		return fromBytes(resp)
	}
	mp, err := wa.Call("compileStreaming", resp)
	if err == nil {
		m, err := jsenv.Await(ctx, mp)
		if err == nil {
			return m, nil
		}
		if ctx.Err() != nil {
			return safejs.Undefined(), ctx.Err()
		}
	}
	// Streaming failed (a proxy that rewrote the response, say): the
	// body is used up, so fetch it again and compile the bytes.
	resp, err = fetch()
	if err != nil {
		return safejs.Undefined(), err
	}
	return fromBytes(resp)
}

func truthy(v safejs.Value) bool {
	b, err := v.Truthy()
	return err == nil && b
}
