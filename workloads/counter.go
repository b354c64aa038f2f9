package workloads

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
)

// Ways the counter workload protects its shared counter.
const (
	syncNone   = "none"   // plain read, then write: a data race
	syncMutex  = "mutex"  // a sync.Mutex around read-modify-write
	syncAtomic = "atomic" // one indivisible atomic add
	syncShared = "shared" // an atomic add on memory shared by Web Workers
)

func init() {
	Register(&Workload{
		ID:    "counter",
		Title: "Race on a counter: lost updates, and the locks and atomics that prevent them",
		Kind:  Race,
		Summary: "Many tasks each add 1 to one shared counter, many times. Adding 1 is really three steps: " +
			"read the counter, add 1, write it back. When two threads interleave those steps, both read the same " +
			"value and one of the two writes is lost: the classic lesson counts 7,425,606 instead of 10,000,000. " +
			"Natively, goroutines on several cores lose updates the same way, and Go's race detector (go run -race) " +
			"reports the data race. Every lane waits at a start line before it counts, so the lanes really run at the same " +
			"time; even so a run may lose nothing when the machine is busy and runs the lanes in turn. A mutex around the three steps, or one atomic add, makes the count exact. " +
			"In the cooperative mode only one goroutine runs and it switches only when it waits, so nothing is lost " +
			"unless the task yields between the read and the write (the yield option), exactly like an await in " +
			"asyncio. In the workers mode every worker has its own memory: each counts alone and the page adds " +
			"up the workers' counts, unless the counter lives in shared memory (the shared option).",
		Mapping: "The Python program's global counter is the instance's n field; its threads are the tasks " +
			"(the goroutines). `counter += 1` is the none variant's read then write; `with lock:` is the mutex " +
			"variant; `await asyncio.sleep(0)` between read and write is t.Yield(). The processes, each with its own " +
			"counter sent back through a queue, are the workers mode; multiprocessing.Value is the shared variant.",
		Params: []Param{
			IntParam("tasks", "Tasks", "tasks", 100, 1, 10_000,
				"How many tasks add to the counter; the lanes take them in turn."),
			IntParam("increments", "Increments per task", "additions", 100_000, 1, 1_000_000,
				"How many times each task adds 1."),
			ChoiceParam("sync", "Synchronisation", []string{syncNone, syncMutex, syncAtomic, syncShared},
				"none: read then write, unprotected; mutex: a lock around read and write; atomic: one indivisible add; "+
					"shared: an atomic add on memory shared by every worker (needs a cross-origin isolated page)."),
			BoolParam("yield", "Yield between read and write", false,
				"Let other goroutines run between reading and writing the counter, like awaiting in asyncio."),
		},
		Python: counterPython,
		Source: counterSource,
		Quick:  map[string]any{"tasks": 8, "increments": 1000, "sync": syncAtomic},
		Plan:   planCounter,
		Cost:   cpuLanes,
		Varies: true,
	})
}

func planCounter(a Args, n int) (*Plan, error) {
	tasks, incs := a.Int("tasks"), a.Int("increments")
	mode, yield := a.String("sync"), a.Bool("yield")
	total := uint64(tasks) * uint64(incs)
	p := &Plan{
		Tasks: make([]string, tasks),
		New:   func() Instance { return &counterInstance{incs: incs, mode: mode, yield: yield} },
		Combine: func(o Outputs) Check {
			c := counterCheck(o, total, mode == syncShared)
			if mode == syncNone && c.OK && len(o.Finals) == 1 && n > 1 {
				c.Note = counterNoLoss
			}
			return c
		},
	}
	if mode == syncShared {
		// Shared memory holds 32-bit cells: the whole count must fit in one.
		if total > math.MaxInt32 {
			return nil, &ParamError{Field: "increments", Msg: fmt.Sprintf(
				"parameter increments: with sync=shared the count lives in 32 bits, so tasks × increments must be at most %s (got %s)",
				GroupDigits(math.MaxInt32), groupU(total))}
		}
		p.Shared = 1
	}
	for i := range p.Tasks {
		p.Tasks[i] = fmt.Sprintf("task %d: add 1 ×%s (%s)", i, GroupDigits(incs), mode)
	}
	return p, nil
}

// counterNoLoss explains an unsynchronised run on several lanes that lost
// nothing: the race is there, but this run's timing did not expose it.
const counterNoLoss = "no update lost this time, yet the race is there (go run -race finds it): updates are lost " +
	"only while two lanes run on two cores at once; one thread (cooperative, GOMAXPROCS=1) or a busy machine " +
	"lets none interleave"

// counterInstance is the memory the tasks of one instance share: the
// counter n, and what protects it.
type counterInstance struct {
	incs  int64
	mode  string
	yield bool

	n      uint64        // the none variant's counter: read and written plainly
	mu     sync.Mutex    // guards n in the mutex variant
	count  atomic.Uint64 // the atomic variant's counter
	shared atomic.Value  // the Shared memory of the shared variant, once a task saw it
	start  startLine
}

// startLine holds each lane's first task until every lane of the run has
// one. Without it the first lane counts alone while the others are still
// starting (a whole run is a few milliseconds natively), and a run with
// nobody to race against loses nothing. The lanes spin at the line rather
// than sleep: a sleeping thread takes the system a while to wake, long
// enough for the others to count alone again.
type startLine struct {
	mu      sync.Mutex
	seen    map[int]bool
	arrived atomic.Int64
}

