package workloads

import (
	"fmt"
	"strings"
)

// Mode names how the tasks of a run are scheduled. The ids are part of the
// public interface (URLs, the embedding API, results). The engine defines
// and runs the two below; a package that runs the engine elsewhere (the
// browser's) names its own modes, each run by one of these in each Go
// instance, and refuses a workload whose [Needs] its mode cannot meet.
type Mode string

// The engine's modes: what [Run] executes in one Go program.
const (
	// Sequential runs every task on one goroutine, one after another.
	Sequential Mode = "sequential"
	// Goroutines runs the tasks on N goroutines in one memory. Natively
	// they are real threads up to GOMAXPROCS; inside a wasm instance they
	// are cooperative.
	Goroutines Mode = "goroutines"
)

// Modes are the engine's modes, in display order.
var Modes = []Mode{Sequential, Goroutines}

// Valid reports whether m is one of the engine's modes.
func (m Mode) Valid() bool {
	for _, k := range Modes {
		if k == m {
			return true
		}
	}
	return false
}

// ParseMode returns the engine mode named s or an error listing the valid
// ids.
func ParseMode(s string) (Mode, error) {
	m := Mode(s)
	if !m.Valid() {
		return "", &ParamError{Field: "mode", Msg: fmt.Sprintf("unknown mode %q (want one of %s)", s, JoinModes(Modes))}
	}
	return m, nil
}

// JoinModes joins the ids of ms with ", ", for messages.
func JoinModes(ms []Mode) string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = string(m)
	}
	return strings.Join(ids, ", ")
}

// Needs is what a workload requires of the place its tasks run, in the
// engine's terms. Each field, when set, is the reason, in words a student
// understands; a mode that cannot meet a need refuses the workload with
// it. The engine's own modes meet every need: they run in one memory, in
// a Go program the caller gives to the run.
type Needs struct {
	// OneMemory says why the tasks must share one memory (a lock, a
	// channel, a value they all update): lanes that each have a memory of
	// their own, passing only messages, cannot run them.
	OneMemory string
	// OwnProgram says why the run needs a Go program of its own: a task
	// ends its program on purpose, so the run cannot share a program that
	// must outlive it.
	OwnProgram string
}
