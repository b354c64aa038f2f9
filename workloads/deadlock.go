package workloads

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The deadlock workload's two ways of taking the resources.
const (
	fixNone    = "none"    // each task takes its own resource, then its neighbour's
	fixOrdered = "ordered" // every task takes the lower-numbered resource first
)

func init() {
	Register(&Workload{
		ID:    "deadlock",
		Title: "Deadlock: tasks that wait for each other forever",
		Kind:  Bug,
		Summary: "Each task needs two resources (think of two bank accounts locked for a transfer). Task 0 takes " +
			"resource A, pauses, then asks for B; task 1 takes B, pauses, then asks for A. Each now holds what the " +
			"other needs and waits for the other to let go: neither ever will. Nothing crashes and nothing is busy; " +
			"the program just stops making progress. The lab's watchdog notices that every task has been blocked " +
			"with no progress, ends the run with a \"deadlock\" error naming the stuck tasks, and later runs work " +
			"as before. (Natively, when every goroutine of a whole program is blocked, Go's runtime itself stops it " +
			"with \"fatal error: all goroutines are asleep - deadlock!\"; a native run also runs the same circle as a " +
			"program of its own, with plain locks and no watchdog, and shows what the runtime said beside the " +
			"watchdog's report. In the browser the runtime cannot tell: the page's events could always wake a " +
			"goroutine.) The fix is to take resources in one agreed " +
			"order: with fix=ordered every task takes the lower-numbered resource first, so no cycle of waiting can " +
			"form. A deadlock also needs the tasks to overlap: run one after another (sequential, or fewer lanes " +
			"than tasks) each task finds both resources free and finishes.",
		Mapping: "The Python program's two asyncio.Lock objects are the resources; its two coroutines are the " +
			"tasks; `async with a:` then `async with b:` is one task's acquire of its own resource, then of its " +
			"neighbour's. asyncio.wait_for(..., timeout) is the lab's watchdog. The ordered fix sorts the locks " +
			"before taking them, in both programs.",
		Params: []Param{
			ChoiceParam("fix", "Fix", []string{fixNone, fixOrdered},
				"none: each task takes its own resource first (deadlocks); ordered: every task takes the lower-numbered resource first."),
			IntParam("tasks", "Tasks", "tasks", 2, 2, 8,
				"How many tasks sit in the circle; task i needs resources i and i+1 (the last one needs its own and the first)."),
			IntParam("hold", "Pause", "ms", 100, 0, 5_000,
				"How long a task holds its first resource before asking for the second: long enough for the others to take theirs."),
		},
		Python: deadlockPython,
		Source: deadlockSource,
		Needs: Needs{
			OneMemory: "each worker has its own memory, so workers cannot hold each other's locks: " +
				"there is nothing shared to wait for, and so no deadlock to see",
		},
		Quick:  map[string]any{"fix": fixOrdered, "hold": 1},
		Plan:   planDeadlock,
		Cost:   waits,
		Varies: true,
	})
}

func planDeadlock(a Args, n int) (*Plan, error) {
	k := int(a.Int("tasks"))
	fix := a.String("fix")
	hold := time.Duration(a.Int("hold")) * time.Millisecond
	tasks := make([]string, k)
	for i := range tasks {
		first, second := deadlockOrder(i, k, fix)
		tasks[i] = fmt.Sprintf("task %d: take %s, then %s", i, lockName(first), lockName(second))
	}
	return &Plan{
		Tasks: tasks,
		New: func() Instance {
			d := &deadlockInstance{fix: fix, hold: hold, res: make([]deadlockLock, k)}
			for i := range d.res {
				d.res[i] = deadlockLock{ch: make(chan struct{}, 1)}
				d.res[i].owner.Store(-1)
			}
			return d
		},
		Combine: func(o Outputs) Check {
			c := equalCheck(sum(o.Values), uint64(k), "every task got both resources and finished")
			c.Value = fmt.Sprintf("%d of %d tasks finished", sum(o.Values), k)
			c.Expected = fmt.Sprintf("%d of %d tasks finished", k, k)
			return c
		},
	}, nil
}

