package workloads

import (
	"fmt"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "sleep",
		Title: "Sleep: waiting overlaps, working does not",
		Kind:  IO,
		Summary: "Each task sleeps: it waits for a timer, as a program waits for a disk or a network, " +
			"and uses no CPU meanwhile. One after another the sleeps add up (1+2+3+4+5 units: 15 units); " +
			"run together they overlap and the run takes as long as the longest sleep (5 units). " +
			"Overlapping waits needs no parallel CPU: Python's asyncio does it on one thread, and so do " +
			"goroutines inside one WebAssembly instance (cooperative mode), because a sleeping goroutine " +
			"hands the thread over. Web Workers give the same overlap but pay their start-up first. " +
			"The timeline shows the waits side by side.",
		Mapping: "Each task is one `await asyncio.sleep(k)` coroutine (or one thread calling time.sleep); " +
			"t.Sleep is the await: the goroutine waits without the CPU. The sequential mode is the plain loop " +
			"of time.sleep calls; goroutines/cooperative is asyncio.gather.",
		Params: []Param{
			IntParam("tasks", "Tasks", "tasks", 5, 1, 64,
				"How many tasks sleep; with the 1..n pattern task k sleeps k units."),
			IntParam("unit", "Unit", "ms", 100, 1, 10_000,
				"How long one unit of sleep lasts (the lesson's second, scaled down)."),
			ChoiceParam("pattern", "Pattern", []string{"1..n", "2,3"},
				"1..n: task k sleeps k units (five tasks: 1 to 5 units). "+
					"2,3: two delayed messages of 2 and 3 units, the lesson's second example (Tasks is ignored)."),
		},
		Python: sleepPython,
		Source: sleepSource,
		Quick:  map[string]any{"tasks": 3, "unit": 1},
		Plan:   planSleep,
		Cost:   waits,
	})
}

// sleepUnits returns how many units each task sleeps.
func sleepUnits(a Args) []int64 {
	if a.String("pattern") == "2,3" {
		return []int64{2, 3}
	}
	units := make([]int64, a.Int("tasks"))
	for i := range units {
		units[i] = int64(i + 1)
	}
	return units
}

func planSleep(a Args, n int) (*Plan, error) {
	unit := time.Duration(a.Int("unit")) * time.Millisecond
	units := sleepUnits(a)
	labels := make([]string, len(units))
	var total, longest int64
	for i, u := range units {
		labels[i] = fmt.Sprintf("task %d: sleep %d × %s", i, u, formatDuration(unit))
		total += u
		longest = max(longest, u)
	}
	return &Plan{
		Tasks: labels,
		New:   func() Instance { return sleepInstance{units: units, unit: unit} },
		Combine: func(o Outputs) Check {
			return equalCheck(sum(o.Values), uint64(total), fmt.Sprintf(
				"every task slept: %d units in all, %s one after another; overlapped, the longest sleep: %s",
				total, formatDuration(time.Duration(total)*unit), formatDuration(time.Duration(longest)*unit)))
		},
	}, nil
}

type sleepInstance struct {
	units []int64
	unit  time.Duration
}

// Run sleeps task i's units and returns them. The sleep is the whole lesson:
// while it waits, the goroutine gives the thread to the others.
func (s sleepInstance) Run(t *T, i int) (uint64, error) {
	if err := t.Sleep(time.Duration(s.units[i]) * s.unit); err != nil {
		return 0, err
	}
	return uint64(s.units[i]), nil
}
