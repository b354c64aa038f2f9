package workloads

import (
	"fmt"
	"strings"
)

// What the lessons where order matters say in a controlled run: each
// step's words, whether it can go, and the shared values after it. A
// controlled run evaluates them while every task is stopped, so plain
// reads of the lessons' shared fields are safe here.

// counterLock names the counter's mutex in steps.
const counterLock = "the counter's lock"

func (c *counterInstance) value() uint64 {
	switch c.mode {
	case syncNone, syncMutex:
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

func (c *counterInstance) readStep() string { return "read n = " + groupU(c.n) }

func (c *counterInstance) writeStep(v uint64) string { return "write n = " + groupU(v+1) }

func (c *counterInstance) addStep() string {
	return "add 1 to n in one atomic step (n = " + groupU(c.value()) + ")"
}

// Watch implements Watcher.
func (c *counterInstance) Watch() string { return "n = " + groupU(c.value()) }

func (db *dbInstance) readStep() string { return fmt.Sprintf("read x = %d", db.value.Load()) }

func (db *dbInstance) lockFree() bool { return len(db.lock) == 0 }

func (db *dbInstance) lockStep() string {
	if db.lockFree() {
		return "take the lock"
	}
	return "wait for the lock (the other task holds it)"
}

// Watch implements Watcher.
func (db *dbInstance) Watch() string {
	s := fmt.Sprintf("x = %d", db.value.Load())
	if db.variant == dbLocked {
		if db.lockFree() {
			s += ", lock free"
		} else {
			s += ", lock held"
		}
	}
	return s
}

func (l *deadlockLock) free() bool { return l.owner.Load() < 0 }

func (l *deadlockLock) step(r int) string {
	if o := l.owner.Load(); o >= 0 {
		return fmt.Sprintf("wait for lock %s (held by task %d)", lockName(r), o)
	}
	return "take lock " + lockName(r)
}

// Watch implements Watcher.
func (d *deadlockInstance) Watch() string {
	parts := make([]string, len(d.res))
	for r := range d.res {
		if o := d.res[r].owner.Load(); o >= 0 {
			parts[r] = fmt.Sprintf("%s: task %d", lockName(r), o)
		} else {
			parts[r] = lockName(r) + ": free"
		}
	}
	return strings.Join(parts, ", ")
}

func (s *semInstance) permitFree() bool { return s.holding.Load() < s.limit }

func (s *semInstance) permitStep() string {
	if s.permitFree() {
		return fmt.Sprintf("take a permit (%d of %d held)", s.holding.Load(), s.limit)
	}
	return fmt.Sprintf("wait for a permit (all %d held)", s.limit)
}

// Watch implements Watcher.
func (s *semInstance) Watch() string {
	return fmt.Sprintf("%d of %d permits held", s.holding.Load(), s.limit)
}

func (q *queueInstance) hasRoom() bool { return len(q.ch) < cap(q.ch) }

func (q *queueInstance) putStep(item int) string {
	if q.hasRoom() {
		return fmt.Sprintf("put item %d", item)
	}
	return fmt.Sprintf("queue full: wait to put item %d", item)
}

func (q *queueInstance) closed() bool { return int(q.done.Load()) == q.producers }

func (q *queueInstance) canGet() bool { return len(q.ch) > 0 || q.closed() }

func (q *queueInstance) getStep() string {
	switch {
	case len(q.ch) > 0:
		return fmt.Sprintf("get an item (%d in the queue)", len(q.ch))
	case q.closed():
		return "find the queue closed and empty"
	}
	return "queue empty: wait for an item"
}

// Watch implements Watcher.
func (q *queueInstance) Watch() string {
	s := fmt.Sprintf("queue: %d of %d", len(q.ch), cap(q.ch))
	if q.closed() {
		s += ", closed"
	}
	return s
}

// Watch implements Watcher.
func (p *poolInstance) Watch() string {
	return fmt.Sprintf("%d of %d jobs done", p.done.Load(), len(p.lengths))
}
