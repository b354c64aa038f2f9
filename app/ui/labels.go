package ui

import "sort"

// effLabel is a text placed beside a chart's point.
type effLabel struct {
	X, Y float64 // the text's start and baseline
	Text string
}

// spreadLabels moves labels that share an x apart, keeping their order
// from top to bottom, so that no two are closer than gap; they stay
// between top and bottom where they fit.
func spreadLabels(ls []effLabel, gap, top, bottom float64) []effLabel {
	out := append([]effLabel(nil), ls...)
	byX := map[float64][]int{}
	for i, l := range out {
		byX[l.X] = append(byX[l.X], i)
	}
	for _, idx := range byX {
		sort.SliceStable(idx, func(a, b int) bool { return out[idx[a]].Y < out[idx[b]].Y })
		// Push down from the top, then back up from the bottom.
		for k := 1; k < len(idx); k++ {
			if prev := out[idx[k-1]].Y; out[idx[k]].Y < prev+gap {
				out[idx[k]].Y = prev + gap
			}
		}
		if n := len(idx); n > 0 && out[idx[n-1]].Y > bottom {
			out[idx[n-1]].Y = bottom
			for k := n - 2; k >= 0; k-- {
				if next := out[idx[k+1]].Y; out[idx[k]].Y > next-gap {
					out[idx[k]].Y = next - gap
				}
			}
		}
		for _, i := range idx {
			out[i].Y = max(out[i].Y, top)
		}
	}
	return out
}
