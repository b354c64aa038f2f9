package charts

import (
	"math"
	"slices"
	"sort"
)

// Interval is one span on a timeline lane, in microseconds. Index points
// back into the caller's own list of spans.
type Interval struct {
	Lane       int
	Start, End float64
	Index      int
}

// View is the visible time window [T0, T1] of a timeline, in µs.
type View struct{ T0, T1 float64 }

// MinViewUS is the narrowest window zooming allows: below it the clock's
// resolution shows more than the run does.
const MinViewUS = 10

// FullView shows the whole run. A run of no measurable length gets a
// window of MinViewUS so the axis still has a width.
func FullView(total float64) View {
	if !finite(total) || total < MinViewUS {
		total = MinViewUS
	}
	return View{0, total}
}

// Width is the view's duration.
func (v View) Width() float64 { return v.T1 - v.T0 }

// Clamp keeps the view inside [0, total], no narrower than MinViewUS and
// no wider than the run, preserving its width where it can.
func (v View) Clamp(total float64) View {
	full := FullView(total)
	if !finite(v.T0) || !finite(v.T1) {
		return full
	}
	w := math.Min(math.Max(v.Width(), MinViewUS), full.T1)
	t0 := math.Min(math.Max(v.T0, 0), full.T1-w)
	return View{t0, t0 + w}
}

// Zoom narrows the view by factor (> 1 zooms in, < 1 out) keeping the
// instant anchor at the same place on screen, then clamps it.
func (v View) Zoom(factor, anchor, total float64) View {
	if !finite(factor) || factor <= 0 {
		return v.Clamp(total)
	}
	if !finite(anchor) || anchor < v.T0 || anchor > v.T1 {
		anchor = (v.T0 + v.T1) / 2
	}
	return View{
		T0: anchor - (anchor-v.T0)/factor,
		T1: anchor + (v.T1-anchor)/factor,
	}.Clamp(total)
}

// Pan moves the view by delta µs (negative: earlier), then clamps it.
func (v View) Pan(delta, total float64) View {
	if !finite(delta) {
		return v.Clamp(total)
	}
	return View{v.T0 + delta, v.T1 + delta}.Clamp(total)
}

// Zoomed reports whether v shows less than the whole run.
func (v View) Zoomed(total float64) bool {
	f := FullView(total)
	return v.T0 > f.T0 || v.T1 < f.T1
}

// Lane is one row of the timeline.
type Lane struct {
	ID   int
	Y, H float64
}

// Rect is a placed span.
type Rect struct {
	Index      int // the Interval's Index
	Lane       int
	X, Y, W, H float64
}

// Timeline is the geometry of a timeline: one lane per lane id, spans as
// rectangles clipped to the view, a time axis along the bottom.
type Timeline struct {
	Frame Frame // H is computed from the number of lanes
	X     Linear
	Lanes []Lane
	Rects []Rect
	Ticks []Tick
	// Hidden counts spans wholly outside the view.
	Hidden int
}

// MinRectW is the narrowest a span is drawn, so a very short span stays
// visible (and hoverable) at any zoom.
const MinRectW = 1.5

// LayoutTimeline lays out spans in view. f's W and margins are used; its H
// is set to fit the lanes (laneH tall, gap apart). Lanes are ordered by id.
func LayoutTimeline(f Frame, laneH, gap float64, spans []Interval, view View) Timeline {
	return LayoutTimelineLanes(f, laneH, gap, spans, view, nil)
}

// LayoutTimelineLanes is LayoutTimeline with lanes that must be drawn
// even with no span: a goroutine that never ran is evidence too.
func LayoutTimelineLanes(f Frame, laneH, gap float64, spans []Interval, view View, lanes []int) Timeline {
	ids := LaneIDs(spans)
	for _, id := range lanes {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	f.H = f.Top + float64(len(ids))*(laneH+gap) - gap + f.Bottom
	if len(ids) == 0 {
		f.H = f.Top + laneH + f.Bottom
	}
	x := Linear{D0: view.T0, D1: view.T1, R0: f.X0(), R1: f.X1()}
	t := Timeline{Frame: f, X: x}
	row := map[int]int{}
	for i, id := range ids {
		row[id] = i
		t.Lanes = append(t.Lanes, Lane{ID: id, Y: f.Top + float64(i)*(laneH+gap), H: laneH})
	}
	for _, s := range spans {
		if !s.valid() {
			t.Hidden++
			continue
		}
		if s.End < view.T0 || s.Start > view.T1 {
			t.Hidden++
			continue
		}
		x0 := x.Map(math.Max(s.Start, view.T0))
		x1 := x.Map(math.Min(s.End, view.T1))
		w := math.Max(x1-x0, MinRectW)
		if x0+w > f.X1() { // keep a widened sliver inside the plot
			x0 = math.Max(f.X0(), f.X1()-w)
		}
		l := t.Lanes[row[s.Lane]]
		t.Rects = append(t.Rects, Rect{Index: s.Index, Lane: s.Lane, X: x0, Y: l.Y, W: w, H: l.H})
	}
	t.Ticks = AxisTicks(x, view.T0, view.T1, max(2, int((f.X1()-f.X0())/90)), TimeTickLabel(view.T1))
	return t
}

func (s Interval) valid() bool { return finite(s.Start) && finite(s.End) && s.End >= s.Start }

// LaneIDs returns the distinct lane ids of the well-formed spans in
// ascending order.
func LaneIDs(spans []Interval) []int {
	seen := map[int]bool{}
	var ids []int
	for _, s := range spans {
		if s.valid() && !seen[s.Lane] {
			seen[s.Lane] = true
			ids = append(ids, s.Lane)
		}
	}
	sort.Ints(ids)
	return ids
}

// MaxOverlap returns the largest number of intervals in progress at any
// instant. An interval ending when another starts does not overlap it:
// under a semaphore of K, the (K+1)th task starts as one ends.
func MaxOverlap(spans []Interval) int {
	type edge struct {
		t     float64
		delta int
	}
	es := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		if finite(s.Start) && finite(s.End) && s.End > s.Start {
			es = append(es, edge{s.Start, +1}, edge{s.End, -1})
		}
	}
	// Ends before starts at the same instant.
	sort.Slice(es, func(i, j int) bool {
		if es[i].t != es[j].t {
			return es[i].t < es[j].t
		}
		return es[i].delta < es[j].delta
	})
	cur, best := 0, 0
	for _, e := range es {
		cur += e.delta
		best = max(best, cur)
	}
	return best
}
