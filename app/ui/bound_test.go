package ui

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The best schedule of tasks on lanes: equal tasks take whole turns, and
// unequal ones are packed better than longest-first when it can be done.
func TestBestMakespan(t *testing.T) {
	for _, c := range []struct {
		tasks []float64
		lanes int
		want  float64
	}{
		{equalTasks(10), 4, 3},           // 4 + 4 + 2
		{equalTasks(10), 10, 1},          //
		{equalTasks(10), 1, 10},          //
		{[]float64{1, 2, 3, 4, 5}, 2, 8}, // 5+3 | 4+2+1 (never 7.5)
		{[]float64{1, 2, 3, 4, 5}, 3, 5}, // the longest
		{[]float64{3, 3, 2, 2, 2}, 2, 6}, // longest first gives 7
		{[]float64{250, 300, 200, 260, 240}, 8, 300},
		{nil, 2, 0},
	} {
		if got := bestMakespan(c.tasks, c.lanes); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("bestMakespan(%v, %d) = %v, want %v", c.tasks, c.lanes, got, c.want)
		}
	}
}

// Every lesson's bound at the worker counts its view compares.
func TestLessonBound(t *testing.T) {
	for _, c := range []struct {
		lesson string
		params map[string]any
		n      int
		want   float64
	}{
		{"pool", map[string]any{"jobs": int64(10), "duration": int64(250)}, 4, 10.0 / 3},
		{"pool", map[string]any{"jobs": int64(10), "duration": int64(250)}, 2, 2},
		{"pool", map[string]any{"jobs": int64(10), "duration": int64(250)}, 10, 10},
		{"sleep", map[string]any{"tasks": int64(5), "pattern": "1..n"}, 2, 15.0 / 8},
		{"sleep", map[string]any{"tasks": int64(5), "pattern": "1..n"}, 4, 3},
		{"sleep", map[string]any{"tasks": int64(5), "pattern": "2,3"}, 4, 5.0 / 3},
		{"blocking", map[string]any{"tasks": int64(5), "blocker": int64(2), "block": int64(9)}, 4, 21.0 / 9},
		{"semaphore", map[string]any{"tasks": int64(10), "limit": int64(3)}, 8, 10.0 / 4}, // 3 + 3 + 3 + 1
		{"semaphore", map[string]any{"tasks": int64(10), "limit": int64(3)}, 2, 2},
		{"download", map[string]any{"pages": int64(30)}, 8, 30.0 / 4},
		{"queue", map[string]any{"items": int64(12), "producers": int64(1), "produce": int64(50), "consume": int64(150)}, 2, 2400.0 / 1850},
		{"queue", map[string]any{"items": int64(12), "producers": int64(1), "produce": int64(50), "consume": int64(150)}, 4, 2400.0 / 750},
		{"queue", map[string]any{"items": int64(12), "producers": int64(1), "produce": int64(50), "consume": int64(150)}, 1, 1},
		{"subprocess", map[string]any{"children": int64(2)}, 4, 2},
		{"subprocess", map[string]any{"children": int64(2)}, 1, 1},
		{"dbupdate", map[string]any{"variant": "unlocked"}, 4, 2},
		{"dbupdate", map[string]any{"variant": "locked"}, 2, 1},
		{"counter", map[string]any{"tasks": int64(100), "sync": "mutex"}, 4, 1},
		{"counter", map[string]any{"tasks": int64(100), "sync": "atomic"}, 4, 4},
		{"mergesort", map[string]any{"lists": int64(200)}, 3, 200.0 / 67},
		{"sumsquares", map[string]any{"base": int64(1000), "numbers": int64(20)}, 3, 20190.0 / 7046},
	} {
		b := lessonBound(c.lesson, c.params)
		if b.At == nil {
			t.Errorf("%s: no bound", c.lesson)
			continue
		}
		if got := b.At(c.n); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s %v at N = %d: %v, want %v", c.lesson, c.params, c.n, got, c.want)
		}
	}
	if b := lessonBound("subprocess", map[string]any{"children": int64(2)}); b.Why != "2 children" {
		t.Errorf("subprocess: %q", b.Why)
	}
	if b := lessonBound("countdown", map[string]any{}); b.At != nil {
		t.Error("countdown splits into one task per worker: no bound but N and the cores")
	}
	if !lessonBound("pool", map[string]any{"jobs": int64(10), "cpu": true}).CPU {
		t.Error("the pool's CPU jobs need cores")
	}
}

