// Package wasm is the lab's browser engine: a pool of Web Workers, each
// running worker.wasm, that runs the workloads in the browser's modes.
//
//   - sequential: one lane, in one worker;
//   - cooperative: the engine's goroutines mode, N goroutines inside one
//     worker (one thread: a goroutine switches only when it blocks);
//   - workers: the tasks spread over N workers, each its own wasm instance
//     with its own memory, tasks and results passed as messages;
//   - main: the cooperative run on the page's own thread, to show the page
//     freezing.
//
// The page compiles worker.wasm once and hands the compiled module to
// every worker; workers are warmed up (each CPU kernel called once) before
// anything is timed and kept between runs. Every span of a run, from
// every worker, is on one clock (performance.timeOrigin + now()), relative
// to the run's start. Start-up paid by a run (compiling, starting and
// warming workers) is reported in it, as Startup spans and StartupUS.
//
// The pool (Pool, NewPool) builds only for js/wasm, and reaches JavaScript
// only through github.com/hack-pad/safejs. What other code names builds
// everywhere: the browser's modes and how they map to the engine's
// ([Modes], [Prepare], [Supports]), and the pool's reports ([Stats],
// [Progress], [SettleReport]), which the server and the UI's native build
// use.
package wasm
