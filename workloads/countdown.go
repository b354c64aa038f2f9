package workloads

func init() {
	Register(&Workload{
		ID:    "countdown",
		Title: "Count down: CPU-bound work on threads, goroutines and workers",
		Kind:  CPU,
		Summary: "Decrement a counter to zero: pure CPU work with nothing to wait for. " +
			"Splitting the count over N lanes only helps if the lanes really run at the same time. " +
			"Python threads take turns under the GIL, so two threads are no faster than one; " +
			"processes run in parallel and finish about N times sooner. In the browser, goroutines " +
			"inside one WebAssembly instance share one thread (cooperative: no speed-up), while N Web " +
			"Workers are N threads (parallel: up to the number of cores). Natively, goroutines at " +
			"GOMAXPROCS=N are real threads; the gap between workers and native is the cost of wasm.",
		Mapping: "countdown(n) is the Python countdown function; each task is one thread or process of " +
			"the Python program, counting its share of the total. The sequential mode is the single call, " +
			"goroutines/cooperative are the threads, workers are the processes.",
		Params: []Param{
			IntParam("count", "Count", "decrements", 1_000_000_000, 1, 20_000_000_000,
				"How many times to decrement the counter in total; split evenly over the lanes."),
		},
		Python: countdownPython,
		Source: countdownSource,
		Quick:  map[string]any{"count": 100_000},
		Plan:   planCountdown,
		Cost:   cpuLanes,
	})
}

func planCountdown(a Args, n int) (*Plan, error) {
	total := a.Int("count")
	parts := split(total, n)
	labels := make([]string, len(parts))
	for i, p := range parts {
		labels[i] = "count down " + GroupDigits(p)
	}
	return &Plan{
		Tasks: labels,
		New:   func() Instance { return countdownInstance(parts) },
		Combine: func(o Outputs) Check {
			return equalCheck(sum(o.Values), uint64(total), "every decrement was done")
		},
	}, nil
}

type countdownInstance []int64

func (parts countdownInstance) Run(t *T, i int) (uint64, error) {
	n, done := parts[i], uint64(0)
	for n > 0 {
		// Count in chunks so a cancelled run stops within milliseconds.
		step := min(n, 1<<22)
		done += countdown(step)
		n -= step
		if err := t.Err(); err != nil {
			return done, err
		}
	}
	return done, nil
}

// countdown decrements n to zero and returns how many steps it took: the
// whole of the Python lesson's loop `while n > 0: n -= 1`. It stays a
// function of its own so the browser optimises it after the first chunk.
//
//go:noinline
func countdown(n int64) uint64 {
	var steps uint64
	for n > 0 {
		n--
		steps++
	}
	return steps
}
