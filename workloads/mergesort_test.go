package workloads

import (
	"slices"
	"strings"
	"testing"
)

func TestMergeSortSorts(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, insertionCutoff, insertionCutoff + 1, 2*insertionCutoff + 1, 100, 1001, 30_000} {
		for seed := range uint64(3) {
			data := make([]int32, n)
			makeList(data, seed, n)
			if seed == 2 && n > 0 {
				// Few distinct values: many ties.
				for i := range data {
					data[i] %= 7
				}
			}
			want := slices.Clone(data)
			slices.Sort(want)
			// Scratch longer than the list, and full of junk.
			scratch := make([]int32, n+5)
			for i := range scratch {
				scratch[i] = -1
			}
			mergeSort(data, scratch)
			if !slices.Equal(data, want) {
				t.Fatalf("n=%d seed=%d: not sorted like slices.Sort", n, seed)
			}
		}
	}
	// Already sorted and reversed inputs.
	asc := make([]int32, 1000)
	for i := range asc {
		asc[i] = int32(i)
	}
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	mergeSort(desc, make([]int32, len(desc)))
	if !slices.Equal(desc, asc) {
		t.Error("reversed input not sorted")
	}
}

func TestMergeSortAllocatesNothing(t *testing.T) {
	data, scratch := make([]int32, 5000), make([]int32, 5000)
	if a := testing.AllocsPerRun(5, func() {
		makeList(data, 1, 0)
		mergeSort(data, scratch)
	}); a != 0 {
		t.Errorf("mergeSort allocates %v times per sort", a)
	}
}

func TestListFingerprint(t *testing.T) {
	data := make([]int32, 2000)
	f := makeList(data, 7, 3)
	if g := listFingerprint(7, 3, len(data)); g != f {
		t.Fatalf("listFingerprint = %d, makeList says %d", g, f)
	}
	for _, v := range data {
		if v < 0 || v > 999_999 {
			t.Fatalf("value %d out of 0..999,999", v)
		}
	}
	// Order does not matter; values do, even changes that keep the sum.
	slices.Sort(data)
	if g, sorted := fingerprintSorted(data); g != f || !sorted {
		t.Errorf("sorted list: fingerprint %d (want %d), sorted %v", g, f, sorted)
	}
	data[0]++
	data[len(data)-1]--
	if g, _ := fingerprintSorted(data); g == f {
		t.Error("changed values kept the fingerprint")
	}
	// Other lists and seeds differ.
	if listFingerprint(7, 4, len(data)) == f || listFingerprint(8, 3, len(data)) == f {
		t.Error("lists of other tasks or seeds have the same fingerprint")
	}
	data[5], data[6] = 10, 9
	if _, sorted := fingerprintSorted(data); sorted {
		t.Error("out-of-order list reported sorted")
	}
}

func TestMergeSortChecksOut(t *testing.T) {
	runChecks(t, "mergesort", map[string]any{"lists": 7, "size": 1001})
	runChecks(t, "mergesort", map[string]any{"lists": 3, "size": 1, "seed": 0})
	runChecks(t, "mergesort", map[string]any{"lists": 1, "size": 30_000, "seed": 1_000_000_000})
}

func TestMergeSortTampered(t *testing.T) {
	job, out := cpuOutputs(t, Request{Workload: "mergesort", Workers: 2, Params: map[string]any{"lists": 5, "size": 333}})
	bad := Outputs{Values: slices.Clone(out.Values)}
	bad.Values[3] ^= 1
	if c := job.Combine(bad); c.OK || !strings.Contains(c.Note, "list 3") {
		t.Errorf("a wrong list passed or was not named: %+v", c)
	}
	// Lists handed back in the wrong order are wrong lists.
	bad.Values = slices.Clone(out.Values)
	bad.Values[0], bad.Values[1] = bad.Values[1], bad.Values[0]
	if c := job.Combine(bad); c.OK {
		t.Errorf("swapped lists passed: %+v", c)
	}
	if c := job.Combine(Outputs{Values: out.Values[:4]}); c.OK {
		t.Errorf("a missing list passed: %+v", c)
	}
	// A run with another seed sorted other lists.
	_, oout := cpuOutputs(t, Request{Workload: "mergesort", Workers: 1, Params: map[string]any{"lists": 5, "size": 333, "seed": 2}})
	if c := job.Combine(oout); c.OK {
		t.Errorf("lists of seed 2 passed for seed 1: %+v", c)
	}
}

// A task hands back its sorted list's fingerprint: the one Combine
// recomputes from the seed.
func TestMergeSortTaskValue(t *testing.T) {
	job, err := Prepare(Request{Workload: "mergesort", Params: map[string]any{"lists": 3, "size": 100, "seed": 9}})
	if err != nil {
		t.Fatal(err)
	}
	tr := NewRunner(job, nil, 0).RunTask(t.Context(), 0, 2, nil)
	if tr.Err != "" || tr.Value != listFingerprint(9, 2, 100) {
		t.Errorf("task: %+v", tr)
	}
}

func TestMergeSortParams(t *testing.T) {
	paramErrors(t, "mergesort", map[string]map[string]any{
		"lists": {"lists": 0.0},
		"size":  {"size": 1_000_001.0},
		"seed":  {"seed": -1.0},
	})
	paramErrors(t, "mergesort", map[string]map[string]any{
		"lists": {"lists": 10_001.0},
		"size":  {"size": 2.5},
		"seed":  {"seed": true},
	})
}

func TestMergeSortCancel(t *testing.T) {
	cancelPromptly(t, "mergesort", map[string]any{"lists": 10_000, "size": 1_000_000})
}
