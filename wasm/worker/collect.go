//go:build js && wasm

package main

import (
	"runtime"

	"conlab/wasm/internal/proto"
)

// collect runs the Go collector once run id has answered, off the run's
// clock, so that every run starts from the same all but empty heap,
// whatever the run before left in it, then tells the page with a
// Collected: until then this worker's thread, and a core, are busy, and
// the page hands out no run (a message sent meanwhile would wait for the
// collection on the run's clock, and a collection in another worker
// would take a core from it). Left to the collector's pacing, a run
// starts with the garbage of the one before still standing (the
// collector waits for twice the live heap), and the heap grows again, at
// a later run, to hold both: that run pays for the browser handing the
// program fresh memory. Measured with multiply's loop at 4 million
// elements on a quiet 2-core machine: the heap grew from 130 to 161 MB
// on the third run, which took 8 ms longer in Chromium and WebKit and
// 70-85 ms longer in Firefox (about 30 ms a run otherwise); collected
// after each run, the heap stayed at 99 MB from the first run on, and
// the later runs took 28-30 ms in Firefox and 26-27 ms in WebKit instead
// of 33-35 and 30-31.
func (w *worker) collect(id int64) {
	start := w.clock.Now()
	runtime.GC()
	post(w.self, &proto.Collected{ID: id, StartUS: start, EndUS: max(w.clock.Now(), start)}, nil)
}
