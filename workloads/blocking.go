package workloads

import (
	"fmt"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "blocking",
		Title: "Blocking: one busy-wait stalls every cooperative task",
		Kind:  IOWrong,
		Summary: "The tasks of the sleep lesson, but one of them, instead of sleeping (and handing the " +
			"thread over), waits by spinning on the CPU: a blocking call. Cooperative scheduling only " +
			"switches tasks when one waits, so in Python's asyncio, and in the cooperative mode here " +
			"(goroutines inside one WebAssembly instance, one thread, no preemption), nothing else runs " +
			"until the busy-wait ends: the other tasks' sleeps are over but they cannot finish, and the " +
			"whole run is pushed back. The timeline shows the stall. In the workers mode each task has its " +
			"own thread and the others are unaffected. Natively Go is not cooperative: with GOMAXPROCS of 2 " +
			"or more another thread takes the others, and even at GOMAXPROCS=1 Go's scheduler preempts the " +
			"spinning goroutine every few milliseconds, so the stall does not happen.",
		Mapping: "The Python program's `time.sleep(3)` inside a coroutine (instead of `await asyncio.sleep(3)`) " +
			"is t.Busy here: a wait that keeps the thread. The other tasks are the sleep lesson's " +
			"`await asyncio.sleep(k)`, t.Sleep.",
		Params: []Param{
			IntParam("tasks", "Tasks", "tasks", 5, 1, 64,
				"How many tasks; task k sleeps k units, except the blocker."),
			IntParam("unit", "Unit", "ms", 100, 1, 10_000,
				"How long one unit lasts (the lesson's second, scaled down)."),
			IntParam("blocker", "Blocker", "task", 2, -1, 63,
				"Which task busy-waits instead of sleeping (counting from 0); -1 for none, the control run."),
			IntParam("block", "Busy-wait", "units", 3, 0, 100,
				"How many units the blocker busy-waits."),
		},
		Python: blockingPython,
		Source: blockingSource,
		Quick:  map[string]any{"tasks": 3, "unit": 1, "blocker": 1, "block": 2},
		Plan:   planBlocking,
		Cost:   costBlocking,
	})
}

func planBlocking(a Args, n int) (*Plan, error) {
	tasks, blocker, block := a.Int("tasks"), a.Int("blocker"), a.Int("block")
	if blocker >= tasks {
		return nil, &ParamError{Field: "blocker", Msg: fmt.Sprintf(
			"parameter blocker: task %d does not exist; allowed: -1 (none) or a task from 0 to %d", blocker, tasks-1)}
	}
	unit := time.Duration(a.Int("unit")) * time.Millisecond
	b := blockingInstance{unit: unit, blocker: int(blocker), units: make([]int64, tasks)}
	labels := make([]string, tasks)
	var total int64
	for i := range b.units {
		b.units[i] = int64(i + 1)
		labels[i] = fmt.Sprintf("task %d: sleep %d × %s", i, i+1, formatDuration(unit))
		if i == b.blocker {
			b.units[i] = block
			labels[i] = fmt.Sprintf("task %d: busy-wait %d × %s", i, block, formatDuration(unit))
		}
		total += b.units[i]
	}
	return &Plan{
		Tasks: labels,
		New:   func() Instance { return b },
		Combine: func(o Outputs) Check {
			return equalCheck(sum(o.Values), uint64(total), "every task finished; look at the timeline for when")
		},
	}, nil
}

type blockingInstance struct {
	units   []int64
	unit    time.Duration
	blocker int
}

// Run waits task i's units: by sleeping, which hands the thread over, or,
// for the blocker, by spinning on the CPU, which does not.
func (b blockingInstance) Run(t *T, i int) (uint64, error) {
	d := time.Duration(b.units[i]) * b.unit
	if i == b.blocker {
		t.Phase(fmt.Sprintf("busy-wait %s (holds the thread)", formatDuration(d)), Running)
		t.Busy(d)
		return uint64(b.units[i]), t.Err()
	}
	if err := t.Sleep(d); err != nil {
		return 0, err
	}
	return uint64(b.units[i]), nil
}
