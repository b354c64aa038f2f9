package ui

import (
	"math"
	"sort"
	"unicode/utf8"
)

// chartLabel is a text placed on a chart.
type chartLabel struct {
	X, Y   float64 // the anchor and the baseline
	Text   string
	Anchor string  // where X is on the text: "start", "middle" or "end"
	CharW  float64 // about how wide one of its characters is
}

// extent returns where the label's text begins and ends.
func (l chartLabel) extent() (x0, x1 float64) {
	w := l.CharW * float64(utf8.RuneCountInString(l.Text))
	switch l.Anchor {
	case "middle":
		return l.X - w/2, l.X + w/2
	case "end":
		return l.X - w, l.X
	}
	return l.X, l.X + w
}

// labelPlacer places a chart's labels one by one so that none overlaps
// one placed before: a label moves a line at a time past the label in
// its way, or, where it cannot, is dropped.
type labelPlacer struct {
	Line        float64 // a line's height: closer baselines overlap
	Top, Bottom float64 // the baselines a label may take; Bottom 0 is no limit
	placed      []chartLabel
}

// blocker returns the placed label l would overlap.
func (p *labelPlacer) blocker(l chartLabel) (chartLabel, bool) {
	a0, a1 := l.extent()
	for _, q := range p.placed {
		b0, b1 := q.extent()
		// A label moved a line past another is clear of it, whatever
		// the rounding of its baseline.
		if a0 < b1+2 && b0 < a1+2 && math.Abs(l.Y-q.Y) < p.Line-1e-6 {
			return q, true
		}
	}
	return chartLabel{}, false
}

// move returns l moved a line at a time (dir -1 up, +1 down) past every
// placed label in its way: each step passes one, so it ends.
func (p *labelPlacer) move(l chartLabel, dir float64) chartLabel {
	for {
		q, in := p.blocker(l)
		if !in {
			return l
		}
		l.Y = q.Y + dir*p.Line
	}
}

// fits reports whether l's baseline is within Top and Bottom.
func (p *labelPlacer) fits(l chartLabel) bool {
	return l.Y >= p.Top && (p.Bottom == 0 || l.Y <= p.Bottom)
}

// above places l at its baseline or, in the way of a placed label, a
// line higher, as often as it takes: a bar's value label, with room
// above the bar.
func (p *labelPlacer) above(l chartLabel) chartLabel {
	l = p.move(l, -1)
	p.placed = append(p.placed, l)
	return l
}

// near places l at its baseline (within Top and Bottom) or, in the way
// of a placed label, below it, or else above it; false drops l: there is
// no room, or a label in its way at about the same height says the same
// (the points it labels coincide).
func (p *labelPlacer) near(l chartLabel) (chartLabel, bool) {
	l.Y = max(l.Y, p.Top)
	if p.Bottom != 0 {
		l.Y = min(l.Y, p.Bottom)
	}
	if q, in := p.blocker(l); in && q.Text == l.Text && math.Abs(q.Y-l.Y) < p.Line/2 {
		return l, false
	}
	got := p.move(l, 1)
	if !p.fits(got) {
		got = p.move(l, -1)
	}
	if !p.fits(got) {
		return l, false
	}
	p.placed = append(p.placed, got)
	return got, true
}

// placeNear places labels, from the top down, with near: those placed,
// in their order.
func (p *labelPlacer) placeNear(ls []chartLabel) []chartLabel {
	order := make([]int, len(ls))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ls[order[a]].Y < ls[order[b]].Y })
	keep := make([]bool, len(ls))
	out := make([]chartLabel, len(ls))
	for _, i := range order {
		out[i], keep[i] = p.near(ls[i])
	}
	var placed []chartLabel
	for i, l := range out {
		if keep[i] {
			placed = append(placed, l)
		}
	}
	return placed
}
