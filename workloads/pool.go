package workloads

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "pool",
		Title: "Worker pool: K workers drain a queue of jobs",
		Kind:  Sync,
		Summary: "A pool is a fixed number of workers that take jobs from a queue: each worker runs one job, then " +
			"takes the next, until none is left. With 4 workers and 10 one-second jobs, four run at a time and the " +
			"whole takes about three seconds (4 + 4 + 2), not ten and not one. Here the lanes are the pool: K " +
			"goroutines, or K Web Workers in the workers mode, drain the run's jobs. Results come back in the order " +
			"jobs finish, not the order they were submitted, like the futures of a Python thread pool: the check " +
			"lists that completion order and makes sure every job finished exactly once. Make the jobs CPU-bound to " +
			"see the difference between the modes: sleeping jobs overlap in any pool, busy ones only in a pool " +
			"of real threads (workers, or native goroutines).",
		Mapping: "The Python program's ThreadPoolExecutor(max_workers=4) is the run's lanes (workers = 4); " +
			"each submit(job, i) is one task; as_completed(futures) is the completion order reported in the check. " +
			"time.sleep(DURATION) is the job's work; the cpu option replaces it with a busy loop, which Python " +
			"would run in a ProcessPoolExecutor to get parallelism.",
		Params: []Param{
			IntParam("jobs", "Jobs", "jobs", 10, 1, 1000, "How many jobs the pool drains."),
			IntParam("duration", "Job length", "ms", 250, 0, 10_000, "How long each job takes."),
			IntParam("vary", "Variation", "%", 0, 0, 90,
				"Make job lengths differ by up to this much (the same for every run), so jobs finish out of order."),
			BoolParam("cpu", "CPU work", false, "Keep the CPU busy during a job instead of sleeping."),
		},
		Python: poolPython,
		Source: poolSource,
		Quick:  map[string]any{"jobs": 6, "duration": 1},
		Plan:   planPool,
		Cost:   cpuOption(""),
	})
}

func planPool(a Args, n int) (*Plan, error) {
	jobs := int(a.Int("jobs"))
	base, vary := a.Int("duration"), a.Int("vary")
	lengths := make([]time.Duration, jobs)
	labels := make([]string, jobs)
	for i, ms := range PoolJobMS(jobs, base, vary) {
		lengths[i] = time.Duration(ms) * time.Millisecond
		labels[i] = fmt.Sprintf("job %d", i)
	}
	cpu := a.Bool("cpu")
	return &Plan{
		Tasks:   labels,
		New:     func() Instance { return &poolInstance{lengths: lengths, cpu: cpu} },
		Combine: func(o Outputs) Check { return poolCheck(o, jobs) },
	}, nil
}

// PoolJobMS returns the length in milliseconds of each of the pool
// lesson's jobs: base, spread by up to vary percent with a fixed pattern.
func PoolJobMS(jobs int, base, vary int64) []int64 {
	ms := make([]int64, max(jobs, 0))
	for i := range ms {
		ms[i] = base * (100 + jobVariation(i, vary)) / 100
	}
	return ms
}

// jobVariation spreads job i's length over -vary..+vary percent with a
// fixed pattern, so every run of the same parameters has the same jobs.
func jobVariation(i int, vary int64) int64 {
	if vary == 0 {
		return 0
	}
	return int64(i*37+11)%(2*vary+1) - vary
}

type poolInstance struct {
	lengths []time.Duration
	cpu     bool
	done    atomic.Int64 // jobs this instance finished
}

// Run does job i and returns when it finished, in microseconds since the
// run's start plus one (so that 0 means "never finished"). Every lane and
// worker reads the same clock, so the values give the completion order.
func (p *poolInstance) Run(t *T, i int) (uint64, error) {
	d := p.lengths[i]
	label := fmt.Sprintf("job %d: work %s", i, formatDuration(d))
	var err error
	if p.cpu {
		t.Phase(label, Running)
		t.Busy(d)
		err = t.Err()
	} else {
		err = waitSpan(t, label, d)
	}
	if err != nil {
		return 0, err
	}
	t.Phase(fmt.Sprintf("job %d done", i), Running)
	p.done.Add(1)
	return uint64(t.Now()/time.Microsecond) + 1, nil
}

// Final reports how many jobs this instance (one per worker in the workers
// mode) finished.
func (p *poolInstance) Final() uint64 { return uint64(p.done.Load()) }

// poolOrder returns the jobs in the order they finished: by completion time,
// then by index for jobs that finished in the same microsecond. Jobs that
// never finished (value 0) are left out.
func poolOrder(values []uint64) []int {
	var order []int
	for i, v := range values {
		if v > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case values[a] < values[b]:
			return -1
		case values[a] > values[b]:
			return 1
		}
		return 0
	})
	return order
}

// poolCheck passes when every job finished exactly once: each reported a
// completion and the instances' counts add up to the number of jobs.
func poolCheck(o Outputs, jobs int) Check {
	order := poolOrder(o.Values)
	counted := sum(o.Finals)
	c := Check{
		Value:    fmt.Sprintf("%d of %d jobs done", len(order), jobs),
		Expected: fmt.Sprintf("%d of %d jobs done", jobs, jobs),
		OK:       len(order) == jobs && counted == uint64(jobs),
	}
	ids := make([]string, len(order))
	for k, i := range order {
		ids[k] = fmt.Sprint(i)
	}
	c.Note = "completion order: " + strings.Join(ids, " ")
	if len(order) == jobs && counted != uint64(jobs) {
		c.Note = fmt.Sprintf("the workers counted %d jobs done, not %d; ", counted, jobs) + c.Note
	}
	return c
}
