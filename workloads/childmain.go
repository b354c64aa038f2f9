package workloads

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// Limits of the child's flags.
const (
	maxChildLines   = 100_000
	maxChildEveryMS = 10_000
	maxChildWork    = 1_000_000_000
	maxChildExit    = 125
	maxChildCircle  = 8
	maxChildHoldMS  = 5_000
)

// ChildMain is the child program: what `conlab child ARGS` runs natively
// and what a child Web Worker runs in the browser. It writes "ready" as
// its first line, then:
//
//	-lines N    N lines "line K/N from child ID" (K from 1), with
//	-every MS   milliseconds between two lines;
//	-work W     computes the sum of i*i for i < W twice, printing
//	            "cold VALUE MICROSECONDS" after the first, unoptimised call
//	            and "warm VALUE MICROSECONDS" after the second; VALUE is
//	            that sum plus ID;
//	-id ID      the child's number, in its lines and answers;
//	-exit CODE  exits with CODE (0 to 125), writing why to stderr when
//	            it is not 0;
//	-deadlock K K goroutines (2 to 8) in the deadlock lesson's circle,
//	            each taking its own lock, pausing -hold MS, then its
//	            neighbour's, with plain sync.Mutex and no watchdog (see
//	            childDeadlock). Go's runtime ends such a program with
//	            "fatal error: all goroutines are asleep - deadlock!" and
//	            exit code 2, so it never returns; where the runtime cannot
//	            see the deadlock it exits with ChildNoVerdict instead.
//
// It returns the exit code: CODE, 2 for bad arguments (explained on
// stderr), 1 when stdout fails (the parent closed the pipe).
func ChildMain(args []string, stdout, stderr io.Writer) int {
	return childMain(context.Background(), args, stdout, stderr)
}

// childKilled is the code of a child stopped by its context.
const childKilled = -1

func childMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conlab child", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lines := fs.Int("lines", 0, "lines to print")
	every := fs.Int("every", 0, "milliseconds between lines")
	work := fs.Int64("work", 0, "squares to sum, twice (cold and warm)")
	id := fs.Int("id", 0, "the child's number")
	code := fs.Int("exit", 0, "exit code")
	circle := fs.Int("deadlock", 0, "goroutines in a circle of locks that deadlocks")
	hold := fs.Int("hold", 0, "milliseconds each goroutine of -deadlock holds its first lock")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "conlab child: "+format+"\n", a...)
		return 2
	}
	switch {
	case fs.NArg() > 0:
		return bad("unexpected argument %q", fs.Arg(0))
	case *lines < 0 || *lines > maxChildLines:
		return bad("-lines %d: allowed 0 to %d", *lines, maxChildLines)
	case *every < 0 || *every > maxChildEveryMS:
		return bad("-every %d: allowed 0 to %d", *every, maxChildEveryMS)
	case *work < 0 || *work > maxChildWork:
		return bad("-work %d: allowed 0 to %d", *work, maxChildWork)
	case *code < 0 || *code > maxChildExit:
		return bad("-exit %d: allowed 0 to %d", *code, maxChildExit)
	case *circle != 0 && (*circle < 2 || *circle > maxChildCircle):
		return bad("-deadlock %d: allowed 2 to %d goroutines", *circle, maxChildCircle)
	case *hold < 0 || *hold > maxChildHoldMS:
		return bad("-hold %d: allowed 0 to %d", *hold, maxChildHoldMS)
	}
	say := func(format string, a ...any) bool {
		if _, err := fmt.Fprintf(stdout, format+"\n", a...); err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(stderr, "conlab child %d: writing to the parent: %v\n", *id, err)
			}
			return false
		}
		return true
	}
	stopped := func() int {
		if ctx.Err() != nil {
			return childKilled
		}
		return 1
	}
	if !say("ready") {
		return stopped()
	}
	if *circle > 0 {
		return childDeadlock(*circle, time.Duration(*hold)*time.Millisecond, say, stderr)
	}
	for k := 1; k <= *lines; k++ {
		if k > 1 && *every > 0 {
			if sleep(ctx, time.Duration(*every)*time.Millisecond) != nil {
				return childKilled
			}
		}
		if !say("line %d/%d from child %d", k, *lines, *id) {
			return stopped()
		}
	}
	if *work > 0 {
		for _, call := range []string{"cold", "warm"} {
			t0 := time.Now()
			v, ok := childSquares(ctx, uint64(*work))
			if !ok {
				return childKilled
			}
			if !say("%s %d %d", call, v+uint64(*id), time.Since(t0).Microseconds()) {
				return stopped()
			}
		}
	}
	if *code != 0 {
		fmt.Fprintf(stderr, "child %d: failing on purpose with exit code %d\n", *id, *code)
	}
	return *code
}

// childSquares sums i*i for i < n (with wrap-around), stopping early with
// false when ctx is done.
func childSquares(ctx context.Context, n uint64) (uint64, bool) {
	var s uint64
	for lo := uint64(0); lo < n; lo += 1 << 20 {
		for i := lo; i < min(lo+1<<20, n); i++ {
			s += i * i
		}
		if ctx.Err() != nil {
			return s, false
		}
	}
	return s, true
}

// childAnswer is the VALUE a child with the given id and work answers.
func childAnswer(id int, work int64) uint64 {
	return sumSquaresBelow(uint64(work)) + uint64(id)
}

// sumSquaresBelow is the sum of i*i for i < n, modulo 2^64, in closed
// form: (n-1)n(2n-1)/6, dividing exactly before multiplying.
func sumSquaresBelow(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	a, b, c := n-1, n, 2*n-1
	if a%2 == 0 {
		a /= 2
	} else {
		b /= 2
	}
	switch {
	case a%3 == 0:
		a /= 3
	case b%3 == 0:
		b /= 3
	default:
		c /= 3
	}
	return a * b * c
}
