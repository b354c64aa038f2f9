package charts

import "math"

// Group is one category of a grouped bar chart: a value per series, NaN
// (or a negative number) where the series has no value for it.
type Group struct {
	Label  string
	Values []float64
}

// Bar is one placed bar.
type Bar struct {
	Group, Series int
	Value         float64
	X, Y, W, H    float64
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
// thinner, bars, so missing runs leave no holes. label formats the value
// axis (nil: FormatNumber).
func LayoutBars(f Frame, groups []Group, label func(float64) string) Bars {
	top := 0.0
	for _, g := range groups {
		for _, v := range g.Values {
			if present(v) {
				top = math.Max(top, v)
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
			out.Bars = append(out.Bars, Bar{
				Group: gi, Series: si, Value: v,
				X: inner.Start(k), W: inner.Width(),
				Y: yv, H: f.Y1() - yv,
			})
		}
	}
	return out
}

func present(v float64) bool { return finite(v) && v >= 0 }
