//go:build js && wasm

package jsenv

import (
	"context"

	"conlab/wasm/jsprobe"
)

// Parallelism evaluates the parallelism control of package jsprobe in
// this thread's global scope: a plain JavaScript busy loop on one worker
// doing it twice and on two workers doing it once each. It returns the
// speed-up, what the machine lets two workers gain right now: the control
// against which tests and benchmarks judge the pool's speed-ups.
func Parallelism(ctx context.Context) (float64, error) {
	fn, err := Get(Global(), "Function")
	if err != nil {
		return 0, err
	}
	f, err := fn.New("return " + jsprobe.Parallelism + ";")
	if err != nil {
		return 0, err
	}
	p, err := f.Invoke()
	if err != nil {
		return 0, err
	}
	v, err := Await(ctx, p)
	if err != nil {
		return 0, err
	}
	return v.Float()
}

// MaxMeasuredCores bounds the threads Cores starts.
const MaxMeasuredCores = 16

// Cores measures how many threads the browser really runs at once, up to
// k (at most MaxMeasuredCores): k plain JavaScript workers spin for the
// same 60 ms, starting at one moment of the shared clock (30 ms ahead, so
// that every worker has its message by then), and the rate of work they
// did together is divided by the rate of one of them alone. Each figure
// is the best of its tries (two together, three alone, alternating): a
// thread on a loaded machine loses whole time slices, and the best try
// lost least. It returns that ratio: about min(k, free cores), less on
// a busy machine. It takes about 450 ms: starting the workers, a 40 ms
// spin that has each compile its loop, then the five timed spins.
func Cores(ctx context.Context, k int) (float64, error) {
	k = min(max(k, 1), MaxMeasuredCores)
	fn, err := Get(Global(), "Function")
	if err != nil {
		return 0, err
	}
	f, err := fn.New("k", `return (async () => {
		const src = "const t = () => performance.timeOrigin + performance.now();" +
			" function chunk(s) { for (let i = 0; i < 1000; i++) { s = (s + i * i) % 1000003; } return s; }" +
			" onmessage = (e) => {" +
			" while (t() < e.data.at) {}" +
			" const start = t(), end = start + e.data.ms; let n = 0, s = 0, now = start;" +
			" while (now < end) { s = chunk(s); n++; now = t(); }" +
			" postMessage((n + (s < 0 ? 1 : 0)) / (now - start)); };";
		const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
		const ws = [];
		const job = (w, at, ms) => new Promise((r) => { w.onmessage = (e) => r(e.data); w.postMessage({ at, ms }); });
		const now = () => performance.timeOrigin + performance.now();
		try {
			for (let i = 0; i < k; i++) ws.push(new Worker(url));
			const warm = now() + 10;
			await Promise.all(ws.map((w) => job(w, warm, 40)));
			// A thread of a loaded machine loses whole time slices: each
			// figure is the best of its tries, which lose least.
			let one = 0, all = 0;
			for (let r = 0; r < 2; r++) {
				one = Math.max(one, await job(ws[0], now() + 20, 60));
				const at = now() + 30;
				const rates = await Promise.all(ws.map((w) => job(w, at, 60)));
				all = Math.max(all, rates.reduce((a, b) => a + b, 0));
			}
			one = Math.max(one, await job(ws[0], now() + 20, 60));
			return all / Math.max(one, 1e-9);
		} finally {
			ws.forEach((w) => w.terminate());
			URL.revokeObjectURL(url);
		}
	})();`)
	if err != nil {
		return 0, err
	}
	p, err := f.Invoke(k)
	if err != nil {
		return 0, err
	}
	v, err := Await(ctx, p)
	if err != nil {
		return 0, err
	}
	return v.Float()
}
