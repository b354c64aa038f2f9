package ui

import (
	"fmt"
	"slices"

	"conlab/workloads"
)

// runSpec is one run the lab asks an engine for.
type runSpec struct {
	Mode    Mode
	Workers int
	// Native is the engine mode of a native run: Sequential at
	// GOMAXPROCS=1 or Goroutines at GOMAXPROCS=Workers.
	Native workloads.Mode
	// Round is the spec's round of a Run all (1-based) out of Rounds; 0
	// for a single run.
	Round, Rounds int
}

// label names the run for the status line.
func (s runSpec) label() string {
	if r := roundsText(s.Round, s.Rounds); r != "" {
		return s.config() + ", " + r
	}
	return s.config()
}

// config names the run's configuration, whatever its round.
func (s runSpec) config() string {
	switch {
	case s.Mode == modeNative && s.Native == workloads.Sequential:
		return "native sequential (GOMAXPROCS=1)"
	case s.Mode == modeNative:
		return fmt.Sprintf("native goroutines × %d (GOMAXPROCS=%d)", s.Workers, s.Workers)
	case s.Mode == modeSequential:
		return "sequential"
	default:
		return fmt.Sprintf("%s × %d", modeLabel(s.Mode), s.Workers)
	}
}

// request builds the engine request of s.
func (s runSpec) request(workload string, params map[string]any) workloads.Request {
	r := workloads.Request{Workload: workload, Mode: workloads.Mode(s.Mode), Workers: s.Workers, Params: params}
	if s.Mode == modeNative {
		r.Mode = s.Native
		r.GOMAXPROCS = s.Workers
	}
	return r
}

// planAll lists the runs of "Run all": every chosen mode at every chosen
// worker count, the sequential baselines first (speed-ups need them), the
// freezing main-thread runs after the others, and native runs last (they
// share the server's cores, not the browser's). Sequential modes run once:
// they use one lane whatever the count. Native runs are planned only when
// a server can run them.
func planAll(w *workloads.Workload, modes []Mode, counts []int, nativeLive bool) []runSpec {
	counts = slices.Clone(counts)
	slices.Sort(counts)
	var out []runSpec
	has := func(m Mode) bool {
		ok, _ := supportsMode(w, m)
		return ok && slices.Contains(modes, m)
	}
	if has(modeSequential) {
		out = append(out, runSpec{Mode: modeSequential, Workers: 1})
	}
	for _, m := range []Mode{modeCooperative, modeWorkers, modeMain} {
		if has(m) {
			for _, n := range counts {
				out = append(out, runSpec{Mode: m, Workers: n})
			}
		}
	}
	if has(modeNative) && nativeLive {
		out = append(out, runSpec{Mode: modeNative, Workers: 1, Native: workloads.Sequential})
		for _, n := range counts {
			out = append(out, runSpec{Mode: modeNative, Workers: n, Native: workloads.Goroutines})
		}
	}
	return out
}

// planOne is the single run of the Run button: mode m at n workers.
func planOne(m Mode, n int) runSpec {
	switch m {
	case modeSequential:
		return runSpec{Mode: m, Workers: 1}
	case modeNative:
		if n <= 1 {
			return runSpec{Mode: m, Workers: 1, Native: workloads.Sequential}
		}
		return runSpec{Mode: m, Workers: n, Native: workloads.Goroutines}
	default:
		return runSpec{Mode: m, Workers: n}
	}
}
