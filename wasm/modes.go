package wasm

// This file builds everywhere, not only in the browser: native code (the
// UI's pre-rendering, the embedding API's checks) names the browser's
// modes from here too.

import "conlab/workloads"

// Modes are the modes the browser engine runs, in display order, by their
// public ids: sequential and cooperative inside one Web Worker, workers
// across N Web Workers, main on the page's own thread.
var Modes = []workloads.Mode{workloads.Sequential, workloads.Cooperative, workloads.Workers, workloads.Main}
