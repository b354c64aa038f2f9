package workloads

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"
)

// cpuOutputs prepares req and runs every task on one Runner, one after
// another, returning the job and the outputs Combine sees: what a Web
// Worker does, without the engine, so tests can tamper with the outputs.
func cpuOutputs(t *testing.T, req Request) (*Job, Outputs) {
	t.Helper()
	job, err := Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(job, nil, 0)
	n := len(job.Plan.Tasks)
	out := Outputs{Values: make([]uint64, n), Data: make([][]byte, n)}
	for i := range n {
		var in []byte
		if job.Plan.Input != nil {
			in = job.Plan.Input(i)
		}
		tr := r.RunTask(context.Background(), i%req.Workers, i, in)
		if tr.Err != "" {
			t.Fatalf("task %d: %s", i, tr.Err)
		}
		out.Values[i], out.Data[i] = tr.Value, tr.Data
	}
	if c := job.Combine(out); !c.OK {
		t.Fatalf("untampered outputs fail the check: %+v", c)
	}
	return job, out
}

// runChecks runs id with params in both engine modes over several lane
// counts and fails unless every run checks out.
func runChecks(t *testing.T, id string, params map[string]any) {
	t.Helper()
	for _, mode := range Modes {
		for _, n := range []int{1, 2, 3, 5, 8} {
			res, err := Run(context.Background(), Request{Workload: id, Mode: mode, Workers: n, Params: params}, Options{})
			if err != nil {
				t.Errorf("%s/%d %v: %v", mode, n, params, err)
				continue
			}
			if !res.Check.OK || res.Check.Value != res.Check.Expected {
				t.Errorf("%s/%d %v: check %+v", mode, n, params, res.Check)
			}
			lanes := 1
			if mode == Goroutines {
				lanes = n
			}
			for _, s := range res.Spans {
				if s.Lane < 0 || s.Lane >= lanes || s.End < s.Start {
					t.Errorf("%s/%d: bad span %+v", mode, n, s)
				}
			}
		}
	}
}

// paramErrors checks that each params map is rejected with a ParamError
// naming field.
func paramErrors(t *testing.T, id string, cases map[string]map[string]any) {
	t.Helper()
	for field, params := range cases {
		_, err := Run(context.Background(), Request{Workload: id, Params: params}, Options{})
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != field {
			t.Errorf("%v: got %v, want a ParamError on %s", params, err, field)
		}
	}
}

// cancelPromptly starts a run that would take far longer than a second,
// cancels it, and requires it to stop soon after.
func cancelPromptly(t *testing.T, id string, params map[string]any) {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("in wasm a busy task is never preempted, so nothing can cancel it until it yields: the browser pool terminates the worker instead")
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	res, err := Run(ctx, Request{Workload: id, Mode: Goroutines, Workers: 2, Params: params}, Options{})
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) || res == nil || res.Error == "" {
		t.Fatalf("got %v, want the run cancelled", err)
	}
	// The run itself would take minutes; generous for a busy machine.
	if took > 3*time.Second {
		t.Errorf("cancelled run took %v to stop", took)
	}
}

// bruteSquares is the definition, in exact arithmetic.
func bruteSquares(n uint64) *big.Int {
	s := new(big.Int)
	for i := range n {
		x := new(big.Int).SetUint64(i)
		s.Add(s, x.Mul(x, x))
	}
	return s
}

