package workloads

import (
	"encoding/binary"
	"fmt"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "responsive",
		Title: "Responsive: CPU work beside a page that must keep reacting",
		Kind:  UI,
		Summary: "Count squares (1², 2², 3², …) as fast as possible while you type into the page and watch " +
			"its frame-rate meter. The counting never pauses to let anything else run. In a Web Worker " +
			"(cooperative or workers mode) it runs on another thread and the page stays smooth; in the " +
			"main-thread mode the very same loop runs on the page's own thread, which can then neither " +
			"draw nor react to keys until the count is over: the page freezes. In the classic Python " +
			"lesson a second thread read typed input while the main thread counted, and got to 594,824² " +
			"meanwhile. Each lane reports how far it got, so a time limit shows how much work each mode " +
			"does in the same time.",
		Mapping: "The Python loop `while True: i += 1; i * i` is responsiveSquares; the thread waiting on " +
			"input() is the page itself (its meter and text box); threading.Thread is a Web Worker. " +
			"The main-thread mode is what happens when the loop runs where input() would.",
		Params: []Param{
			IntParam("count", "Squares", "squares", 300_000_000, 1, 20_000_000_000,
				"How many squares to count in total, split evenly over the lanes."),
			IntParam("duration", "Time limit", "ms", 0, 0, 60_000,
				"Stop counting this long after the run started, wherever it got (0: no limit, count them all)."),
		},
		Python: responsivePython,
		Source: responsiveSource,
		Quick:  map[string]any{"count": 10_000},
		Plan:   planResponsive,
		Cost:   cpuLanes,
	})
}

// responsiveSpans bounds the progress spans of one task: the timeline shows
// how far each lane got without drowning in spans.
const responsiveSpans = 16

// responsiveStep is how many squares are counted between two checks of
// the context and the clock: about a millisecond of work.
const responsiveStep = 1 << 20

func planResponsive(a Args, n int) (*Plan, error) {
	count := a.Int("count")
	limit := time.Duration(a.Int("duration")) * time.Millisecond
	parts := split(count, n)
	ranges := make([][2]uint64, len(parts))
	labels := make([]string, len(parts))
	var lo uint64
	for i, p := range parts {
		ranges[i] = [2]uint64{lo, lo + uint64(p)}
		labels[i] = fmt.Sprintf("count squares %s² to %s²", groupU(lo), groupU(lo+uint64(p)-1))
		lo += uint64(p)
	}
	return &Plan{
		Tasks: labels,
		New:   func() Instance { return responsiveInstance{ranges: ranges, limit: limit} },
		Combine: func(o Outputs) Check {
			return responsiveCheck(ranges, limit, o)
		},
	}, nil
}

type responsiveInstance struct {
	ranges [][2]uint64
	limit  time.Duration
}

// Run counts the squares of task i's range, never yielding: in a
// cooperative run it holds the thread until it is done, which is the point.
// It reports how many squares it counted, and their sum as its output.
func (r responsiveInstance) Run(t *T, i int) (uint64, error) {
	lo, hi := r.ranges[i][0], r.ranges[i][1]
	chunk := max((hi-lo+responsiveSpans-1)/responsiveSpans, responsiveStep)
	var s uint64
	n := lo
	for n < hi {
		end := min(n+chunk, hi)
		t.Phase(fmt.Sprintf("squares %s² to %s²", groupU(n), groupU(end-1)), Running)
		for n < end {
			if r.limit > 0 && t.Now() >= r.limit {
				t.SetOutput(responsiveOutput(n-lo, s))
				return n - lo, nil
			}
			step := min(n+responsiveStep, end)
			s += responsiveSquares(n, step)
			n = step
			if err := t.Err(); err != nil {
				return n - lo, err
			}
		}
	}
	t.SetOutput(responsiveOutput(n-lo, s))
	return n - lo, nil
}

// responsiveSquares is the lesson's loop: the sum of i*i for lo <= i < hi,
// with wrap-around (the sum is only a checksum).
func responsiveSquares(lo, hi uint64) uint64 {
	var s uint64
	for i := lo; i < hi; i++ {
		s += i * i
	}
	return s
}

func responsiveOutput(done, sum uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, done), sum)
}

// responsiveCheck verifies every lane's squares against the closed form
// for how far it got: exact whether or not a time limit stopped it.
func responsiveCheck(ranges [][2]uint64, limit time.Duration, o Outputs) Check {
	var done, want uint64
	for i, r := range ranges {
		want += r[1] - r[0]
		if i >= len(o.Data) || len(o.Data[i]) != 16 {
			return Check{Value: "no result", Expected: fmt.Sprint(want), Note: fmt.Sprintf("lane %d reported nothing", i)}
		}
		n := binary.LittleEndian.Uint64(o.Data[i])
		got := binary.LittleEndian.Uint64(o.Data[i][8:])
		if n != o.Values[i] || n > r[1]-r[0] || got != sumSquaresBelow(r[0]+n)-sumSquaresBelow(r[0]) {
			return Check{Value: fmt.Sprint(o.Values[i]), Expected: fmt.Sprint(r[1] - r[0]),
				Note: fmt.Sprintf("task %d's sum of squares is wrong", i)}
		}
		done += n
	}
	if done == want {
		return equalCheck(done, want, "every square was counted, and the sums check out")
	}
	c := Check{Value: fmt.Sprint(done), Expected: groupU(want) + " when not stopped"}
	if limit > 0 {
		c.OK = true
		c.Note = fmt.Sprintf("the %s time limit stopped the count at %s of %s squares (%.1f%%); the sums check out",
			formatDuration(limit), groupU(done), groupU(want), 100*float64(done)/float64(want))
	} else {
		c.Note = "some squares were not counted"
	}
	return c
}
