package workloads

import (
	"fmt"
	"strconv"
)

func init() {
	Register(&Workload{
		ID:    "mergesort",
		Title: "Merge sort: many CPU- and memory-bound jobs that make their own data",
		Kind:  CPUMemory,
		Summary: "Merge-sort many lists of random numbers. Each job makes its own list from a seed, so " +
			"nothing has to be copied to the lane that sorts it: the lesson is about the CPU (and the " +
			"memory each sort walks through), not about moving data. As with countdown, goroutines inside " +
			"one WebAssembly instance take turns on one thread and are no faster than one lane, while Web " +
			"Workers and native goroutines sort several lists at the same time, up to the number of cores. " +
			"Python's process pool sorted 1000 lists in 30 s instead of 2 minutes for the same reason.",
		Mapping: "merge_sort is the Python function and mergeSort the Go one (Go sorts into one scratch " +
			"buffer instead of making new lists). sort_list(seed) is one task: make the list from its seed, " +
			"sort it, check it. The sequential mode is the loop over the seeds; workers is the Pool.",
		Params: []Param{
			IntParam("lists", "Lists", "lists", 200, 1, 10_000,
				"How many lists to sort; each one is a task (the lesson used 1000)."),
			IntParam("size", "List size", "numbers", 30_000, 1, 1_000_000,
				"How many random numbers (0 to 999,999) each list holds."),
			IntParam("seed", "Seed", "", 1, 0, 1_000_000_000,
				"Makes the random lists; list k is made from seed and k, so every lane can make its own."),
		},
		Python: mergesortPython,
		Source: mergesortSource,
		Quick:  map[string]any{"lists": 6, "size": 1000},
		Plan:   planMergeSort,
		Cost:   costMergeSort,
	})
}

func planMergeSort(a Args, n int) (*Plan, error) {
	lists, size, seed := a.Int("lists"), int(a.Int("size")), uint64(a.Int("seed"))
	labels := make([]string, lists)
	for k := range labels {
		labels[k] = fmt.Sprintf("sort list %d (%s numbers)", k, GroupDigits(int64(size)))
	}
	return &Plan{
		Tasks: labels,
		New:   func() Instance { return &mergeSortInstance{size: size, seed: seed} },
		Combine: func(o Outputs) Check {
			return checkMergeSort(seed, size, int(lists), o.Values)
		},
	}, nil
}

type mergeSortInstance struct {
	size int
	seed uint64
}

// Run makes list k, sorts it and checks the result itself: it must be in
// order (one pass) and a permutation of the list it was given (the two
// lists' fingerprints agree). It returns the sorted list's fingerprint,
// which Combine recomputes from the seed alone.
func (m *mergeSortInstance) Run(t *T, k int) (uint64, error) {
	if err := t.Err(); err != nil {
		return 0, err
	}
	// One allocation for the list and its scratch buffer.
	buf := make([]int32, 2*m.size)
	data, scratch := buf[:m.size:m.size], buf[m.size:]
	in := makeList(data, m.seed, k)
	mergeSort(data, scratch)
	out, sorted := fingerprintSorted(data)
	if !sorted {
		return 0, fmt.Errorf("list %d is not in order after sorting", k)
	}
	if out != in {
		return 0, fmt.Errorf("list %d: the sorted list is not a permutation of the list to sort", k)
	}
	return out, nil
}

// listRNG returns the start of list k's random stream: every (seed, k)
// pair has its own, so any lane can make any list.
func listRNG(seed uint64, k int) uint64 { return seed<<32 ^ uint64(k) }

// nextValue advances a splitmix64 stream and maps it to 0..999,999
// (multiply-shift: no division).
func nextValue(state *uint64) int32 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return int32((z >> 32) * 1_000_000 >> 32)
}

// mix hashes one value for the fingerprint. A plain sum of the values
// would miss a list where one value is 1 too big and another 1 too small.
func mix(v int32) uint64 {
	z := uint64(uint32(v)) * 0x9e3779b97f4a7c15
	return (z ^ z>>29) * 0xbf58476d1ce4e5b9
}

