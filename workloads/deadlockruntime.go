package workloads

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// RuntimePrefix starts the label of the mark the deadlock lesson leaves
// when it asked Go's runtime itself: the rest is an ExitLabel (the child's
// exit code and stderr, where the runtime's "fatal error: all goroutines
// are asleep - deadlock!" is), or, after "could not: ", why the runtime
// could not be asked.
const RuntimePrefix = "Go's runtime, on the same circle in a program of its own: "

// runtimeCouldNot follows RuntimePrefix when the runtime gave no verdict.
const runtimeCouldNot = "could not: "

// RuntimeVerdict reads a RuntimePrefix label back: the child's exit when
// the runtime was asked (ok), or why it could not be (why).
func RuntimeVerdict(label string) (e Exit, why string, found bool) {
	rest, found := strings.CutPrefix(label, RuntimePrefix)
	if !found {
		return Exit{}, "", false
	}
	if why, ok := strings.CutPrefix(rest, runtimeCouldNot); ok {
		return Exit{}, why, true
	}
	if e, ok := ParseExitLabel(rest); ok {
		return e, "", true
	}
	return Exit{}, rest, true
}

// runtimeGrace bounds how long past its pause the runtime's child may
// take before it is stopped.
const runtimeGrace = 10 * time.Second

// runtimePatience is how long a task that has ended waits for the
// runtime's verdict, and then for a child it stopped to be gone: the
// engine keeps a cancelled task's spans for a second only.
const runtimePatience = 400 * time.Millisecond

// runtimeAsk is a question put to Go's runtime: a child process running
// the same circle.
type runtimeAsk struct {
	verdict chan string
	cancel  context.CancelFunc
}

// askRuntime starts, where the deadlock can be shown natively, a child
// process running the same circle of k tasks with plain locks and no
// watchdog (`conlab child -deadlock k -hold MS`), which Go's runtime ends
// with its own verdict. It returns nil when there is nothing to ask: in
// the browser (no process to start, and a runtime that cannot tell), in a
// stepped run, or when the circle cannot close (the ordered fix, or fewer
// lanes than tasks). The child outlives the run's watchdog (which cancels
// the tasks), not runtimeGrace past its pause.
func askRuntime(t *T, k int, hold time.Duration, fix string) *runtimeAsk {
	sp, ok := t.Env().(Spawner)
	if !ok || runtime.GOOS == "js" || t.ctl != nil || fix != fixNone || t.Lanes() < k {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), hold+runtimeGrace)
	a := &runtimeAsk{verdict: make(chan string, 1), cancel: cancel}
	go func() {
		defer cancel()
		a.verdict <- RuntimePrefix + runtimeVerdict(ctx, sp, k, hold)
	}()
	return a
}

// wait returns the RuntimePrefix label of the verdict, or, when the child
// has not ended within patience, stops it, waits up to patience more for
// it to be gone (a program that hangs must not outlive the run), and
// says the runtime did not declare its deadlock.
func (a *runtimeAsk) wait(patience time.Duration) string {
	tm := time.NewTimer(patience)
	defer tm.Stop()
	select {
	case v := <-a.verdict:
		return v
	case <-tm.C:
	}
	a.cancel()
	tm.Reset(patience)
	select {
	case <-a.verdict:
	case <-tm.C:
	}
	return RuntimePrefix + runtimeCouldNot + "the program was still running when the run ended: the runtime had not declared its deadlock"
}

// runtimeVerdict runs the child and says how it ended.
func runtimeVerdict(ctx context.Context, sp Spawner, k int, hold time.Duration) string {
	c, err := sp.Spawn(ctx, SpawnOptions{
		Args: []string{"-deadlock", fmt.Sprint(k), "-hold", fmt.Sprint(hold.Milliseconds())},
		// The runtime's verdict without every goroutine's stack.
		Env: []string{"GOTRACEBACK=none"},
	})
	if errors.Is(err, ErrNoSpawn) {
		return runtimeCouldNot + "this run cannot start a program of its own"
	}
	if err != nil {
		return runtimeCouldNot + err.Error()
	}
	drainChild(newChildReader(c))
	e, err := c.Wait()
	switch {
	case err != nil && ctx.Err() != nil:
		return runtimeCouldNot + "the program was stopped before it ended: the runtime had not declared its deadlock"
	case err != nil:
		return runtimeCouldNot + err.Error()
	case e.Code == ChildNoVerdict:
		return runtimeCouldNot + strings.TrimPrefix(strings.TrimSpace(e.Stderr), "conlab child: Go's runtime cannot see a deadlock here: ")
	}
	return ExitLabel(e)
}
