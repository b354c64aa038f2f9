package wasm

// This file builds everywhere, not only in the browser: native code (the
// server's catalog, the UI's pre-rendering, the embedding API's checks)
// names the browser's modes from here too.

import (
	"fmt"
	"slices"

	"conlab/workloads"
)

// The browser engine's modes, by their public ids (URLs, the embedding
// API, results). Each runs the engine's Sequential or Goroutines mode in
// each Go instance it uses (see [EngineMode]).
const (
	// Sequential runs every task on one goroutine in one Web Worker.
	Sequential = workloads.Sequential
	// Cooperative runs N goroutines in one wasm instance in a Web Worker:
	// one thread, goroutines switch only when they block.
	Cooperative workloads.Mode = "cooperative"
	// Workers spreads the tasks over N Web Workers, each its own wasm
	// instance with its own memory, tasks and results passed as messages.
	Workers workloads.Mode = "workers"
	// Main is the cooperative run on the page's own thread, in the page's
	// own Go program: a deliberate demonstration that the page freezes.
	Main workloads.Mode = "main"
)

// Modes are the browser engine's modes, in display order.
var Modes = []workloads.Mode{Sequential, Cooperative, Workers, Main}

// EngineMode returns the engine mode that runs the browser mode m in each
// Go instance: Cooperative and Main run as Goroutines in one instance;
// Sequential runs as itself, and so does each worker of a Workers run, one
// task after another. Any other m is returned as it is.
func EngineMode(m workloads.Mode) workloads.Mode {
	switch m {
	case Cooperative, Main:
		return workloads.Goroutines
	case Workers:
		return workloads.Sequential
	}
	return m
}

// Supports reports whether w runs in the browser mode m, and if not, why:
// Workers gives each lane a memory of its own, so it cannot meet
// Needs.OneMemory; Main runs in the page's own Go program, which must
// outlive the run, so it cannot meet Needs.OwnProgram.
func Supports(w *workloads.Workload, m workloads.Mode) (bool, string) {
	switch {
	case m == Workers && w.Needs.OneMemory != "":
		return false, w.Needs.OneMemory
	case m == Main && w.Needs.OwnProgram != "":
		return false, w.Needs.OwnProgram
	}
	return true, ""
}

// Unsupported maps each browser mode that cannot run w to the reason; nil
// when every mode can. It is the catalog's "unsupported" field.
func Unsupported(w *workloads.Workload) map[workloads.Mode]string {
	var out map[workloads.Mode]string
	for _, m := range Modes {
		if ok, why := Supports(w, m); !ok {
			if out == nil {
				out = map[workloads.Mode]string{}
			}
			out[m] = why
		}
	}
	return out
}

// Prepare validates req, a request in one of the browser's [Modes] (""
// is Sequential), and plans it. The job's Request is in the engine's
// terms: its mode is [EngineMode] of req's, so the caller keeps req.Mode
// to report. An invalid request returns a *workloads.ParamError naming the
// field, or a *workloads.UnsupportedError when the mode cannot run the
// workload, with the reason; Prepare never panics.
func Prepare(req workloads.Request) (*workloads.Job, error) {
	w, err := workloads.Lookup(req.Workload)
	if err != nil {
		return nil, err
	}
	m := req.Mode
	if m == "" {
		m = Sequential
	}
	if !slices.Contains(Modes, m) {
		msg := fmt.Sprintf("mode %q is not a browser mode; use one of %s", req.Mode, workloads.JoinModes(Modes))
		if m == workloads.Goroutines {
			msg += " (goroutines is the native engine's mode: in the browser it is cooperative, or parallel as workers)"
		}
		return nil, &workloads.ParamError{Field: "mode", Msg: msg}
	}
	if m == Workers && req.Schedule != "" {
		return nil, &workloads.ParamError{Field: "schedule", Msg: "schedule: the workers mode cannot run step by step " +
			"(each worker is its own program); use goroutines natively or cooperative in the browser"}
	}
	if ok, why := Supports(w, m); !ok {
		return nil, &workloads.UnsupportedError{Workload: w.ID, Mode: m, Reason: why}
	}
	req.Mode = EngineMode(m)
	return workloads.Prepare(req)
}
