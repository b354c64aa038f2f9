package charts

import (
	"math"
	"strconv"
	"strings"
)

// FormatMicros prints a duration given in microseconds with a unit a
// student reads at a glance: "850 µs", "12.5 ms", "3.42 s".
func FormatMicros(us float64) string {
	if !finite(us) {
		return "–"
	}
	neg := ""
	if us < 0 {
		neg, us = "-", -us
	}
	switch {
	case us < 1000:
		return neg + trim(us, 0) + " µs"
	case us < 1e6:
		return neg + sig3(us/1e3) + " ms"
	default:
		return neg + sig3(us/1e6) + " s"
	}
}

// FormatMillis prints milliseconds with three significant digits.
func FormatMillis(ms float64) string {
	if !finite(ms) {
		return "–"
	}
	return sig3(ms)
}

// sig3 prints v (≥ 0) with three significant digits, no trailing zeros.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return trim(v, 0)
	case v >= 10:
		return trim(v, 1)
	default:
		return trim(v, 2)
	}
}

func trim(v float64, decimals int) string {
	p := math.Pow(10, float64(decimals))
	s := strconv.FormatFloat(math.Round(v*p)/p, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// TimeTickLabel returns a labeller for time ticks (µs) that uses one unit
// for the whole axis, chosen from its largest value, so the labels of one
// axis compare at a glance ("0 ms, 50 ms, 100 ms" rather than "0 µs, 50 ms").
func TimeTickLabel(max float64) func(float64) string {
	unit, div := "µs", 1.0
	switch {
	case max >= 1e6:
		unit, div = "s", 1e6
	case max >= 1e3:
		unit, div = "ms", 1e3
	}
	return func(v float64) string { return FormatNumber(v/div) + " " + unit }
}
