package charts

import "math"

// Linear maps the domain [D0, D1] onto the range [R0, R1]. The zero value
// maps everything to 0. A degenerate domain (D0 == D1) maps every value to
// the middle of the range rather than dividing by zero.
type Linear struct {
	D0, D1 float64
	R0, R1 float64
}

// Map returns the range position of domain value v (not clamped).
func (s Linear) Map(v float64) float64 {
	if s.D1 == s.D0 {
		return (s.R0 + s.R1) / 2
	}
	return s.R0 + (v-s.D0)*(s.R1-s.R0)/(s.D1-s.D0)
}

// Invert returns the domain value at range position r.
func (s Linear) Invert(r float64) float64 {
	if s.R1 == s.R0 {
		return (s.D0 + s.D1) / 2
	}
	return s.D0 + (r-s.R0)*(s.D1-s.D0)/(s.R1-s.R0)
}

// Band divides the range [R0, R1] into N equal bands, for categories.
// Inner is the gap between bands and Outer the space before the first and
// after the last, both as fractions of a band's step (0 ≤ Inner < 1).
type Band struct {
	N            int
	R0, R1       float64
	Inner, Outer float64
}

func (b Band) step() float64 {
	if b.N <= 0 {
		return 0
	}
	return (b.R1 - b.R0) / (float64(b.N) - b.Inner + 2*b.Outer)
}

// Start returns the left edge of band i.
func (b Band) Start(i int) float64 {
	return b.R0 + b.step()*(b.Outer+float64(i))
}

// Width returns the width of one band.
func (b Band) Width() float64 { return b.step() * (1 - b.Inner) }

// Center returns the middle of band i.
func (b Band) Center(i int) float64 { return b.Start(i) + b.Width()/2 }

// finite reports whether v is a usable number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
