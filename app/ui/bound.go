package ui

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"conlab/app/charts"
	"conlab/workloads"
)

// speedBound is the best speed-up a lesson's runs can reach with N
// workers, set by its tasks rather than by the machine: 10 equal jobs on
// 4 workers take three turns (4 + 4 + 2), so they run at most 10 ÷ 3 =
// 3.3 times faster than one after another, not 4; sleeps of 1 to 5 units
// end with the longest, so no number of workers beats 15 ÷ 5 = 3 times.
type speedBound struct {
	// At returns the best speed-up with n workers; nil when it is n (the
	// run splits into one equal task per worker).
	At func(n int) float64
	// CPU says the tasks compute: no more of them run at once than there
	// are cores, so the cores bound the speed-up too.
	CPU bool
	// Why names the tasks that set the bound, in a student's words: "10
	// equal jobs".
	Why string
	// InOrder returns the best speed-up with n goroutines that take the
	// tasks in their order, each the next one as soon as it is free, as
	// the engine's lanes do; nil when the tasks are equal (it is At).
	InOrder func(n int) float64
}

// lessonBound returns the bound of a lesson's runs with params.
func lessonBound(workload string, params map[string]any) speedBound {
	num := func(name string) int64 {
		switch v := params[name].(type) {
		case int64:
			return v
		case int:
			return int64(v)
		case float64:
			return int64(v)
		}
		return 0
	}
	oneToN := func(n int64) []float64 {
		u := make([]float64, max(n, 0))
		for i := range u {
			u[i] = float64(i + 1)
		}
		return u
	}
	equal := func(n int64, noun string) speedBound {
		return speedBound{At: tasksBound(equalTasks(n), 0), Why: count(int(n), "equal "+noun)}
	}
	switch workload {
	case "sumsquares":
		// Job x sums base + x squares.
		jobs := make([]float64, max(num("numbers"), 0))
		for x := range jobs {
			jobs[x] = float64(num("base") + int64(x))
		}
		return unequalBound(jobs, count(len(jobs), "job"))
	case "mergesort":
		return equal(num("lists"), "list")
	case "counter":
		if params["sync"] == "mutex" {
			return speedBound{At: func(int) float64 { return 1 }, Why: "the lock lets one task add at a time"}
		}
		return equal(num("tasks"), "task")
	case "sleep":
		if params["pattern"] == "2,3" {
			return unequalBound([]float64{2, 3}, "delays of 2 and 3 units")
		}
		n := num("tasks")
		why := "1 sleep of 1 unit"
		if n > 1 {
			why = fmt.Sprintf("sleeps of 1 to %d units", n)
		}
		return unequalBound(oneToN(n), why)
	case "download":
		return equal(num("pages"), "page")
	case "dbupdate":
		if params["variant"] == "locked" {
			return speedBound{At: func(int) float64 { return 1 }, Why: "the lock lets one task in at a time"}
		}
		return speedBound{At: tasksBound(equalTasks(2), 0), Why: "two tasks"}
	case "blocking":
		units := oneToN(num("tasks"))
		if b := num("blocker"); b >= 0 && b < int64(len(units)) {
			units[b] = float64(num("block"))
		}
		return unequalBound(units, "tasks of "+unitList(units))
	case "semaphore":
		k := num("limit")
		return speedBound{At: tasksBound(equalTasks(num("tasks")), int(k)), CPU: params["cpu"] == true,
			Why: fmt.Sprintf("%s, %s", count(int(num("tasks")), "task"), count(int(k), "permit"))}
	case "queue":
		return queueBound(int(num("items")), int(num("producers")), float64(num("produce")), float64(num("consume")))
	case "pool":
		ms := workloads.PoolJobMS(int(num("jobs")), num("duration"), num("vary"))
		jobs := make([]float64, len(ms))
		for i, m := range ms {
			jobs[i] = float64(m)
		}
		why := count(len(jobs), "equal job")
		if num("vary") > 0 {
			why = count(len(jobs), "job")
		}
		b := unequalBound(jobs, why)
		b.CPU = params["cpu"] == true
		return b
	case "subprocess":
		why := fmt.Sprintf("%d children", num("children"))
		if num("children") == 1 {
			why = "1 child"
		}
		return speedBound{At: tasksBound(equalTasks(num("children")), 0), Why: why}
	}
	return speedBound{}
}

