package workloads

import "fmt"

// Mode says how the tasks of a run are scheduled. The ids are part of the
// public interface (URLs, the embedding API, results).
type Mode string

// Engine modes: what [Run] executes in one process.
const (
	// Sequential runs every task on one goroutine, one after another.
	Sequential Mode = "sequential"
	// Goroutines runs the tasks on N goroutines. Natively they are real
	// threads up to GOMAXPROCS; inside a wasm instance they are cooperative.
	Goroutines Mode = "goroutines"
)

// Browser modes: how the browser engine schedules a run.
const (
	// Cooperative is the Goroutines mode inside one wasm instance in a Web
	// Worker: one thread, goroutines switch only when they block.
	Cooperative Mode = "cooperative"
	// Workers spreads the tasks over N Web Workers, each its own wasm
	// instance with its own memory, tasks and results passed as messages.
	Workers Mode = "workers"
	// Main is the cooperative run on the page's own thread: a deliberate
	// demonstration that the page freezes.
	Main Mode = "main"
)

// EngineModes are the modes [Run] accepts.
var EngineModes = []Mode{Sequential, Goroutines}

// AllModes lists every mode id, engine and browser, in display order.
var AllModes = []Mode{Sequential, Goroutines, Cooperative, Workers, Main}

// Engine returns the engine mode that runs m inside one instance:
// Cooperative and Main are Goroutines in wasm; Workers runs each task with
// Sequential in its worker.
func (m Mode) Engine() Mode {
	switch m {
	case Cooperative, Main, Goroutines:
		return Goroutines
	default:
		return Sequential
	}
}

// Valid reports whether m is one of the known mode ids.
func (m Mode) Valid() bool {
	for _, k := range AllModes {
		if k == m {
			return true
		}
	}
	return false
}

// ParseMode returns the mode named s or an error listing the valid ids.
func ParseMode(s string) (Mode, error) {
	m := Mode(s)
	if !m.Valid() {
		return "", &ParamError{Field: "mode", Msg: fmt.Sprintf("unknown mode %q (want one of %s)", s, joinModes(AllModes))}
	}
	return m, nil
}

func joinModes(ms []Mode) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += ", "
		}
		s += string(m)
	}
	return s
}
