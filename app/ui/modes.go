package ui

import (
	"strings"

	"conlab/wasm"
	"conlab/workloads"
)

// Mode is a mode a student can compare, by the id URLs and results use:
// one of the browser engine's modes, or native, the native engine on the
// server run at GOMAXPROCS=1 (sequential) and GOMAXPROCS=N (goroutines).
type Mode string

// The modes, by their public ids.
const (
	modeSequential  = Mode(workloads.Sequential)
	modeCooperative = Mode(wasm.Cooperative)
	modeWorkers     = Mode(wasm.Workers)
	modeMain        = Mode(wasm.Main)
	modeNative      = Mode("native")
)

// uiModes lists the modes in display order.
var uiModes = []Mode{modeSequential, modeCooperative, modeWorkers, modeMain, modeNative}

// defaultModes are compared when the URL names none: the main-thread mode
// freezes the page, so it is never chosen for the student.
var defaultModes = []Mode{modeSequential, modeCooperative, modeWorkers, modeNative}

// workerChoices are the worker counts offered as checkboxes; a URL may
// name others within 1..MaxWorkers.
var workerChoices = []int{1, 2, 4, 8}

var defaultWorkers = []int{1, 2, 4}

// modeInfo is how a mode is presented.
type modeInfo struct {
	Label string // short, for legends and table cells
	Help  string // one line, next to its checkbox
}

var modeInfos = map[Mode]modeInfo{
	modeSequential:  {"sequential", "one goroutine runs every task, one after another (in a Web Worker)"},
	modeCooperative: {"cooperative", "N goroutines in one Web Worker: one thread, a goroutine switches only when it blocks (like asyncio, or threads under the GIL)"},
	modeWorkers:     {"workers", "N Web Workers, each its own Go instance and memory; tasks and results travel as messages (like multiprocessing)"},
	modeMain:        {"main thread", "the cooperative run on the page's own thread: the page freezes until it ends (a deliberate demonstration)"},
	modeNative:      {"native", "the same Go code on the server's real threads, at GOMAXPROCS=1 and GOMAXPROCS=N"},
}

func modeLabel(m Mode) string {
	if i, ok := modeInfos[m]; ok {
		return i.Label
	}
	return string(m)
}

// joinModes joins the ids of ms with sep.
func joinModes(ms []Mode, sep string) string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = string(m)
	}
	return strings.Join(ids, sep)
}

func validUIMode(m Mode) bool {
	_, ok := modeInfos[m]
	return ok
}

// supportsMode reports whether w runs in the UI mode m, and if not, why.
// Native runs use the engine's own modes, which meet every need.
func supportsMode(w *workloads.Workload, m Mode) (bool, string) {
	if m == modeNative {
		return true, ""
	}
	return wasm.Supports(w, workloads.Mode(m))
}