// wait returns once every lane has reached the line, at once for a lane's
// later tasks, or with the context's error.
func (s *startLine) wait(t *T) error {
	if t.Controlled() {
		return nil // a controlled run starts every lane before anyone steps
	}
	s.mu.Lock()
	if s.seen == nil {
		s.seen = map[int]bool{}
	}
	first := !s.seen[t.Lane()]
	s.seen[t.Lane()] = true
	s.mu.Unlock()
	if !first {
		return nil
	}
	lanes := int64(t.Lanes())
	if s.arrived.Add(1) >= lanes {
		return nil
	}
	return t.Block("at the start line: waiting for every lane", func() error {
		for s.arrived.Load() < lanes {
			if err := t.Err(); err != nil {
				return err
			}
			t.Yield() // in a cooperative run, lets the other lanes arrive
		}
		return nil
	})
}

// Run adds 1 to the counter incs times and returns how many times it did.
func (c *counterInstance) Run(t *T, i int) (uint64, error) {
	var sh Shared
	if c.mode == syncShared {
		if sh = t.Shared(); sh == nil || sh.Len() < 1 {
			return 0, fmt.Errorf("shared memory is not available here: the page is not cross-origin isolated " +
				"(serve it with the COOP/COEP headers, e.g. conlab serve -isolate), so each worker can only count alone")
		}
		c.shared.Store(sh)
	}
	if err := c.start.wait(t); err != nil {
		return 0, err
	}
	// Step by step (a controlled run), every read, write and lock is a
	// step; checked once, so the loops stay as tight as the lesson needs.
	ctl := t.Controlled()
	done := int64(0)
	for done < c.incs {
		// Work in chunks so a cancelled run stops promptly; the loops stay
		// tight because that is where updates get lost.
		k := min(c.incs-done, 4096)
		switch {
		case c.mode == syncNone && !c.yield:
			for range k {
				if ctl {
					t.Step(c.readStep)
				}
				v := c.n // read
				if ctl {
					t.Step(func() string { return c.writeStep(v) })
				}
				c.n = v + 1 // write: another task may have written in between
			}
		case c.mode == syncNone:
			for range k {
				if ctl {
					t.Step(c.readStep)
				}
				v := c.n
				t.Yield() // like `await` between read and write: others run here
				if ctl {
					t.Step(func() string { return c.writeStep(v) })
				}
				c.n = v + 1
			}
		case c.mode == syncMutex:
			for range k {
				if err := t.Lock(&c.mu, counterLock); err != nil {
					return uint64(done), err
				}
				if ctl {
					t.Step(c.readStep)
				}
				v := c.n
				if c.yield {
					t.Yield() // others may run, but they wait for the lock
				}
				if ctl {
					t.Step(func() string { return c.writeStep(v) })
				}
				c.n = v + 1
				t.Unlock(&c.mu, counterLock)
			}
		case c.mode == syncAtomic:
			for range k {
				if ctl {
					t.Step(c.addStep)
				}
				c.count.Add(1) // read, add and write in one step: nothing to interleave
				if c.yield {
					t.Yield()
				}
			}
		default: // syncShared
			for range k {
				if ctl {
					t.Step(c.addStep)
				}
				sh.Add(0, 1)
				if c.yield {
					t.Yield()
				}
			}
		}
		done += k
		if err := t.Err(); err != nil {
			return uint64(done), err
		}
	}
	return uint64(done), nil
}

// Final reports this instance's counter. The engine calls it after every
// task of the instance has finished.
func (c *counterInstance) Final() uint64 {
	switch c.mode {
	case syncNone:
		return c.n
	case syncMutex:
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.n
	case syncAtomic:
		return c.count.Load()
	default:
		if sh, ok := c.shared.Load().(Shared); ok {
			return uint64(uint32(sh.Load(0)))
		}
		return 0
	}
}

// counterCheck compares the counter with tasks × increments. Each instance
// reports its own counter: natively and cooperatively there is one; in the
// workers mode each worker counted alone and the counts add up. A counter in
// shared memory is the same cell seen by every worker: the largest reading
// is the one taken after every increment.
func counterCheck(o Outputs, want uint64, shared bool) Check {
	if len(o.Finals) == 0 {
		return Check{Expected: strconv.FormatUint(want, 10), Note: "no instance reported its counter"}
	}
	var got uint64
	for _, f := range o.Finals {
		if shared {
			got = max(got, f)
		} else {
			got += f
		}
	}
	c := equalCheck(got, want, "every update counted")
	switch did := sum(o.Values); {
	case did != want:
		c.OK = false
		c.Note = fmt.Sprintf("the tasks reported %s increments, not %s", groupU(did), groupU(want))
	case got < want:
		c.Note = fmt.Sprintf("%s of %s updates lost: tasks overwrote each other's writes", groupU(want-got), groupU(want))
	case got > want:
		c.Note = fmt.Sprintf("%s more than the %s updates made", groupU(got-want), groupU(want))
	case len(o.Finals) > 1 && !shared:
		c.Note = fmt.Sprintf("every update counted: each of %d workers counted alone in its own memory and the page added the counts", len(o.Finals))
	}
	return c
}
