//go:build !wasm

package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"conlab/workloads"
)

// What the embedding scenario reads of a run's timeline.

// runWall is a run's time without the worker start-up it paid.
func runWall(r *workloads.Result) int64 { return r.WallUS - r.StartupUS }

func sleepUnits(r *workloads.Result) []int64 {
	n := asInt(r.Params["tasks"])
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func asInt(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case json.Number:
		i, _ := x.Int64()
		return int(i)
	}
	return 0
}

// waitingAtOnce is the most tasks waiting at once on r's timeline.
func waitingAtOnce(r *workloads.Result) int {
	best := 0
	for _, a := range r.Spans {
		if a.State != workloads.Waiting {
			continue
		}
		tasks := map[int]bool{}
		for _, b := range r.Spans {
			if b.State == workloads.Waiting && b.Start <= a.Start && a.Start < b.End {
				tasks[b.Task] = true
			}
		}
		best = max(best, len(tasks))
	}
	return best
}

// maxOverlap is the largest overlap of two tasks' running time, as a
// share of the shorter one.
func maxOverlap(r *workloads.Result) float64 {
	type span struct{ start, end int64 }
	byTask := map[int]span{}
	for _, s := range r.Spans {
		if s.Task < 0 || s.State != workloads.Running {
			continue
		}
		b, ok := byTask[s.Task]
		if !ok {
			b = span{s.Start, s.End}
		}
		b.start, b.end = min(b.start, s.Start), max(b.end, s.End)
		byTask[s.Task] = b
	}
	tasks := make([]int, 0, len(byTask))
	for k := range byTask {
		tasks = append(tasks, k)
	}
	slices.Sort(tasks)
	best := 0.0
	for i, a := range tasks {
		for _, b := range tasks[i+1:] {
			x, y := byTask[a], byTask[b]
			shorter := min(x.end-x.start, y.end-y.start)
			if shorter <= 0 {
				continue
			}
			o := min(x.end, y.end) - max(x.start, y.start)
			best = max(best, float64(o)/float64(shorter))
		}
	}
	return best
}

func spansText(r *workloads.Result) string {
	var b strings.Builder
	for _, s := range r.Spans {
		fmt.Fprintf(&b, "  lane %d task %d %-8s %8d..%8d µs %s\n", s.Lane, s.Task, s.State, s.Start, s.End, s.Label)
	}
	return b.String()
}

func us(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
