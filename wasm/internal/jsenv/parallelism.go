//go:build js && wasm

package jsenv

import "context"

// Parallelism times a plain JavaScript busy loop on one worker doing it
// twice and on two workers doing it once each, and returns the speed-up:
// what the machine lets two workers gain right now, the control against
// which tests and benchmarks judge the pool's speed-ups.
func Parallelism(ctx context.Context) (float64, error) {
	fn, err := Get(Global(), "Function")
	if err != nil {
		return 0, err
	}
	f, err := fn.New(`return (async (iters) => {
		const src = "onmessage = (e) => { let s = 0; for (let i = 0; i < e.data; i++) { s = (s + i * i) % 1000003; } postMessage(s); };";
		const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
		const ws = [new Worker(url), new Worker(url)];
		const job = (w, n) => new Promise((r) => { w.onmessage = r; w.postMessage(n); });
		try {
			await Promise.all(ws.map((w) => job(w, 1e6)));
			let t0 = performance.now();
			await job(ws[0], iters);
			await job(ws[0], iters);
			const one = performance.now() - t0;
			t0 = performance.now();
			await Promise.all(ws.map((w) => job(w, iters)));
			return one / (performance.now() - t0);
		} finally {
			ws.forEach((w) => w.terminate());
			URL.revokeObjectURL(url);
		}
	})(30000000);`)
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
