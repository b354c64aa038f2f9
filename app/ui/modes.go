package ui

import "conlab/workloads"

// The modes a student can compare, with the ids used in URLs and results.
// The browser modes are the engine's ids; "native" stands for the native
// engine on the server, run at GOMAXPROCS=1 (sequential) and GOMAXPROCS=N
// (goroutines).
const (
	modeSequential  = string(workloads.Sequential)
	modeCooperative = string(workloads.Cooperative)
	modeWorkers     = string(workloads.Workers)
	modeMain        = string(workloads.Main)
	modeNative      = "native"
)

// uiModes lists the modes in display order.
var uiModes = []string{modeSequential, modeCooperative, modeWorkers, modeMain, modeNative}

// defaultModes are compared when the URL names none: the main-thread mode
// freezes the page, so it is never chosen for the student.
var defaultModes = []string{modeSequential, modeCooperative, modeWorkers, modeNative}

// workerChoices are the worker counts offered as checkboxes; a URL may
// name others within 1..MaxWorkers.
var workerChoices = []int{1, 2, 4, 8}

var defaultWorkers = []int{1, 2, 4}

// modeInfo is how a mode is presented.
type modeInfo struct {
	Label string // short, for legends and table cells
	Help  string // one line, next to its checkbox
}

var modeInfos = map[string]modeInfo{
	modeSequential:  {"sequential", "one goroutine runs every task, one after another (in a Web Worker)"},
	modeCooperative: {"cooperative", "N goroutines in one Web Worker: one thread, a goroutine switches only when it blocks (like asyncio, or threads under the GIL)"},
	modeWorkers:     {"workers", "N Web Workers, each its own Go instance and memory; tasks and results travel as messages (like multiprocessing)"},
	modeMain:        {"main thread", "the cooperative run on the page's own thread: the page freezes until it ends (a deliberate demonstration)"},
	modeNative:      {"native", "the same Go code on the server's real threads, at GOMAXPROCS=1 and GOMAXPROCS=N"},
}

func modeLabel(m string) string {
	if i, ok := modeInfos[m]; ok {
		return i.Label
	}
	return m
}

func validUIMode(m string) bool {
	_, ok := modeInfos[m]
	return ok
}

// supportsMode reports whether w runs in the UI mode m, and if not, why.
// Native runs use the engine's Sequential and Goroutines modes.
func supportsMode(w *workloads.Workload, m string) (bool, string) {
	if m == modeNative {
		if ok, why := w.Supports(workloads.Goroutines); !ok {
			return false, why
		}
		return w.Supports(workloads.Sequential)
	}
	return w.Supports(workloads.Mode(m))
}
