package charts

import "math"

// Group is one category of a grouped bar chart: a value per series, NaN
// (or a negative number) where the series has no value for it. Low and
// High, when given, are each value's range (the fastest and slowest of
// the runs it stands for), drawn as a whisker; a NaN there, or a range
// that does not hold the value, draws none.
type Group struct {
	Label     string
	Values    []float64
	Low, High []float64
}

// Bar is one placed bar.
type Bar struct {
	Group, Series int
	Value         float64
	X, Y, W, H    float64
	// Whisker says the bar has a range; YLow and YHigh are its ends on
	// the value axis (YLow is the lower value, so the larger y).
	Whisker     bool
	Low, High   float64
	YLow, YHigh float64
}

// rangeOf returns the range of value i of g, if it has a usable one.
func (g Group) rangeOf(i int) (lo, hi float64, ok bool) {
	if i >= len(g.Low) || i >= len(g.High) {
		return 0, 0, false
	}
	lo, hi = g.Low[i], g.High[i]
	v := g.Values[i]
	if !present(lo) || !present(hi) || lo > v || hi < v {
		return 0, 0, false
	}
	return lo, hi, true
}

// Bars is the geometry of a grouped bar chart with a value axis from 0.
type Bars struct {
	Frame  Frame
	Y      Linear
	YTicks []Tick
	Groups []Tick // group labels at the groups' centres (Pos is x)
	Bars   []Bar
}

// LayoutBars places the groups side by side and, inside each group, its
// present values side by side: a group with fewer values has fewer, not
// thinner, bars, so missing runs leave no holes. The value axis reaches
// the highest whisker too. label formats the value axis (nil:
// FormatNumber).
func LayoutBars(f Frame, groups []Group, label func(float64) string) Bars {
	top := 0.0
	for _, g := range groups {
		for i, v := range g.Values {
			if present(v) {
				top = math.Max(top, v)
				if _, hi, ok := g.rangeOf(i); ok {
					top = math.Max(top, hi)
				}
			}
		}
	}
	top = NiceMax(top, 5)
	y := Linear{D0: 0, D1: top, R0: f.Y1(), R1: f.Y0()}
	out := Bars{Frame: f, Y: y, YTicks: AxisTicks(y, 0, top, 5, label)}
	band := Band{N: len(groups), R0: f.X0(), R1: f.X1(), Inner: 0.25, Outer: 0.15}
	for gi, g := range groups {
		out.Groups = append(out.Groups, Tick{Pos: band.Center(gi), Label: g.Label, Value: float64(gi)})
		var idx []int
		for si, v := range g.Values {
			if present(v) {
				idx = append(idx, si)
			}
		}
		if len(idx) == 0 {
			continue
		}
		inner := Band{N: len(idx), R0: band.Start(gi), R1: band.Start(gi) + band.Width(), Inner: 0.1}
		for k, si := range idx {
			v := g.Values[si]
			yv := y.Map(v)
			b := Bar{
				Group: gi, Series: si, Value: v,
				X: inner.Start(k), W: inner.Width(),
				Y: yv, H: f.Y1() - yv,
			}
			if lo, hi, ok := g.rangeOf(si); ok {
				b.Whisker, b.Low, b.High = true, lo, hi
				b.YLow, b.YHigh = y.Map(lo), y.Map(hi)
			}
			out.Bars = append(out.Bars, b)
		}
	}
	return out
}

func present(v float64) bool { return finite(v) && v >= 0 }