func TestSquaresBelow(t *testing.T) {
	mod := new(big.Int).Lsh(big.NewInt(1), 64)
	// The closed form with exact big numbers, where the product overflows
	// 64 bits, for every residue modulo 6 and up to the largest base.
	for _, n := range []uint64{1 << 21, 1<<21 + 1, 1<<21 + 2, 1<<21 + 3, 1<<21 + 4, 1<<21 + 5, 999_999_999, 1_000_001_000, 3<<40 + 7, 1<<62 + 1} {
		x := new(big.Int).SetUint64(n)
		p := new(big.Int).Mul(x, new(big.Int).Sub(x, big.NewInt(1)))
		p.Mul(p, new(big.Int).Sub(new(big.Int).Lsh(x, 1), big.NewInt(1)))
		want := p.Quo(p, big.NewInt(6)).Mod(p, mod).Uint64()
		if got := squaresBelow(n); got != want {
			t.Errorf("squaresBelow(%d) = %d, want %d", n, got, want)
		}
	}
	for n := range uint64(300) {
		want := new(big.Int).Mod(bruteSquares(n), mod).Uint64()
		if got := squaresBelow(n); got != want {
			t.Fatalf("squaresBelow(%d) = %d, want %d", n, got, want)
		}
		if got := sumSquares(0, n); got != want {
			t.Fatalf("sumSquares(0, %d) = %d, want %d", n, got, want)
		}
	}
	// Past about 3.8 million the sum exceeds 2^64: the loop wraps and the
	// closed form must wrap the same way.
	const n = 5_000_000
	if exact := new(big.Int).SetUint64(n); new(big.Int).Div(new(big.Int).Mul(exact, new(big.Int).Mul(exact, exact)), big.NewInt(3)).Cmp(mod) <= 0 {
		t.Fatal("test size does not overflow 64 bits")
	}
	if got, want := sumSquares(0, n), squaresBelow(n); got != want {
		t.Errorf("wrapped sum: loop %d, closed form %d", got, want)
	}
	if got, want := sumSquares(0, 1000)+sumSquares(1000, 2000), squaresBelow(2000); got != want {
		t.Errorf("chunks do not add up: %d, want %d", got, want)
	}
}

func TestSumSquaresChecksOut(t *testing.T) {
	runChecks(t, "sumsquares", map[string]any{"base": 4321, "numbers": 7})
	runChecks(t, "sumsquares", map[string]any{"base": 1, "numbers": 3})
	// Numbers longer than one chunk of the task's loop.
	runChecks(t, "sumsquares", map[string]any{"base": 1<<22 + 17, "numbers": 2})
}

func TestSumSquaresPlan(t *testing.T) {
	job, err := Prepare(Request{Workload: "sumsquares", Workers: 3, Params: map[string]any{"base": 100, "numbers": 5}})
	if err != nil {
		t.Fatal(err)
	}
	// One task per number, whatever the lane count: lanes pull them.
	if len(job.Plan.Tasks) != 5 || !strings.Contains(job.Plan.Tasks[4], "104") {
		t.Errorf("tasks = %q", job.Plan.Tasks)
	}
}

func TestSumSquaresTampered(t *testing.T) {
	job, out := cpuOutputs(t, Request{Workload: "sumsquares", Workers: 2, Params: map[string]any{"base": 999, "numbers": 4}})
	bad := out
	bad.Values = append([]uint64(nil), out.Values...)
	bad.Values[2]++
	if c := job.Combine(bad); c.OK || !strings.Contains(c.Note, "i < 1,001 is wrong") {
		t.Errorf("a wrong sum passed or was not named: %+v", c)
	}
	// Two errors that cancel out in the total are still caught.
	bad.Values[1]--
	if c := job.Combine(bad); c.OK {
		t.Errorf("compensating errors passed: %+v", c)
	}
	if c := job.Combine(Outputs{Values: out.Values[:3]}); c.OK {
		t.Errorf("a missing sum passed: %+v", c)
	}
	if c := job.Combine(Outputs{}); c.OK {
		t.Errorf("no outputs passed: %+v", c)
	}
}

func TestSumSquaresParams(t *testing.T) {
	paramErrors(t, "sumsquares", map[string]map[string]any{
		"base":    {"base": 0.0},
		"numbers": {"numbers": 1001.0},
	})
	paramErrors(t, "sumsquares", map[string]map[string]any{
		"base":    {"base": 1_000_000_001.0},
		"numbers": {"numbers": "some"},
	})
}

func TestSumSquaresCancel(t *testing.T) {
	cancelPromptly(t, "sumsquares", map[string]any{"base": 1_000_000_000, "numbers": 100})
}

// A small run: the sums of i*i below 4, 5 and 6 are 14, 30 and 55.
func ExampleRun_sumsquares() {
	res, err := Run(context.Background(), Request{
		Workload: "sumsquares", Mode: Goroutines, Workers: 2,
		Params: map[string]any{"base": 4, "numbers": 3},
	}, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Check.Value, res.Check.OK)
	// Output: 99 true
}