// deadlockOrder returns the resources task i of k takes, in the order it
// takes them. Without the fix the tasks form a circle, each holding one
// resource its neighbour wants.
func deadlockOrder(i, k int, fix string) (first, second int) {
	first, second = i, (i+1)%k
	if fix == fixOrdered && second < first {
		first, second = second, first
	}
	return first, second
}

func lockName(i int) string { return string(rune('A' + i)) }

// deadlockLock is a lock whose wait can be cancelled (a full channel is held),
// and which remembers its holder so a waiting task can say whom it waits on.
type deadlockLock struct {
	ch    chan struct{}
	owner atomic.Int64 // the task holding it, -1 when free
}

type deadlockInstance struct {
	fix  string
	hold time.Duration
	res  []deadlockLock
}

// Run takes the task's two resources, pausing in between, then releases
// them. It returns 1 when the task finished. Natively, task 0 also asks
// Go's runtime for its own verdict on the same circle (askRuntime), and
// records it as its last span once the child has ended.
func (d *deadlockInstance) Run(t *T, i int) (uint64, error) {
	if i == 0 {
		if ask := askRuntime(t, len(d.res), d.hold, d.fix); ask != nil {
			defer func() {
				t.Phase("wait for Go's runtime's verdict", Waiting)
				t.Phase(ask.wait(runtimePatience), Waiting)
			}()
		}
	}
	first, second := deadlockOrder(i, len(d.res), d.fix)
	if err := d.take(t, i, first); err != nil {
		return 0, err
	}
	defer d.release(first)
	// Holding one resource while the others take theirs is what closes the
	// circle.
	if err := waitSpan(t, fmt.Sprintf("hold %s", lockName(first)), d.hold); err != nil {
		return 0, err
	}
	if err := d.take(t, i, second); err != nil {
		return 0, err
	}
	defer d.release(second)
	t.Phase(fmt.Sprintf("use %s and %s", lockName(first), lockName(second)), Running)
	return 1, nil
}

// take acquires resource r for task i, blocked until it is free or the run
// is cancelled (which is how the watchdog ends a deadlock).
func (d *deadlockInstance) take(t *T, i, r int) error {
	res := &d.res[r]
	label := "wait for " + lockName(r)
	if err := t.StepWhen(func() string { return res.step(r) }, res.free); err != nil {
		return err
	}
	if o := res.holder(); o >= 0 {
		label += fmt.Sprintf(" (held by task %d)", o)
	}
	return t.Block(label, func() error {
		select {
		case res.ch <- struct{}{}:
			res.owner.Store(int64(i))
			return nil
		case <-t.Context().Done():
			return t.Err()
		}
	})
}

// holder returns the task holding the lock, or -1 when it is free. A task
// records itself just after taking the lock and clears the record just
// before letting it go: a lock taken but not recorded is in one of those
// two moments, and holder waits until it is over.
func (l *deadlockLock) holder() int64 {
	o := l.owner.Load()
	for o < 0 && len(l.ch) == cap(l.ch) {
		runtime.Gosched()
		o = l.owner.Load()
	}
	return o
}

func (d *deadlockInstance) release(r int) {
	d.res[r].owner.Store(-1)
	<-d.res[r].ch
}

// RawDeadlock makes two goroutines wait for each other with plain
// sync.Mutex locks, taken in opposite orders, while the calling goroutine
// waits for both. Nothing can ever run again, so Go's runtime stops the
// program with "fatal error: all goroutines are asleep - deadlock!" and
// exit status 2: RawDeadlock never returns.
//
// Call it only in a process of its own (conlab's CLI runs it as a child)
// whose other goroutines are all blocked too. The runtime can only see the
// deadlock when nothing else could wake the program: a running goroutine,
// a pending timer, or cgo (a program built with cgo, which importing net
// brings in by default, keeps a thread the runtime cannot account for)
// hide it, and the process then hangs instead. Build the program with
// CGO_ENABLED=0 and give the child a deadline.
func RawDeadlock() {
	var a, b sync.Mutex
	var wg sync.WaitGroup
	var ready sync.WaitGroup // both have taken their first lock
	ready.Add(2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		a.Lock()
		ready.Done()
		ready.Wait()
		b.Lock() // held by the other goroutine, which waits for a
	}()
	go func() {
		defer wg.Done()
		b.Lock()
		ready.Done()
		ready.Wait()
		a.Lock()
	}()
	wg.Wait()
}
