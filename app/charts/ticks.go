package charts

import (
	"math"
	"strconv"
)

// Tick is a labelled position on an axis.
type Tick struct {
	Value float64 // in the domain
	Pos   float64 // on the axis, in range units
	Label string
}

// Step returns a "nice" step (1, 2 or 5 times a power of ten) that divides
// [lo, hi] into about n intervals. It returns 0 for an empty or invalid
// interval.
func Step(lo, hi float64, n int) float64 {
	if n < 1 || !finite(lo) || !finite(hi) || hi <= lo {
		return 0
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f < 1.5:
		return mag
	case f < 3:
		return 2 * mag
	case f < 7:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// Ticks returns the multiples of Step(lo, hi, n) within [lo, hi]. An empty
// interval yields the single value lo.
func Ticks(lo, hi float64, n int) []float64 {
	step := Step(lo, hi, n)
	if step == 0 {
		if finite(lo) {
			return []float64{lo}
		}
		return nil
	}
	var out []float64
	// Index from an integer and round to the step's decimals so steps like
	// 0.2 give 0.6, not 0.6000000000000001.
	scale := math.Pow(10, math.Max(0, -math.Floor(math.Log10(step))))
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+step*1e-9; i++ {
		v := math.Round(i*step*scale) / scale
		if v == 0 {
			v = 0 // no "-0"
		}
		out = append(out, v)
	}
	return out
}

// NiceMax rounds hi up to the next multiple of the tick step, so the top
// of an axis starting at 0 lands on a labelled tick. It returns 1 when hi
// is not positive, so a chart of zeros still has an axis.
func NiceMax(hi float64, n int) float64 {
	if !finite(hi) || hi <= 0 {
		return 1
	}
	step := Step(0, hi, n)
	return math.Ceil(hi/step-1e-9) * step
}

// AxisTicks places Ticks(lo, hi, n) on scale s, labelled by label (nil
// means FormatNumber).
func AxisTicks(s Linear, lo, hi float64, n int, label func(float64) string) []Tick {
	if label == nil {
		label = FormatNumber
	}
	vs := Ticks(lo, hi, n)
	out := make([]Tick, len(vs))
	for i, v := range vs {
		out[i] = Tick{Value: v, Pos: s.Map(v), Label: label(v)}
	}
	return out
}

// FormatNumber prints v with at most three significant decimals and no
// trailing zeros: 0.5, 2, 12.25.
func FormatNumber(v float64) string {
	if !finite(v) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}
