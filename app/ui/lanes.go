package ui

import (
	"fmt"
	"slices"

	"conlab/wasm"
	"conlab/workloads"
)

// laneWait is a stretch of a lane before its first task: on one thread,
// a goroutine starts only when the one holding the thread blocks or ends.
type laneWait struct {
	Lane       int
	Start, End int64 // µs; End is the lane's first span, or the run's end
	Never      bool  // the lane never ran a task
	Holder     int   // the lane that held the thread, -1 if none is known
}

// Text says why the lane waited, as the timeline writes it on the lane.
func (w laneWait) Text(laneName func(int) string) string {
	switch {
	case w.Never && w.Holder >= 0:
		return fmt.Sprintf("waiting for the thread the whole run: %s never yielded, and took every task", laneName(w.Holder))
	case w.Never:
		return "never ran a task: the others took them all"
	case w.Holder >= 0:
		return fmt.Sprintf("waiting for the thread: %s never yielded", laneName(w.Holder))
	}
	return "waiting for the thread"
}

// laneCount is runLanes of a record, whose spans the lab keeps apart.
func (l *lab) laneCount(r record) int {
	res := r.Result
	res.Spans = l.spans[r.ID]
	return runLanes(r.Mode, &res)
}

// runLanes returns how many lanes a run had: min(workers, tasks), as the
// engine makes them, for the modes whose lanes share one thread
// (cooperative and main); 0 for the others, whose lanes are drawn from
// their spans.
func runLanes(mode Mode, res *workloads.Result) int {
	if mode != modeCooperative && mode != modeMain {
		return 0
	}
	tasks := 0
	if job, err := wasm.Prepare(workloads.Request{Workload: res.Workload, Mode: wasm.Cooperative, Workers: max(res.Workers, 1), Params: res.Params}); err == nil {
		tasks = len(job.Plan.Tasks)
	}
	if tasks == 0 {
		seen := map[int]bool{}
		for _, s := range res.Spans {
			if s.Task >= 0 {
				seen[s.Task] = true
			}
		}
		tasks = len(seen)
	}
	return min(max(res.Workers, 1), max(tasks, 1))
}

// laneWaits finds, for a run of lanes lanes on one thread, every lane
// whose first span starts late or never: the wait from the run's start
// (or its first span, start-up aside) to the lane's first span, and the
// lane that was running meanwhile. A wait shorter than 2 % of the run
// (and than a millisecond) is a goroutine's turn, not a held thread; so
// is a late start while no other lane ran most of the wait.
func laneWaits(spans []workloads.Span, lanes int, wall int64) []laneWait {
	if lanes < 2 {
		return nil
	}
	first := map[int]int64{}
	var t0, end int64 = -1, wall
	for _, s := range spans {
		if s.Task < 0 {
			continue
		}
		if f, ok := first[s.Lane]; !ok || s.Start < f {
			first[s.Lane] = s.Start
		}
		if t0 < 0 || s.Start < t0 {
			t0 = s.Start
		}
		end = max(end, s.End)
	}
	if t0 < 0 {
		return nil
	}
	min := max(int64(1000), (end-t0)/50)
	var out []laneWait
	for lane := range lanes {
		f, ok := first[lane]
		if ok && f-t0 < min {
			continue
		}
		w := laneWait{Lane: lane, Start: t0, End: end, Never: !ok, Holder: -1}
		if ok {
			w.End = f
		}
		w.Holder = holder(spans, lane, w.Start, w.End)
		if !w.Never && w.Holder < 0 {
			// A late start with no goroutine holding the thread meanwhile
			// (say, twenty goroutines each starting a fetch in turn) is
			// not a held thread: nothing to say.
			continue
		}
		out = append(out, w)
	}
	return out
}

// holder returns the lane other than lane that spent the most time
// running between from and to, or -1.
func holder(spans []workloads.Span, lane int, from, to int64) int {
	run := map[int]int64{}
	for _, s := range spans {
		if s.Lane == lane || s.Task < 0 || s.State != workloads.Running {
			continue
		}
		if d := min(s.End, to) - max(s.Start, from); d > 0 {
			run[s.Lane] += d
		}
	}
	best, most := -1, int64(0)
	ids := make([]int, 0, len(run))
	for id := range run {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if run[id] > most {
			best, most = id, run[id]
		}
	}
	// A holder shares the wait with nobody: it ran most of it.
	if most*2 < to-from {
		return -1
	}
	return best
}
