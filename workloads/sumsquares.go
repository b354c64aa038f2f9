package workloads

import (
	"fmt"
	"strconv"
)

func init() {
	Register(&Workload{
		ID:    "sumsquares",
		Title: "Sum of squares: a pool of CPU-bound jobs, and more workers than cores",
		Kind:  CPU,
		Summary: "For each of several numbers n, add up i*i for every i below n: a pile of independent, " +
			"purely CPU-bound jobs. A pool of lanes takes the jobs one at a time. Python threads take turns " +
			"under the GIL and a process pool is only faster if the machine has spare cores. The same holds " +
			"here: goroutines inside one WebAssembly instance share one thread (cooperative: no speed-up); " +
			"Web Workers and native goroutines run in parallel, but only up to the number of cores. Ask for " +
			"more lanes than cores and the run gets no faster: the extra lanes just take turns, and in the " +
			"workers mode each one still pays to start.",
		Mapping: "sum_squares(n) is the Python function; the Go task computes the same sum for one number. " +
			"The sequential mode is the plain loop over the numbers; goroutines/cooperative is a thread pool; " +
			"workers is the multiprocessing Pool, each Web Worker one process taking numbers from the queue.",
		Params: []Param{
			IntParam("base", "Base", "", 50_000_000, 1, 1_000_000_000,
				"Each job sums i*i for every i below base + x, for x = 0, 1, 2, ... (the lesson used 10,000,000)."),
			IntParam("numbers", "Numbers", "jobs", 20, 1, 1000,
				"How many numbers (jobs) to sum; lanes take them one at a time."),
		},
		Python: sumsquaresPython,
		Source: sumsquaresSource,
		Quick:  map[string]any{"base": 20_000, "numbers": 6},
		Plan:   planSumSquares,
		Cost:   cpuLanes,
	})
}

func planSumSquares(a Args, n int) (*Plan, error) {
	base, count := a.Int("base"), a.Int("numbers")
	labels := make([]string, count)
	for x := range labels {
		labels[x] = "sum i*i for i < " + GroupDigits(base+int64(x))
	}
	return &Plan{
		Tasks: labels,
		New:   func() Instance { return sumSquaresInstance(base) },
		Combine: func(o Outputs) Check {
			return checkSumSquares(base, int(count), o.Values)
		},
	}, nil
}

type sumSquaresInstance int64

func (base sumSquaresInstance) Run(t *T, x int) (uint64, error) {
	n := uint64(int64(base) + int64(x))
	var s uint64
	for lo := uint64(0); lo < n; {
		// Sum in chunks so a cancelled run stops within milliseconds.
		hi := min(n, lo+1<<20)
		s += sumSquares(lo, hi)
		lo = hi
		if err := t.Err(); err != nil {
			return s, err
		}
	}
	return s, nil
}

// sumSquares returns the sum of i*i for lo <= i < hi, wrapping modulo
// 2^64 as uint64 arithmetic does: the Python lesson's
// `sum(i * i for i in range(n))`, one multiply and one add per number.
//
// The loop takes four numbers per turn because Go's wasm code pays a jump
// through a table at every turn of a loop: this shape runs about 2.5
// times faster in wasm, and 1.5 times natively, than one number per turn. It is kept out of line so that in wasm it is a function of its
// own, called once per chunk: the engine runs a function's first calls
// unoptimised and switches on a later call, which then comes within the
// first task instead of only at the next one.
//
//go:noinline
func sumSquares(lo, hi uint64) uint64 {
	var s uint64
	i := lo
	for ; i < hi && hi-i >= 4; i += 4 {
		s += i*i + (i+1)*(i+1) + (i+2)*(i+2) + (i+3)*(i+3)
	}
	for ; i < hi; i++ {
		s += i * i
	}
	return s
}

// squaresBelow returns the sum of i*i for 0 <= i < n modulo 2^64, from the
// closed form n(n-1)(2n-1)/6 (n < 2^63). The product overflows before the
// division, so the division goes first: one of n and n-1 is even and one
// of the three factors is a multiple of 3; dividing those factors leaves
// an exact product, which wraps modulo 2^64 as the sums do. (Big numbers
// would do too, at 70 KB of code in the worker binary.)
func squaresBelow(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	f := [3]uint64{n, n - 1, 2*n - 1}
	for _, d := range []uint64{2, 3} {
		for i := range f {
			if f[i]%d == 0 {
				f[i] /= d
				break
			}
		}
	}
	return f[0] * f[1] * f[2]
}

func checkSumSquares(base int64, count int, values []uint64) Check {
	const how = "sums wrap around modulo 2^64 (Go's uint64); expected: the closed form n(n-1)(2n-1)/6, computed exactly and reduced modulo 2^64"
	var got, want uint64
	bad := -1
	for x := range count {
		e := squaresBelow(uint64(base + int64(x)))
		want += e
		if x >= len(values) {
			continue
		}
		got += values[x]
		if values[x] != e && bad < 0 {
			bad = x
		}
	}
	c := Check{Value: strconv.FormatUint(got, 10), Expected: strconv.FormatUint(want, 10), OK: bad < 0 && len(values) == count}
	switch {
	case c.OK:
		c.Note = fmt.Sprintf("all %s sums are right; %s", GroupDigits(int64(count)), how)
	case len(values) != count:
		c.Note = fmt.Sprintf("%s sums came back, want %s", GroupDigits(int64(len(values))), GroupDigits(int64(count)))
	default:
		c.Note = fmt.Sprintf("the sum for i < %s is wrong; %s", GroupDigits(base+int64(bad)), how)
	}
	return c
}
