package workloads

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "queue",
		Title: "Queue: producers hand items to consumers over a channel",
		Kind:  Sync,
		Summary: "Producers make items and put them into a queue; consumers take them out and use them. The queue " +
			"is the only thing they share, and it does the synchronisation: a consumer that finds it empty waits " +
			"(blocked) for the next item, a producer that finds it full waits for room. In Go the queue is a " +
			"channel with a buffer; when the producers are done they close it, which every consumer sees once the " +
			"remaining items are taken: Go's version of putting None on a Python queue to say \"no more\". The " +
			"timeline shows each item made, put, got and used, and who waited for whom. Run one after another " +
			"(sequential, or fewer lanes than tasks) the producers put everything before any consumer starts, so the " +
			"queue must then hold every item. The check: every item made was used exactly once.",
		Mapping: "The Python program's queue.Queue(maxsize) is the channel make(chan int, buffer); q.put is a send " +
			"(ch <- item), q.get a receive (<-ch); putting None for each consumer is close(ch); each thread is a task, " +
			"the first ones producers and the rest consumers. time.sleep in producer and consumer is the making and " +
			"using of an item.",
		Params: []Param{
			IntParam("items", "Items", "items", 12, 1, 1000, "How many items the producers make in all."),
			IntParam("producers", "Producers", "tasks", 1, 1, 32,
				"How many tasks make items; the other lanes consume (at least one consumer)."),
			IntParam("buffer", "Queue size", "items", 2, 1, 1000,
				"How many items the queue holds before a producer must wait (when every task has its own lane)."),
			IntParam("produce", "Make time", "ms", 50, 0, 5_000, "How long making one item takes."),
			IntParam("consume", "Use time", "ms", 150, 0, 5_000, "How long using one item takes."),
		},
		Python: queuePython,
		Source: queueSource,
		Needs: Needs{
			OneMemory: "a channel lives in one memory: between Web Workers every item would have to travel as a " +
				"message through the page, which this lab does not do; run it cooperatively, or see the pool lesson " +
				"for work handed out to workers",
		},
		Quick: map[string]any{"items": 6, "produce": 0, "consume": 1},
		Plan:  planQueue,
		Cost:  waits,
	})
}

func planQueue(a Args, n int) (*Plan, error) {
	items := int(a.Int("items"))
	producers := int(a.Int("producers"))
	consumers := max(1, n-producers)
	q := queuePlan{
		items: items, producers: producers, buffer: int(a.Int("buffer")),
		produce: time.Duration(a.Int("produce")) * time.Millisecond,
		consume: time.Duration(a.Int("consume")) * time.Millisecond,
	}
	labels := make([]string, producers+consumers)
	for i := range labels {
		if i < producers {
			labels[i] = fmt.Sprintf("producer %d", i)
		} else {
			labels[i] = fmt.Sprintf("consumer %d", i-producers)
		}
	}
	return &Plan{
		Tasks:   labels,
		New:     func() Instance { return q.newInstance() },
		Combine: func(o Outputs) Check { return queueCheck(o, items, producers) },
	}, nil
}

type queuePlan struct {
	items, producers, buffer int
	produce, consume         time.Duration
}

// queueInstance is one memory's queue. The channel is made when the first
// task starts, once the engine has said how the tasks are scheduled.
type queueInstance struct {
	queuePlan
	once sync.Once
	ch   chan int
	done atomic.Int64   // producers finished
	used []atomic.Int32 // how many times each item was used
}

func (q queuePlan) newInstance() *queueInstance {
	return &queueInstance{queuePlan: q, used: make([]atomic.Int32, q.items)}
}

// Run is a producer for the first tasks and a consumer for the rest. It
// returns how many items the task made or used.
func (q *queueInstance) Run(t *T, i int) (uint64, error) {
	q.once.Do(func() {
		size := q.buffer
		if !eachTaskHasLane(t) {
			// The tasks run in turn: the producers finish before any consumer
			// starts, so the queue must hold every item (Python's unbounded
			// queue.Queue()).
			size = q.items
		}
		q.ch = make(chan int, size)
	})
	if i < q.producers {
		return q.producer(t, i)
	}
	return q.consumer(t)
}

// producer makes items i, i+producers, ... and puts each into the queue.
// The last producer to finish closes it.
func (q *queueInstance) producer(t *T, i int) (uint64, error) {
	made := uint64(0)
	for item := i; item < q.items; item += q.producers {
		if err := waitSpan(t, fmt.Sprintf("make item %d", item), q.produce); err != nil {
			return made, err
		}
		if err := t.StepWhen(func() string { return q.putStep(item) }, q.hasRoom); err != nil {
			return made, err
		}
		select {
		case q.ch <- item:
		default:
			err := t.Block(fmt.Sprintf("queue full: wait to put item %d", item), func() error {
				select {
				case q.ch <- item:
					return nil
				case <-t.Context().Done():
					return t.Err()
				}
			})
			if err != nil {
				return made, err
			}
		}
		t.Phase(fmt.Sprintf("put item %d", item), Running)
		made++
	}
	if int(q.done.Add(1)) == q.producers {
		t.Phase("close the queue: no more items", Running)
		close(q.ch) // every consumer sees it once the queue is empty, like None
	}
	return made, nil
}

// consumer takes items until the queue is closed and empty.
func (q *queueInstance) consumer(t *T) (uint64, error) {
	got := uint64(0)
	for {
		var item int
		var ok bool
		if err := t.StepWhen(q.getStep, q.canGet); err != nil {
			return got, err
		}
		select {
		case item, ok = <-q.ch:
		default:
			err := t.Block("queue empty: wait for an item", func() error {
				select {
				case item, ok = <-q.ch:
					return nil
				case <-t.Context().Done():
					return t.Err()
				}
			})
			if err != nil {
				return got, err
			}
		}
		if !ok {
			t.Phase("queue closed: stop", Running)
			return got, nil
		}
		t.Phase(fmt.Sprintf("got item %d", item), Running)
		if item >= 0 && item < len(q.used) {
			q.used[item].Add(1)
		}
		got++
		if err := waitSpan(t, fmt.Sprintf("use item %d", item), q.consume); err != nil {
			return got, err
		}
	}
}

// Final reports how many items were used exactly once.
func (q *queueInstance) Final() uint64 {
	once := uint64(0)
	for i := range q.used {
		if q.used[i].Load() == 1 {
			once++
		}
	}
	return once
}

// eachTaskHasLane reports whether every task of t's run has a goroutine of
// its own, so that producers and consumers run at the same time; otherwise
// the engine runs them in turn (the sequential mode, or fewer lanes than
// tasks).
func eachTaskHasLane(t *T) bool {
	req := t.r.job.Request
	return req.Mode == Goroutines && req.Workers >= len(t.r.job.Plan.Tasks)
}

// queueCheck passes when the producers made every item, the consumers used
// as many, and each item was used exactly once.
func queueCheck(o Outputs, items, producers int) Check {
	var made, used uint64
	for i, v := range o.Values {
		if i < producers {
			made += v
		} else {
			used += v
		}
	}
	once := uint64(0)
	if len(o.Finals) == 1 {
		once = o.Finals[0]
	}
	c := Check{
		Value:    fmt.Sprintf("%d made, %d used, %d used exactly once", made, used, once),
		Expected: fmt.Sprintf("%d made, %d used, %d used exactly once", items, items, items),
	}
	c.OK = c.Value == c.Expected
	if c.OK {
		c.Note = "every item went through the queue once, and the consumers stopped when it was closed"
	} else {
		c.Note = "items were lost or used twice"
	}
	return c
}
