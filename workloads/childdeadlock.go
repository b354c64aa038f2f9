package workloads

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// ChildNoVerdict is the exit code of a -deadlock child that knows Go's
// runtime cannot see its deadlock (it says why on stderr) and so does not
// start one that would hang.
const ChildNoVerdict = 3

// childDeadlock is the child program's -deadlock: k goroutines in the
// deadlock lesson's circle, goroutine i taking lock i, holding it for
// hold, then taking lock i+1 (the last one lock 0), with plain
// sync.Mutex, while the program's main goroutine waits for them all. It
// says on stdout what each did up to its wait. Nothing can run again, so
// Go's runtime stops the program with "fatal error: all goroutines are
// asleep - deadlock!", exit code 2, and each goroutine's stack on stderr:
// childDeadlock never returns.
//
// The runtime can tell only in a program of its own with nothing else
// alive: no signal handler (conlab starts its child before installing
// any), no pending timer, no cgo (whose threads it cannot account for).
// Built with cgo, or in the browser (whose event loop may always wake a
// goroutine), it starts nothing, writes why to stderr, and returns
// ChildNoVerdict.
func childDeadlock(k int, hold time.Duration, say func(format string, a ...any) bool, stderr io.Writer) int {
	if why := noDeadlockVerdict(); why != "" {
		fmt.Fprintf(stderr, "conlab child: Go's runtime cannot see a deadlock here: %s\n", why)
		return ChildNoVerdict
	}
	locks := make([]sync.Mutex, k)
	var all sync.WaitGroup
	all.Add(k)
	for i := range k {
		go func() {
			defer all.Done()
			first, second := deadlockOrder(i, k, fixNone)
			locks[first].Lock()
			say("goroutine %d: took %s", i, lockName(first))
			time.Sleep(hold)
			say("goroutine %d: waits for %s", i, lockName(second))
			locks[second].Lock() // held by its neighbour, which waits too
			locks[second].Unlock()
			locks[first].Unlock()
		}()
	}
	all.Wait()
	// Only if some goroutine got both locks (a hold too short to close
	// the circle on a busy machine): no deadlock formed.
	fmt.Fprintln(stderr, "conlab child: every goroutine got both locks: the circle did not close (hold them longer)")
	return 1
}

// noDeadlockVerdict says why Go's runtime cannot declare a deadlock in
// this program, or "" when it can.
func noDeadlockVerdict() string {
	if runtime.GOOS == "js" {
		return "in the browser a goroutine may always be woken by the page's events"
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "CGO_ENABLED" && s.Value == "1" {
				return "this program was built with cgo, whose threads the runtime cannot account for (build it with CGO_ENABLED=0)"
			}
		}
	}
	return ""
}
