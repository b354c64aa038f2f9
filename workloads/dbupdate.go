package workloads

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// The three versions of the read-sleep-write update.
const (
	dbUnlocked   = "unlocked"    // read, sleep, write: the lost update
	dbLocked     = "locked"      // a lock around read, sleep, write
	dbSleepFirst = "sleep-first" // sleep, then read and write at once
)

func init() {
	Register(&Workload{
		ID:    "dbupdate",
		Title: "Lost update: read, wait, write",
		Kind:  Race,
		Summary: "Two tasks each update one stored value the way a program updates a database row: read it, " +
			"wait (a slow query, here a sleep), then write value × value + 1. Starting from 0, one update after " +
			"the other gives 1 and then 2. But when both read before either writes, both read 0 and both write 1: " +
			"the second write silently overwrites the first, and the final value is 1 instead of 2. A lock held from " +
			"the read to the write makes the second task wait (blocked) and the result is 2. Sleeping before reading, " +
			"so that the read and the write follow each other with nothing in between, also gives 2 in the " +
			"cooperative mode, as it does with asyncio: one goroutine runs at a time and switches only when it waits. " +
			"The timeline shows each read, sleep and write. The value is read and written atomically, so this is not " +
			"a data race the race detector reports: it is a race in the logic, which no tool finds for you.",
		Mapping: "The Python program's `value` is the instance's value; each thread (or coroutine) is a task. " +
			"`time.sleep(DELAY)` / `await asyncio.sleep(DELAY)` between the read and the write is the waiting span " +
			"on the timeline; `with lock:` is the locked variant's lock, whose wait shows as blocked; the coroutine " +
			"that sleeps before reading is the sleep-first variant.",
		Params: []Param{
			ChoiceParam("variant", "Variant", []string{dbUnlocked, dbLocked, dbSleepFirst},
				"unlocked: read, sleep, write; locked: a lock around all three; sleep-first: sleep, then read and write."),
			IntParam("delay", "Delay", "ms", 200, 0, 10_000,
				"How long each task waits between reading and writing (or before reading, in sleep-first)."),
		},
		Python: dbupdatePython,
		Source: dbupdateSource,
		Needs: Needs{
			OneMemory: "each worker has its own memory, so there is no shared value for two workers to overwrite: " +
				"every worker would update its own copy and no update could be lost",
		},
		Quick:  map[string]any{"variant": dbLocked, "delay": 1},
		Plan:   planDBUpdate,
		Cost:   waits,
		Varies: true,
	})
}

// dbTasks is the number of tasks updating the value: two, as in the lesson.
const dbTasks = 2

func planDBUpdate(a Args, n int) (*Plan, error) {
	variant := a.String("variant")
	delay := time.Duration(a.Int("delay")) * time.Millisecond
	tasks := make([]string, dbTasks)
	for i := range tasks {
		tasks[i] = fmt.Sprintf("update %d (%s)", i, variant)
	}
	return &Plan{
		Tasks: tasks,
		New: func() Instance {
			return &dbInstance{variant: variant, delay: delay, lock: make(chan struct{}, 1)}
		},
		Combine: func(o Outputs) Check { return dbCheck(o, variant) },
	}, nil
}

// dbInstance is the "database": one value, and a lock that only the
// locked variant uses.
type dbInstance struct {
	variant string
	delay   time.Duration
	value   atomic.Uint64
	lock    chan struct{} // a mutex whose wait can be cancelled: full when held
}

// dbNext is the new value a task writes after reading v.
func dbNext(v uint64) uint64 { return v*v + 1 }

// Run performs one update and returns the value it wrote.
func (db *dbInstance) Run(t *T, i int) (uint64, error) {
	ctx := t.Context()
	switch db.variant {
	case dbLocked:
		err := t.StepWhen(db.lockStep, db.lockFree)
		if err != nil {
			return 0, err
		}
		err = t.Block("wait for the lock", func() error {
			select {
			case db.lock <- struct{}{}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err != nil {
			return 0, err
		}
		defer func() { <-db.lock }()
	case dbSleepFirst:
		if err := waitSpan(t, "sleep first", db.delay); err != nil {
			return 0, err
		}
		// Read and write with nothing in between: in a cooperative run no
		// other task can run here. (On several cores another thread still
		// can, for the few nanoseconds this takes; so can a student
		// stepping the tasks.)
		if err := t.Step(db.readStep); err != nil {
			return 0, err
		}
		v := db.value.Load()
		w := dbNext(v)
		if err := t.Step(func() string { return fmt.Sprintf("write x = %d", w) }); err != nil {
			return 0, err
		}
		db.value.Store(w)
		t.Phase(fmt.Sprintf("read x=%d", v), Running)
		t.Phase(fmt.Sprintf("write x=%d", w), Running)
		return w, nil
	}
	if err := t.Step(db.readStep); err != nil {
		return 0, err
	}
	v := db.value.Load()
	t.Phase(fmt.Sprintf("read x=%d", v), Running)
	// The other task may read or write while this one waits.
	if err := waitSpan(t, fmt.Sprintf("wait %s (x=%d in hand)", formatDuration(db.delay), v), db.delay); err != nil {
		return 0, err
	}
	w := dbNext(v)
	if err := t.Step(func() string { return fmt.Sprintf("write x = %d", w) }); err != nil {
		return 0, err
	}
	t.Phase(fmt.Sprintf("write x=%d", w), Running)
	db.value.Store(w)
	return w, nil
}

// Final reports the value after every update: what the database holds.
func (db *dbInstance) Final() uint64 { return db.value.Load() }

// waitSpan sleeps for d as a span of its own on the timeline, labelled and
// Waiting, so that what comes before and after it are separate bars. It
// returns early with the context's error when the run is cancelled. In a
// controlled run the wait is one step.
func waitSpan(t *T, label string, d time.Duration) error {
	t.Phase(label, Waiting)
	return t.pause(label, d)
}

// dbCheck compares the final value with the updates made one after the
// other: 0, then 1, then 2.
func dbCheck(o Outputs, variant string) Check {
	want := uint64(0)
	for range dbTasks {
		want = dbNext(want)
	}
	if len(o.Finals) != 1 {
		return Check{Expected: strconv.FormatUint(want, 10), Note: "the value was not reported by exactly one memory"}
	}
	got := o.Finals[0]
	c := equalCheck(got, want, "no update was lost: the second task read the first one's result")
	if got != want {
		c.Note = fmt.Sprintf("lost update: both tasks read x=0 before either wrote, so both wrote %d and the second write erased the first", dbNext(0))
		if variant == dbSleepFirst {
			c.Note += " (sleeping first only protects a program that runs one task at a time, like asyncio: " +
				"here two threads woke together and read at the same instant)"
		}
	}
	return c
}
