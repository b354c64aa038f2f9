//go:build wasm

package ui

import (
	"context"
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// parallelismJS measures how many threads run at once: a plain JavaScript
// busy loop timed on one worker, then on k workers at once, each doing
// the same loop. With M free cores, k workers take k/M times as long as
// one (at least once): M = k × one ÷ together. Plain JavaScript, so it
// measures the machine, not the lab's own code.
const parallelismJS = `return (async (k, iters) => {
	const src = "onmessage = (e) => { let s = 0; for (let i = 0; i < e.data; i++) { s = (s + i * i) % 1000003; } postMessage(s); };";
	const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
	const ws = Array.from({ length: k }, () => new Worker(url));
	const job = (w, n) => new Promise((r) => { w.onmessage = r; w.postMessage(n); });
	try {
		await Promise.all(ws.map((w) => job(w, 1e6)));
		let t0 = performance.now();
		await job(ws[0], iters);
		const one = performance.now() - t0;
		t0 = performance.now();
		await Promise.all(ws.map((w) => job(w, iters)));
		return k * one / (performance.now() - t0);
	} finally {
		ws.forEach((w) => w.terminate());
		URL.revokeObjectURL(url);
	}
})`

// measureParallelism runs parallelismJS with k workers.
func measureParallelism(ctx context.Context, k int) (m float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("measuring parallelism: %v", p)
		}
	}()
	fn := app.Window().Get("Function").New(parallelismJS).Invoke()
	done := make(chan float64, 1)
	failed := make(chan string, 1)
	var ok, bad app.Func
	ok = app.FuncOf(func(_ app.Value, args []app.Value) any {
		v := 0.0
		if len(args) > 0 {
			v = args[0].Float()
		}
		done <- v
		return nil
	})
	bad = app.FuncOf(func(_ app.Value, args []app.Value) any {
		msg := "the control failed"
		if len(args) > 0 {
			msg = args[0].Call("toString").String()
		}
		failed <- msg
		return nil
	})
	fn.Invoke(k, 20_000_000).Call("then", ok, bad)
	// The callbacks are released once the promise has settled; a
	// cancelled wait leaves them to it.
	select {
	case v := <-done:
		ok.Release()
		bad.Release()
		return v, nil
	case msg := <-failed:
		ok.Release()
		bad.Release()
		return 0, errors.New("measuring parallelism: " + msg)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
