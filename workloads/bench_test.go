package workloads

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The kernels at fixed sizes: one op is one task of the workload's
// defaults, so ns/op compares directly across builds (native, wasm) and
// the per-element metric compares kernels with each other.

var benchSink uint64

// countdownKernel calls countdown out of line: inlined into a benchmark
// function, it would be optimised by a wasm engine only at that
// function's next call, after the timing.
var countdownKernel = countdown

// warm calls f at least 3 times and for 200 ms before the timed loop. A
// wasm engine runs a function's first calls in its baseline compiler and
// switches to optimised code, compiled in the background, only on a later
// call (V8 does not replace a running wasm frame); on a busy machine that
// compilation can take a while, and a benchmark that started before it
// lands would time the baseline code.
func warm(f func()) {
	start := time.Now()
	for i := 0; i < 3 || time.Since(start) < 200*time.Millisecond; i++ {
		f()
	}
}

func BenchmarkCountdown(b *testing.B) {
	const n = 100_000_000
	warm(func() { benchSink += countdownKernel(1 << 20) })
	for b.Loop() {
		benchSink += countdownKernel(n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/decrement")
}

func BenchmarkSumSquares(b *testing.B) {
	const n = 50_000_000
	warm(func() { benchSink += sumSquares(0, 1<<20) })
	for b.Loop() {
		benchSink += sumSquares(0, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/number")
}

// BenchmarkMergeSort makes, sorts and checks one list, as a task does, in
// reused buffers so the figure is the CPU's, not the allocator's.
func BenchmarkMergeSort(b *testing.B) {
	const size = 30_000
	buf := make([]int32, 2*size)
	data, scratch := buf[:size:size], buf[size:]
	k := 0
	warm(func() { makeList(data, 1, k); mergeSort(data, scratch) })
	for b.Loop() {
		in := makeList(data, 1, k)
		mergeSort(data, scratch)
		out, sorted := fingerprintSorted(data)
		if !sorted || out != in {
			b.Fatal("list not sorted")
		}
		k++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/size, "ns/element")
}

// BenchmarkMergeSortOnly is the sort alone, on a list made once and
// restored from a copy before each sort.
func BenchmarkMergeSortOnly(b *testing.B) {
	const size = 30_000
	orig := make([]int32, size)
	makeList(orig, 1, 0)
	data, scratch := make([]int32, size), make([]int32, size)
	warm(func() { copy(data, orig); mergeSort(data, scratch) })
	for b.Loop() {
		copy(data, orig)
		mergeSort(data, scratch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/size, "ns/element")
}

const benchMultiplySize = 800_000

func multiplyBench(b *testing.B, method string, n int) *multiplyInstance {
	b.Helper()
	a, err := registry["multiply"].Args(map[string]any{"method": method, "size": benchMultiplySize})
	if err != nil {
		b.Fatal(err)
	}
	p, err := planMultiply(a, n)
	if err != nil {
		b.Fatal(err)
	}
	return p.New().(*multiplyInstance)
}

// BenchmarkMultiplyLoop is the loop method's arithmetic on arrays made
// once: multiply, then add up the products.
func BenchmarkMultiplyLoop(b *testing.B) {
	m := multiplyBench(b, multiplyLoop, 1)
	x, y, c := make([]float64, m.size), make([]float64, m.size), make([]float64, m.size)
	fill(x, m.seed, 0, 0)
	fill(y, m.seed, 1, 0)
	warm(func() { multiplyInto(c, x, y); benchSink += total(c) })
	for b.Loop() {
		multiplyInto(c, x, y)
		benchSink += total(c)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchMultiplySize, "ns/element")
}

// BenchmarkMultiplyGenerate is making a and b, which every method pays.
func BenchmarkMultiplyGenerate(b *testing.B) {
	m := multiplyBench(b, multiplyLoop, 1)
	x, y := make([]float64, m.size), make([]float64, m.size)
	warm(func() { fill(x[:1<<16], m.seed, 0, 0) })
	for b.Loop() {
		fill(x, m.seed, 0, 0)
		fill(y, m.seed, 1, 0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchMultiplySize, "ns/element")
}

// BenchmarkMultiplyChunks is the chunks method in four chunks on one
// lane: making each copied chunk, unpacking it, multiplying, packing the
// products. Against Loop+Generate it is the price of the copies, before
// any message is even sent.
func BenchmarkMultiplyChunks(b *testing.B) {
	m := multiplyBench(b, multiplyChunks, 4)
	r := NewRunner(&Job{Plan: &Plan{Tasks: make([]string, 4), New: func() Instance { return m }}}, nil, 0)
	ctx := context.Background()
	warm(func() { r.RunTask(ctx, 0, 0, m.input(0)) })
	for b.Loop() {
		for k := range 4 {
			res := r.RunTask(ctx, 0, k, m.input(k))
			if res.Err != "" {
				b.Fatal(res.Err)
			}
			benchSink += res.Value
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchMultiplySize, "ns/element")
}

// BenchmarkMultiplyShared is the shared method on one lane over Go memory:
// one atomic access per read or write.
func BenchmarkMultiplyShared(b *testing.B) {
	m := multiplyBench(b, multiplyShared, 1)
	r := NewRunner(&Job{Plan: &Plan{Tasks: make([]string, 1), New: func() Instance { return m }, Shared: 3 * benchMultiplySize}}, nil, 0)
	ctx := context.Background()
	warm(func() { r.RunTask(ctx, 0, 0, nil) })
	for b.Loop() {
		res := r.RunTask(ctx, 0, 0, nil)
		if res.Err != "" {
			b.Fatal(res.Err)
		}
		benchSink += res.Value
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchMultiplySize, "ns/element")
}

// BenchmarkRun runs whole workloads through the engine, sequential against
// goroutines at N=2: natively the goroutines are threads (about 2x on two
// free cores); in wasm they take turns (about 1x).
func BenchmarkRun(b *testing.B) {
	cases := []struct {
		id     string
		params map[string]any
	}{
		{"countdown", map[string]any{"count": 200_000_000}},
		{"sumsquares", map[string]any{"base": 20_000_000, "numbers": 8}},
		{"mergesort", map[string]any{"lists": 64}},
		{"multiply", map[string]any{"method": multiplyLoop}},
		{"multiply", map[string]any{"method": multiplyChunks}},
		{"multiply", map[string]any{"method": multiplyShared}},
	}
	for _, c := range cases {
		for _, mode := range []struct {
			m Mode
			n int
		}{{Sequential, 1}, {Goroutines, 2}} {
			name := fmt.Sprintf("%s/%s-%d", c.id, mode.m, mode.n)
			if m, ok := c.params["method"]; ok {
				name = fmt.Sprintf("%s-%s/%s-%d", c.id, m, mode.m, mode.n)
			}
			b.Run(name, func(b *testing.B) {
				req := Request{Workload: c.id, Mode: mode.m, Workers: mode.n, Params: c.params}
				// One untimed run, so a wasm engine has optimised the code.
				if _, err := Run(context.Background(), req, Options{}); err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					res, err := Run(context.Background(), req, Options{})
					if err != nil {
						b.Fatal(err)
					}
					if !res.Check.OK {
						b.Fatalf("check failed: %+v", res.Check)
					}
				}
			})
		}
	}
}
