package ui

import (
	"math"
	"slices"
)

// makespanBudget bounds the schedules bestMakespan tries one by one
// before it settles for the best it has found.
const makespanBudget = 200_000

// bestMakespan returns the shortest time in which lanes lanes can run
// tasks of the given lengths, each task on one lane from start to end,
// in any order: the length of the best possible schedule. Equal tasks
// take ceil(tasks ÷ lanes) turns. Unequal ones are placed longest first
// on the least loaded lane; when that schedule is longer than the lower
// bounds (the longest task, the work shared evenly, and the shortest
// pair of turns among the longest tasks), every schedule is searched,
// up to makespanBudget of them, keeping the best.
func bestMakespan(tasks []float64, lanes int) float64 {
	if len(tasks) == 0 || lanes < 1 {
		return 0
	}
	p := slices.Clone(tasks)
	slices.SortFunc(p, func(a, b float64) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	if lanes >= len(p) {
		return p[0]
	}
	if p[0] == p[len(p)-1] {
		return math.Ceil(float64(len(p))/float64(lanes)) * p[0]
	}
	var sum float64
	for _, t := range p {
		sum += t
	}
	// Lower bounds: the longest task; the work shared evenly; and, of the
	// k·lanes+1 longest tasks, some lane runs k+1: at least the k+1
	// shortest of them.
	low := max(p[0], sum/float64(lanes))
	for k := 1; k*lanes < len(p); k++ {
		var turn float64
		for i := k*lanes - k; i <= k*lanes; i++ {
			turn += p[i]
		}
		low = max(low, turn)
	}
	// Longest first, each on the least loaded lane.
	load := make([]float64, lanes)
	for _, t := range p {
		load[slices.Index(load, slices.Min(load))] += t
	}
	best := slices.Max(load)
	if best <= low*(1+1e-9) {
		return best
	}
	clear(load)
	tried := 0
	var place func(i int, longest float64)
	place = func(i int, longest float64) {
		if tried++; tried > makespanBudget || longest >= best {
			return
		}
		if i == len(p) {
			best = longest
			return
		}
		for l := range load {
			// Lanes of equal load are interchangeable: try one.
			if slices.Contains(load[:l], load[l]) || load[l]+p[i] >= best {
				continue
			}
			load[l] += p[i]
			place(i+1, max(longest, load[l]))
			load[l] -= p[i]
			if best <= low*(1+1e-9) {
				return
			}
		}
	}
	place(0, 0)
	return best
}