// makeList fills data with list k of the run and returns its fingerprint:
// the sum of mix over the values, which does not depend on their order.
func makeList(data []int32, seed uint64, k int) uint64 {
	st, f := listRNG(seed, k), uint64(0)
	for i := range data {
		v := nextValue(&st)
		data[i] = v
		f += mix(v)
	}
	return f
}

// listFingerprint is makeList without the list: what Combine computes.
func listFingerprint(seed uint64, k, size int) uint64 {
	st, f := listRNG(seed, k), uint64(0)
	for range size {
		f += mix(nextValue(&st))
	}
	return f
}

// fingerprintSorted returns a's fingerprint and whether a is in order.
func fingerprintSorted(a []int32) (uint64, bool) {
	var f uint64
	sorted := true
	for i, v := range a {
		f += mix(v)
		if i > 0 && a[i-1] > v {
			sorted = false
		}
	}
	return f, sorted
}

// insertionCutoff is the length below which sorting by insertion beats
// splitting further; it does not change the result.
const insertionCutoff = 24

// mergeSort sorts a, using scratch (at least as long as a) as the second
// buffer merges write into. It allocates nothing.
func mergeSort(a, scratch []int32) {
	scratch = scratch[:len(a)]
	copy(scratch, a)
	sortInto(a, scratch)
}

// sortInto sorts src's values into dst. dst and src have the same length
// and hold the same values on entry; src is clobbered. The halves are
// sorted into src (using dst as their scratch) and merged back into dst,
// so the two buffers swap roles at each level and nothing is copied back.
func sortInto(dst, src []int32) {
	n := len(dst)
	if n <= insertionCutoff {
		insertionSort(dst)
		return
	}
	mid := n / 2
	sortInto(src[:mid], dst[:mid])
	sortInto(src[mid:], dst[mid:])
	merge(dst, src[:mid], src[mid:])
}

// merge merges the sorted slices l and r into dst (len(l)+len(r) long).
// Taking from l on ties keeps the sort stable.
//
// Which head is smaller is a coin toss on random data, so instead of
// branching on it the loop computes what to take and which index to
// advance; the compiler turns the small if into a conditional move (a
// select in wasm). That runs about 1.4x faster natively and 2x in wasm.
func merge(dst, l, r []int32) {
	i, j, k := 0, 0, 0
	for i < len(l) && j < len(r) {
		x, y := l[i], r[j]
		v, fromR := x, 0
		if y < x {
			v, fromR = y, 1
		}
		dst[k] = v
		i += 1 - fromR
		j += fromR
		k++
	}
	k += copy(dst[k:], l[i:])
	copy(dst[k:], r[j:])
}

func insertionSort(a []int32) {
	for i := 1; i < len(a); i++ {
		v, j := a[i], i
		for ; j > 0 && a[j-1] > v; j-- {
			a[j] = a[j-1]
		}
		a[j] = v
	}
}

// checkMergeSort compares each list's fingerprint with one recomputed from
// the seed. A task already checked that its list is in order and that it
// kept its values; this check makes sure every list came back, and that
// each is the list its seed makes, without sorting again: one pass per
// list, a small fraction of the sort's cost.
func checkMergeSort(seed uint64, size, lists int, values []uint64) Check {
	var got, want uint64
	bad := -1
	for k := range lists {
		e := listFingerprint(seed, k, size)
		want += e
		if k >= len(values) {
			continue
		}
		got += values[k]
		if values[k] != e && bad < 0 {
			bad = k
		}
	}
	c := Check{Value: strconv.FormatUint(got, 10), Expected: strconv.FormatUint(want, 10), OK: bad < 0 && len(values) == lists}
	switch {
	case c.OK:
		c.Note = fmt.Sprintf("all %s lists were sorted and kept their values (sum of the lists' fingerprints, recomputed from the seed)", GroupDigits(int64(lists)))
	case len(values) != lists:
		c.Note = fmt.Sprintf("%s lists came back, want %s", GroupDigits(int64(len(values))), GroupDigits(int64(lists)))
	default:
		c.Note = fmt.Sprintf("list %d is not the sorted list its seed makes", bad)
	}
	return c
}
