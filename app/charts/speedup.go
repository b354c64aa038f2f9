package charts

import (
	"math"
	"sort"
)

// SpeedPoint is a measured speed-up at N workers.
type SpeedPoint struct {
	N       int
	Speedup float64
}

// Placed is a speed-up point placed on the chart, with its parallel
// efficiency (speed-up / N: 1 is perfect use of N workers).
type Placed struct {
	X, Y       float64
	N          int
	Speedup    float64
	Efficiency float64
}

// Speedup is the geometry of a speed-up-against-workers chart.
type Speedup struct {
	Frame          Frame
	X, Y           Linear
	XTicks, YTicks []Tick
	// Ideal is the ideal speed-up: N up to the core count, flat beyond it
	// (more workers than cores cannot run at once).
	Ideal  []Point
	Series [][]Placed
	Cores  int
}

// LayoutSpeedup places each series' points (sorted by N; invalid points
// dropped) on axes from 0 to the largest N and the largest speed-up, ideal
// included. The x axis has a tick at each N of a point and of counts,
// and spans them all: a worker count that ran without a point to show (a
// run that did the work wrong has no speed-up) keeps its place. cores < 1
// is taken as 1.
func LayoutSpeedup(f Frame, series [][]SpeedPoint, cores int, counts []int) Speedup {
	cores = max(cores, 1)
	maxN, top := 1, 1.0
	ns := map[int]bool{}
	for _, n := range counts {
		if n >= 1 {
			maxN = max(maxN, n)
			ns[n] = true
		}
	}
	clean := make([][]SpeedPoint, len(series))
	for i, s := range series {
		for _, p := range s {
			if p.N < 1 || !finite(p.Speedup) || p.Speedup < 0 {
				continue
			}
			clean[i] = append(clean[i], p)
			maxN = max(maxN, p.N)
			top = math.Max(top, p.Speedup)
			ns[p.N] = true
		}
		sort.Slice(clean[i], func(a, b int) bool { return clean[i][a].N < clean[i][b].N })
	}
	top = math.Max(top, float64(min(maxN, cores)))
	top = NiceMax(top, 4)
	x := Linear{D0: 0, D1: float64(maxN), R0: f.X0(), R1: f.X1()}
	y := Linear{D0: 0, D1: top, R0: f.Y1(), R1: f.Y0()}
	out := Speedup{Frame: f, X: x, Y: y, Cores: cores}
	out.YTicks = AxisTicks(y, 0, top, 4, nil)
	ns[1] = true
	keys := make([]int, 0, len(ns))
	for n := range ns {
		keys = append(keys, n)
	}
	sort.Ints(keys)
	for _, n := range keys {
		out.XTicks = append(out.XTicks, Tick{Value: float64(n), Pos: x.Map(float64(n)), Label: FormatNumber(float64(n))})
	}
	// The ideal line: from (0,0) along y = n up to the core count, then flat.
	knee := float64(min(cores, maxN))
	out.Ideal = []Point{{x.Map(0), y.Map(0)}, {x.Map(knee), y.Map(knee)}}
	if cores < maxN {
		out.Ideal = append(out.Ideal, Point{x.Map(float64(maxN)), y.Map(knee)})
	}
	for _, s := range clean {
		var ps []Placed
		for _, p := range s {
			ps = append(ps, Placed{
				X: x.Map(float64(p.N)), Y: y.Map(p.Speedup),
				N: p.N, Speedup: p.Speedup, Efficiency: p.Speedup / float64(p.N),
			})
		}
		out.Series = append(out.Series, ps)
	}
	return out
}
