package workloads

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// noSharedEnv is a page that is not cross-origin isolated: no shared memory.
type noSharedEnv struct{ Env }

func (noSharedEnv) Shared(int) Shared { return nil }

func TestElement(t *testing.T) {
	seen := map[float64]bool{}
	for i := range 10_000 {
		for which := range 2 {
			v := element(1, which, i)
			if v < 0 || v > 1023 || v != float64(int(v)) {
				t.Fatalf("element(1, %d, %d) = %v, want a whole number 0..1023", which, i, v)
			}
			seen[v] = true
		}
	}
	if len(seen) < 1000 {
		t.Errorf("only %d distinct values", len(seen))
	}
	if slices.Equal(arrayOf(1, 0, 64), arrayOf(2, 0, 64)) {
		t.Error("seeds 1 and 2 make the same array")
	}
	if slices.Equal(arrayOf(1, 0, 64), arrayOf(1, 1, 64)) {
		t.Error("a and b are the same array")
	}
}

func arrayOf(seed uint64, which, n int) []float64 {
	a := make([]float64, n)
	fill(a, seed, which, 0)
	return a
}

func TestMultiplyChecksOut(t *testing.T) {
	for _, method := range []string{multiplyLoop, multiplyChunks, multiplyShared} {
		for _, size := range []int{1, 7, 1001, multiplyBlock + 3} {
			runChecks(t, "multiply", map[string]any{"method": method, "size": size, "seed": size})
		}
	}
}

// The largest arrays still sum exactly in float64.
func TestMultiplyExactAtMaxSize(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates about 100 MB")
	}
	p := registry["multiply"].Param("size")
	runChecksOnce(t, Request{Workload: "multiply", Params: map[string]any{"size": p.Max, "seed": 3}})
}

