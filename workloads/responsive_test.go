package workloads

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestSumSquaresBelow(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 4, 5, 6, 7, 100, 1001, 1 << 20, 3_000_017} {
		if got, want := sumSquaresBelow(n), responsiveSquares(0, n); got != want {
			t.Errorf("sumSquaresBelow(%d) = %d, loop says %d", n, got, want)
		}
	}
	// Past 2^64 both wrap the same way.
	lo, hi := uint64(1)<<33, uint64(1)<<33+1000
	if got, want := sumSquaresBelow(hi)-sumSquaresBelow(lo), responsiveSquares(lo, hi); got != want {
		t.Errorf("wrapped range: closed form %d, loop %d", got, want)
	}
}

func runResponsive(t *testing.T, mode Mode, n int, params map[string]any) *Result {
	t.Helper()
	res, err := Run(context.Background(), Request{Workload: "responsive", Mode: mode, Workers: n, Params: params}, Options{})
	if err != nil {
		t.Fatalf("%s/%d: %v", mode, n, err)
	}
	return res
}

// Bounded by count, the check is exact and the same in every mode.
func TestResponsiveCount(t *testing.T) {
	for _, mode := range Modes {
		for _, n := range []int{1, 2, 3} {
			res := runResponsive(t, mode, n, map[string]any{"count": 5_000_003})
			if !res.Check.OK || res.Check.Value != "5000003" {
				t.Errorf("%s/%d: %+v", mode, n, res.Check)
			}
		}
	}
}

// Progress shows on the timeline: a bounded number of spans per task, each
// further along than the last.
func TestResponsiveProgressSpans(t *testing.T) {
	res := runResponsive(t, Sequential, 1, map[string]any{"count": 40 << 20})
	if len(res.Spans) < 2 || len(res.Spans) > responsiveSpans+1 {
		t.Fatalf("%d spans, want 2 to %d", len(res.Spans), responsiveSpans+1)
	}
	for _, s := range res.Spans[1:] {
		if s.State != Running || !strings.HasPrefix(s.Label, "squares ") {
			t.Errorf("progress span %+v", s)
		}
	}
}

// A time limit stops the count wherever it got; what was counted still
// checks out exactly.
func TestResponsiveTimeLimit(t *testing.T) {
	res := runResponsive(t, Goroutines, 2, map[string]any{"count": int64(20_000_000_000), "duration": 100})
	if !res.Check.OK || !strings.Contains(res.Check.Note, "time limit") {
		t.Fatalf("check %+v", res.Check)
	}
	if res.WallUS < 100_000 || res.WallUS > 5_000_000 {
		t.Errorf("a 100 ms limit took %d µs", res.WallUS)
	}
}

// The check catches a wrong sum or a missing report.
func TestResponsiveCheckFails(t *testing.T) {
	job, err := Prepare(Request{Workload: "responsive", Workers: 2, Params: map[string]any{"count": 10}})
	if err != nil {
		t.Fatal(err)
	}
	good := Outputs{Values: []uint64{5, 5}, Data: [][]byte{
		responsiveOutput(5, sumSquaresBelow(5)), responsiveOutput(5, sumSquaresBelow(10)-sumSquaresBelow(5)),
	}}
	if c := job.Combine(good); !c.OK {
		t.Fatalf("good outputs: %+v", c)
	}
	bad := []Outputs{
		{Values: []uint64{5, 5}, Data: [][]byte{responsiveOutput(5, 1), good.Data[1]}},
		{Values: []uint64{5, 5}, Data: [][]byte{good.Data[0], nil}},
		{Values: []uint64{5, 4}, Data: [][]byte{good.Data[0], good.Data[1]}},
		{Values: []uint64{5, 4}, Data: [][]byte{good.Data[0], responsiveOutput(4, sumSquaresBelow(9)-sumSquaresBelow(5))}},
	}
	for i, o := range bad {
		if c := job.Combine(o); c.OK {
			t.Errorf("bad outputs %d passed: %+v", i, c)
		}
	}
}

// The kernel never yields: in one thread (wasm) the second task starts only
// when the first is done, which is why the page freezes in the main-thread
// mode. Natively with two threads the tasks overlap.
func TestResponsiveDoesNotYield(t *testing.T) {
	res := runResponsive(t, Goroutines, 2, map[string]any{"count": 60 << 20})
	var span [2][2]int64 // per task: first start, last end
	for i := range span {
		span[i][0] = -1
	}
	for _, s := range res.Spans {
		if span[s.Task][0] < 0 || s.Start < span[s.Task][0] {
			span[s.Task][0] = s.Start
		}
		span[s.Task][1] = max(span[s.Task][1], s.End)
	}
	overlap := min(span[0][1], span[1][1]) - max(span[0][0], span[1][0])
	t.Logf("task 0: %v µs, task 1: %v µs", span[0], span[1])
	if runtime.GOOS == "js" {
		if overlap > 0 {
			t.Errorf("cooperative tasks overlapped by %d µs: the kernel yielded", overlap)
		}
	} else if runtime.GOMAXPROCS(0) >= 2 && overlap <= 0 {
		t.Errorf("native tasks did not overlap at GOMAXPROCS=%d", runtime.GOMAXPROCS(0))
	}
}

var responsiveSink uint64

// BenchmarkResponsiveSquares times the lesson's kernel: one op is one
// default-sized task's worth of squares per lane at N=1.
func BenchmarkResponsiveSquares(b *testing.B) {
	const n = 300_000_000
	square := responsiveSquares // out of line, as the workload calls it
	// Past a wasm engine's first, unoptimised calls: it swaps in optimised
	// code, compiled in the background, only at a later call.
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
		responsiveSink += square(0, 1<<20)
	}
	for b.Loop() {
		responsiveSink += square(0, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/square")
}
