package ui

import (
	"fmt"
	"math"

	"conlab/app/charts"
)

// speedBound is the best speed-up a waiting lesson can reach, whatever the
// number of workers, and why; 0 when the lesson has no such bound (its
// ideal is N times, or the cores). Sleeps that overlap end with the
// longest: tasks sleeping 1 to 5 units take 15 units one after another
// and 5 at best, so 3 times faster is the most there is.
func speedBound(workload string, params map[string]any) (float64, string) {
	num := func(name string) int64 {
		switch v := params[name].(type) {
		case int64:
			return v
		case int:
			return int64(v)
		}
		return 0
	}
	sumLongest := func(units []int64) float64 {
		var sum, longest int64
		for _, u := range units {
			sum += u
			longest = max(longest, u)
		}
		if longest <= 0 {
			return 0
		}
		return float64(sum) / float64(longest)
	}
	oneToN := func(n int64) []int64 {
		u := make([]int64, max(n, 0))
		for i := range u {
			u[i] = int64(i + 1)
		}
		return u
	}
	switch workload {
	case "sleep":
		units := oneToN(num("tasks"))
		why := "the longest sleep"
		if params["pattern"] == "2,3" {
			units = []int64{2, 3}
			why = "the longer delay"
		}
		return sumLongest(units), why
	case "blocking":
		units := oneToN(num("tasks"))
		if b := num("blocker"); b >= 0 && b < int64(len(units)) {
			units[b] = num("block")
		}
		return sumLongest(units), "the longest task"
	case "semaphore":
		if k := num("limit"); k > 0 && num("tasks") > k {
			return float64(k), fmt.Sprintf("%d permits", k)
		}
	case "dbupdate":
		return 2, "two tasks"
	case "subprocess":
		// Each child is one task: N lanes run at most that many at once.
		if n := num("children"); n == 1 {
			return 1, "1 child"
		} else if n > 1 {
			return float64(n), fmt.Sprintf("%d children", n)
		}
	}
	return 0, ""
}

// boundText names a bound line: "best possible: 3× (the longest sleep)".
func boundText(b float64, why string) string {
	s := fmt.Sprintf("%.1f", b)
	if b == math.Trunc(b) {
		s = fmt.Sprintf("%.0f", b)
	}
	return "best possible: " + s + "× (" + why + ")"
}

// boundLine is the ideal line of a speed-up chart bounded at b: N times up
// to b workers, then flat.
func boundLine(lay charts.Speedup, b float64) []charts.Point {
	maxN := lay.X.D1
	knee := min(b, maxN)
	out := []charts.Point{{X: lay.X.Map(0), Y: lay.Y.Map(0)}, {X: lay.X.Map(knee), Y: lay.Y.Map(knee)}}
	if knee < maxN {
		out = append(out, charts.Point{X: lay.X.Map(maxN), Y: lay.Y.Map(knee)})
	}
	return out
}