func runChecksOnce(t *testing.T, req Request) {
	t.Helper()
	res, err := Run(context.Background(), req, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Check.OK {
		t.Fatalf("check: %+v", res.Check)
	}
}

func TestMultiplyPlan(t *testing.T) {
	for _, c := range []struct {
		method        string
		size, n       int
		tasks, shared int
		input         bool
	}{
		{multiplyLoop, 100, 4, 1, 0, false},
		{multiplyChunks, 100, 4, 4, 0, true},
		{multiplyChunks, 3, 8, 3, 0, true},
		{multiplyShared, 100, 3, 3, 300, false},
	} {
		job, err := Prepare(Request{Workload: "multiply", Workers: c.n, Params: map[string]any{"method": c.method, "size": c.size}})
		if err != nil {
			t.Fatal(err)
		}
		p := job.Plan
		if len(p.Tasks) != c.tasks || p.Shared != c.shared || (p.Input != nil) != c.input {
			t.Errorf("%+v: %d tasks, %d shared cells, input %v", c, len(p.Tasks), p.Shared, p.Input != nil)
		}
		if c.input {
			total := 0
			for k := range p.Tasks {
				total += len(p.Input(k))
			}
			if total != 16*c.size {
				t.Errorf("%+v: inputs hold %d bytes, want %d (a and b)", c, total, 16*c.size)
			}
		}
	}
}

func TestMultiplyTampered(t *testing.T) {
	for _, method := range []string{multiplyLoop, multiplyChunks, multiplyShared} {
		job, out := cpuOutputs(t, Request{Workload: "multiply", Workers: 3, Params: map[string]any{"method": method, "size": 1000}})
		bad := Outputs{Values: slices.Clone(out.Values), Data: out.Data}
		bad.Values[0]++
		if c := job.Combine(bad); c.OK {
			t.Errorf("%s: a wrong sum passed: %+v", method, c)
		}
		if c := job.Combine(Outputs{Values: out.Values[:len(out.Values)-1], Data: out.Data}); c.OK {
			t.Errorf("%s: a missing result passed: %+v", method, c)
		}
	}
	job, out := cpuOutputs(t, Request{Workload: "multiply", Workers: 3, Params: map[string]any{"method": multiplyChunks, "size": 1000}})
	// A wrong product whose sum is right: two products off in opposite
	// directions. Only the returned chunk shows it.
	data := make([][]byte, len(out.Data))
	for k := range data {
		data[k] = slices.Clone(out.Data[k])
	}
	swapProducts(t, data[1], 0, 1)
	if c := job.Combine(Outputs{Values: out.Values, Data: data}); c.OK || !strings.Contains(c.Note, "product") {
		t.Errorf("a wrong product passed: %+v", c)
	}
	if c := job.Combine(Outputs{Values: out.Values}); c.OK || !strings.Contains(c.Note, "did not come back") {
		t.Errorf("missing chunks passed: %+v", c)
	}
	data[1] = data[1][:8]
	if c := job.Combine(Outputs{Values: out.Values, Data: data}); c.OK || !strings.Contains(c.Note, "bytes") {
		t.Errorf("a short chunk passed: %+v", c)
	}
}

// swapProducts swaps products i and j of a chunk, failing if they are equal.
func swapProducts(t *testing.T, chunk []byte, i, j int) {
	t.Helper()
	a, b := chunk[8*i:8*i+8], chunk[8*j:8*j+8]
	if slices.Equal(a, b) {
		t.Fatal("products to swap are equal")
	}
	tmp := slices.Clone(a)
	copy(a, b)
	copy(b, tmp)
}

// A malformed payload is the task's error, not a crash.
func TestMultiplyBadInput(t *testing.T) {
	job, err := Prepare(Request{Workload: "multiply", Workers: 2, Params: map[string]any{"method": multiplyChunks, "size": 10}})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(job, nil, 0)
	for _, in := range [][]byte{nil, make([]byte, 79), make([]byte, 81), make([]byte, 160)} {
		if tr := r.RunTask(context.Background(), 0, 0, in); !strings.Contains(tr.Err, "bytes") {
			t.Errorf("input of %d bytes: %+v", len(in), tr)
		}
	}
}

func TestMultiplySharedNeedsSharedMemory(t *testing.T) {
	res, err := Run(context.Background(), Request{Workload: "multiply", Mode: Goroutines, Workers: 2, Params: map[string]any{"method": multiplyShared, "size": 100}},
		Options{Env: noSharedEnv{defaultEnv()}})
	if err == nil || !strings.Contains(err.Error(), "cross-origin isolated") || res == nil || res.Error == "" {
		t.Errorf("got %v, want the shared-memory error", err)
	}
	// The other methods need none.
	for _, m := range []string{multiplyLoop, multiplyChunks} {
		if _, err := Run(context.Background(), Request{Workload: "multiply", Params: map[string]any{"method": m, "size": 100}},
			Options{Env: noSharedEnv{defaultEnv()}}); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}

// Every method's task returns promptly with the context's error once the
// run is cancelled, having recorded its spans.
func TestMultiplyCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, method := range []string{multiplyLoop, multiplyChunks, multiplyShared} {
		job, err := Prepare(Request{Workload: "multiply", Params: map[string]any{"method": method, "size": 300_000}})
		if err != nil {
			t.Fatal(err)
		}
		var in []byte
		if job.Plan.Input != nil {
			in = job.Plan.Input(0)
		}
		tr := NewRunner(job, nil, 0).RunTask(ctx, 0, 0, in)
		if !strings.Contains(tr.Err, context.Canceled.Error()) || len(tr.Spans) == 0 {
			t.Errorf("%s: %+v", method, tr.Err)
		}
	}
}

func TestMultiplyParams(t *testing.T) {
	paramErrors(t, "multiply", map[string]map[string]any{
		"method": {"method": "vectorised"},
		"size":   {"size": 0.0},
		"seed":   {"seed": 1e10},
	})
	paramErrors(t, "multiply", map[string]map[string]any{
		"method": {"method": 1.0},
		"size":   {"size": 4_000_001.0},
	})
	var pe *ParamError
	if _, err := Prepare(Request{Workload: "multiply", Params: map[string]any{"method": "Loop"}}); !errors.As(err, &pe) {
		t.Errorf("method names are exact: %v", err)
	}
}

// otherCells is shared memory that is not this program's own (as a
// SharedArrayBuffer across Web Workers is).
type otherCells struct{ Int32s }

// Natively, every access of the shared method takes the arrays' one lock,
// shared by every lane (as multiprocessing.Array's RLock): an access waits
// while another lane holds it. Memory shared across Web Workers is used as
// it is (each access is an Atomics call there).
func TestMultiplySharedAccessTakesTheLock(t *testing.T) {
	a, err := registry["multiply"].Args(map[string]any{"method": multiplyShared, "size": 100})
	if err != nil {
		t.Fatal(err)
	}
	p, err := planMultiply(a, 2)
	if err != nil {
		t.Fatal(err)
	}
	m := p.New().(*multiplyInstance)
	sh := m.cells(make(Int32s, p.Shared))
	m.lock.Lock()
	done := make(chan int32)
	go func() { sh.Store(7, 5); done <- sh.Load(7) }()
	select {
	case <-done:
		t.Fatal("a shared access went through while another lane held the arrays' lock")
	case <-time.After(50 * time.Millisecond):
	}
	m.lock.Unlock()
	select {
	case v := <-done:
		if v != 5 {
			t.Errorf("read back %d, want 5", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the access did not go through once the lock was free")
	}
	if _, same := m.cells(otherCells{make(Int32s, 3)}).(otherCells); !same {
		t.Error("memory shared across workers was wrapped in a lock of one memory")
	}
}