// The pool lesson's chart draws the best possible at each N: 10 equal
// jobs on 4 workers reach 3.3×, not the N× line's 4×.
func TestSpeedChartPoolBound(t *testing.T) {
	d := chartData{Wall: map[runKey]float64{{serSequential, 1}: 2500, {serCooperative, 1}: 2500, {serCooperative, 2}: 1260, {serCooperative, 4}: 760,
		{serWorkers, 1}: 2520, {serWorkers, 2}: 1270, {serWorkers, 4}: 770},
		Counts: []int{1, 2, 4}, Cores: 2, Limit: lessonBound("pool", map[string]any{"jobs": int64(10), "duration": int64(250)})}
	svg := speedSVG("s", d, 600)
	m := regexp.MustCompile(`<g class="ideal">.*?<polyline points="([^"]*)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no ideal line:\n%s", svg)
	}
	pts := strings.Fields(m[1])
	y := func(p string) float64 {
		v, _ := strconv.ParseFloat(p[strings.Index(p, ",")+1:], 64)
		return v
	}
	// The chart's y axis runs from 0 (the bottom, at y(pts[0])) up: the
	// line at N = 4 must stand at 10/3 of its height at N = 1.
	zero, one, four := y(pts[0]), y(pts[1]), y(pts[len(pts)-1])
	if got := (zero - four) / (zero - one); math.Abs(got-10.0/3) > 0.01 {
		t.Errorf("the line ends at %.2f×, want 3.33× (10 jobs on 4 workers take 3 turns): %s", got, m[1])
	}
	mustContain(t, svg, "best possible: 3.3× at N = 4 (10 equal jobs)", "3.3× with 4")
	mustNotContain(t, svg, "waiting needs no core")
	if s := d.speedCaption(); !strings.Contains(s, "10 equal jobs run at best 1× faster with 1 worker, 2× with 2, 3.3× with 4") {
		t.Errorf("caption %q", s)
	}
}

// A CPU lesson whose tasks split evenly keeps the ideal of the cores.
func TestSpeedChartCoresIdeal(t *testing.T) {
	d := chartData{Wall: map[runKey]float64{{serSequential, 1}: 1000, {serWorkers, 2}: 520, {serWorkers, 4}: 510},
		Counts: []int{2, 4}, Cores: 2, CPUBound: true, Limit: lessonBound("mergesort", map[string]any{"lists": int64(200)})}
	if d.bounded() || d.idealText() != "ideal (2 cores)" {
		t.Errorf("mergesort: %q", d.idealText())
	}
	d.Limit = lessonBound("mergesort", map[string]any{"lists": int64(3)}) // 3 lists on 2 cores: 1.5×
	if !d.bounded() || d.idealText() != "best possible: 2× at N = 4 (3 equal lists, 2 cores)" {
		t.Errorf("3 lists: %q", d.idealText())
	}
}

// Lanes that each take the next task as soon as they are free finish the
// tasks later than the best schedule when the long ones come last.
func TestInOrderMakespan(t *testing.T) {
	for _, c := range []struct {
		tasks []float64
		lanes int
		want  float64
	}{
		{[]float64{1, 2, 3, 4, 5}, 2, 9}, // 1+3+5 | 2+4 (the best: 8)
		{[]float64{1, 2, 3, 4, 5}, 4, 6}, // 1+5 | 2 | 3 | 4 (the best: 5)
		{[]float64{5, 4, 3, 2, 1}, 2, 8}, // longest first is the best here
		{[]float64{2, 3}, 2, 3},
		{equalTasks(10), 4, 3},
		{nil, 2, 0},
	} {
		if got := inOrderMakespan(c.tasks, c.lanes); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("inOrderMakespan(%v, %d) = %v, want %v", c.tasks, c.lanes, got, c.want)
		}
	}
}

// The sleep lesson's chart says why its goroutines' bars sit under the
// best-possible line: sleeps of 1 to 5 units taken in order reach 1.7×
// with 2 goroutines and 2.5× with 4, where the best schedule reaches 1.9×
// and 3×. Equal tasks, or tasks the order does not slow, say nothing.
func TestOrderNote(t *testing.T) {
	wall := map[runKey]float64{{serSequential, 1}: 1500, {serCooperative, 1}: 1500, {serCooperative, 2}: 900, {serCooperative, 4}: 600}
	d := chartData{Wall: wall, Counts: []int{1, 2, 4}, Cores: 2, Limit: lessonBound("sleep", map[string]any{"tasks": int64(5), "pattern": "1..n"})}
	note := d.orderNote()
	for _, want := range []string{"in their order (task 1 first)", "the best schedule starts the longest tasks first",
		"at best 1× faster with 1 goroutine, 1.7× with 2, 2.5× with 4."} {
		if !strings.Contains(note, want) {
			t.Errorf("sleep: the note %q does not say %q", note, want)
		}
	}
	// The chart's own line stays the best schedule's.
	if !strings.Contains(d.idealText(), "best possible: 3× at N = 4") {
		t.Errorf("sleep: %q", d.idealText())
	}
	for name, params := range map[string]struct {
		lesson string
		params map[string]any
	}{
		"sleep 2,3": {"sleep", map[string]any{"tasks": int64(5), "pattern": "2,3"}},
		"pool":      {"pool", map[string]any{"jobs": int64(10), "duration": int64(250)}},
		"mergesort": {"mergesort", map[string]any{"lists": int64(3)}},
	} {
		d.Limit = lessonBound(params.lesson, params.params)
		if note := d.orderNote(); note != "" {
			t.Errorf("%s: %q, want no note", name, note)
		}
	}
}