// equalTasks returns n tasks of one unit each.
func equalTasks(n int64) []float64 {
	t := make([]float64, max(n, 0))
	for i := range t {
		t[i] = 1
	}
	return t
}

// tasksBound returns the best speed-up of tasks run by n workers, at most
// limit of them at once when limit > 0: their time one after another
// over the best schedule's. Tasks of no length bound nothing: the
// speed-up is then n.
func tasksBound(tasks []float64, limit int) func(n int) float64 {
	var sum float64
	for _, t := range tasks {
		sum += t
	}
	return func(n int) float64 {
		if limit > 0 {
			n = min(n, limit)
		}
		m := bestMakespan(tasks, n)
		if sum <= 0 || m <= 0 {
			return float64(n)
		}
		return sum / m
	}
}

// unequalBound is the bound of tasks of the given lengths, and of taking
// them in their order.
func unequalBound(tasks []float64, why string) speedBound {
	b := speedBound{At: tasksBound(tasks, 0), Why: why}
	var sum float64
	for _, t := range tasks {
		sum += t
	}
	b.InOrder = func(n int) float64 {
		m := inOrderMakespan(tasks, n)
		if sum <= 0 || m <= 0 {
			return float64(n)
		}
		return sum / m
	}
	return b
}

// inOrderMakespan returns how long lanes lanes take to run tasks of the
// given lengths when each lane, as soon as it is free, takes the next
// task in their order.
func inOrderMakespan(tasks []float64, lanes int) float64 {
	if len(tasks) == 0 || lanes < 1 {
		return 0
	}
	free := make([]float64, min(lanes, len(tasks)))
	for _, t := range tasks {
		free[slices.Index(free, slices.Min(free))] += t
	}
	return slices.Max(free)
}

// queueBound is the best speed-up of the queue lesson: one after another,
// the producers make every item and then it is used; with n lanes, the
// producers make items side by side and n - producers consumers use them,
// each item no sooner than it is made. Identical items taken in the order
// they are made, each by the first free consumer, is the best schedule.
func queueBound(items, producers int, produce, consume float64) speedBound {
	why := fmt.Sprintf("%s from %s", count(items, "item"), count(producers, "producer"))
	if items < 1 || producers < 1 || produce+consume <= 0 {
		return speedBound{Why: why}
	}
	return speedBound{Why: why, At: func(n int) float64 {
		consumers := n - producers
		if consumers < 1 {
			return float64(n)
		}
		free := make([]float64, consumers)
		end := 0.0
		for i := range items {
			made := produce * float64(i/producers+1)
			c := 0
			for j := range free {
				if free[j] < free[c] {
					c = j
				}
			}
			free[c] = max(free[c], made) + consume
			end = max(end, free[c])
		}
		return float64(items) * (produce + consume) / end
	}}
}

// unitList names task lengths in units: "1 to 5 units" when they are 1,
// 2, …, n in some order, else each of them: "1, 2, 9 units".
func unitList(units []float64) string {
	seen := map[float64]bool{}
	for _, u := range units {
		seen[u] = true
	}
	run := len(seen) == len(units)
	for i := range units {
		run = run && seen[float64(i+1)]
	}
	switch {
	case len(units) == 1:
		return count(int(units[0]), "unit")
	case run:
		return fmt.Sprintf("1 to %d units", len(units))
	}
	s := ""
	for i, u := range units {
		if i > 0 {
			s += ", "
		}
		s += strconv.FormatFloat(u, 'f', -1, 64)
	}
	return s + " units"
}

// timesText prints a speed-up for a label: "3×", "3.3×".
func timesText(b float64) string {
	if math.Abs(b-math.Round(b)) < 0.005 {
		return fmt.Sprintf("%.0f×", b)
	}
	return fmt.Sprintf("%.1f×", b)
}

// boundLine is the best speed-up line of a chart: through the best at
// each worker count from 1 to the chart's largest N.
func boundLine(lay charts.Speedup, best func(n int) float64) []charts.Point {
	out := []charts.Point{{X: lay.X.Map(0), Y: lay.Y.Map(0)}}
	for n := 1; n <= int(lay.X.D1); n++ {
		out = append(out, charts.Point{X: lay.X.Map(float64(n)), Y: lay.Y.Map(best(n))})
	}
	return out
}
