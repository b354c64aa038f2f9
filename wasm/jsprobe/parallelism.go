// Package jsprobe holds the sources of the plain JavaScript probes of the
// machine that the worker pool and the lab's end-to-end tests share: one
// text, evaluated in the page by either, so that the pool and the tests
// measure the same thing.
package jsprobe

import "fmt"

// ParallelismFunc is the source of the parallelism control: an async
// JavaScript function of a loop count that times a plain JavaScript busy
// loop on one worker doing it twice and on two workers doing it once
// each, and resolves to the speed-up, what two threads gain on this
// machine right now (about 2 on a quiet machine of two free cores, about
// 1 on a busy one). Both workers first run a short loop, so that the
// timed loops run compiled code.
const ParallelismFunc = `async (iters) => {
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
}`

// ParallelismIters is the control's loop count: about a tenth of a second
// a loop in a current engine.
const ParallelismIters = 30_000_000

// Parallelism is a JavaScript expression whose value is a promise of the
// control's speed-up with ParallelismIters.
var Parallelism = fmt.Sprintf("(%s)(%d)", ParallelismFunc, ParallelismIters)
