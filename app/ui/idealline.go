package ui

import (
	"fmt"
	"math"
	"strings"
)

// computesOnCores reports whether the cores bound the speed-up: the
// lesson computes, or its tasks do with these parameters.
func (d chartData) computesOnCores() bool { return d.CPUBound || d.Limit.CPU }

// maxN is the largest worker count of the charts (at least 1).
func (d chartData) maxN() int {
	n := 1
	for _, c := range d.Counts {
		n = max(n, c)
	}
	for _, pts := range d.speedups() {
		for _, p := range pts {
			n = max(n, p.N)
		}
	}
	return n
}

// plain is the ideal speed-up with n workers that ignores the tasks: n,
// up to the cores for computing work.
func (d chartData) plain(n int) float64 {
	if d.computesOnCores() {
		return float64(min(n, d.Cores))
	}
	return float64(n)
}

// best returns the best speed-up with n workers: the plain ideal, bounded
// by the lesson's tasks.
func (d chartData) best(n int) float64 {
	b := d.plain(n)
	if d.Limit.At != nil {
		b = min(b, d.Limit.At(n))
	}
	return b
}

// bounded reports whether the lesson's tasks, not only the workers and
// the cores, bound the speed-up at some worker count of the chart.
func (d chartData) bounded() bool {
	for n := 1; d.Limit.At != nil && n <= d.maxN(); n++ {
		if d.best(n) < 0.99*d.plain(n) {
			return true
		}
	}
	return false
}

// idealCores is the height the speed-up chart must show: the best
// speed-up at its largest worker count, rounded up.
func (d chartData) idealCores() int {
	top := 1.0
	for n := 1; n <= d.maxN(); n++ {
		top = max(top, d.best(n))
	}
	if !d.bounded() && d.computesOnCores() {
		return d.Cores
	}
	return int(math.Ceil(top - 1e-9))
}

// idealText names the ideal line.
func (d chartData) idealText() string {
	if d.bounded() {
		n := d.maxN()
		why := d.Limit.Why
		if d.computesOnCores() && d.Limit.At(n) > float64(d.Cores) {
			why += ", " + count(d.Cores, "core")
		}
		return fmt.Sprintf("best possible: %s at N = %d (%s)", timesText(d.best(n)), n, why)
	}
	if d.computesOnCores() {
		return fmt.Sprintf("ideal (%s)", count(d.Cores, "core"))
	}
	return "ideal (N×: waiting needs no core)"
}

// boundNote says what the best-possible line shows at each worker count
// of the chart: "10 equal jobs run at best 1× faster with 1 worker, 2×
// with 2, 3.3× with 4".
func (d chartData) boundNote() string {
	var at []string
	for _, n := range d.Counts {
		if n > d.maxN() {
			continue
		}
		if len(at) == 0 {
			at = append(at, fmt.Sprintf("%s faster with %s", timesText(d.best(n)), count(n, "worker")))
		} else {
			at = append(at, fmt.Sprintf("%s with %d", timesText(d.best(n)), n))
		}
	}
	why := d.Limit.Why
	if d.computesOnCores() {
		why += " on " + count(d.Cores, "core")
	}
	return "best possible: " + why + " run at best " + strings.Join(at, ", ")
}

// orderNote says why runs can fall short of the best-possible line when
// taking the tasks in their order is slower than the best schedule at
// some worker count of the chart: "Goroutines take the tasks in their
// order (task 1 first), …: in that order they run at best 1× faster with
// 1 goroutine, 1.7× with 2, 2.5× with 4". "" when it is as fast.
func (d chartData) orderNote() string {
	if !d.bounded() || d.Limit.InOrder == nil {
		return ""
	}
	var at []string
	slower := false
	for _, n := range d.Counts {
		if n > d.maxN() {
			continue
		}
		in := min(d.plain(n), d.Limit.InOrder(n))
		slower = slower || in < 0.99*d.best(n)
		if len(at) == 0 {
			at = append(at, fmt.Sprintf("%s faster with %s", timesText(in), count(n, "goroutine")))
		} else {
			at = append(at, fmt.Sprintf("%s with %d", timesText(in), n))
		}
	}
	if !slower {
		return ""
	}
	return "Why goroutines' bars can sit under the line: they take the tasks in their order (task 1 first), " +
		"each the next one as soon as it is free, while the best schedule starts the longest tasks first. " +
		"In that order they run at best " + strings.Join(at, ", ") + "."
}

// speedCaption is the speed-up chart's caption: what its dashed line is,
// what its labels say and, where runs did the work wrong, its ✗ marks.
func (d chartData) speedCaption() string {
	line := "the dashed line is the " + d.idealText()
	if d.bounded() {
		line = "the dashed line is the " + d.boundNote() + ": no schedule of the tasks does better"
	}
	s := "Speed-up over the sequential run; " + line + ". Labels: parallel efficiency (speed-up ÷ N)."
	if len(d.wrongAt()) > 0 {
		s += " ✗ on the axis: runs at that N did the work wrong (✗ on the wall chart), and a wrong answer has no speed-up."
	}
	return s
}
