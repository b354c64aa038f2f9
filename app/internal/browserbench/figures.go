package main

import (
	"conlab/wasm/benchwire"
	"fmt"
	"math"
	"slices"
)

// figures computes a kernel's ratios from its median times.
func figures(k benchwire.Kernel, wasm, native map[string]int64, cfg benchwire.Config) KernelFigure {
	f := KernelFigure{Params: k.Params, Wasm: wasm, Native: native,
		SpeedUp: map[int]float64{}, Efficiency: map[int]float64{}, NativeSpeedUp: map[int]float64{}}
	f.WasmNativeRatio = ratio(wasm["sequential"], native["sequential"])
	f.CoopSeqRatio = ratio(wasm[fmt.Sprintf("cooperative/%d", cfg.Coop)], wasm["sequential"])
	f.OneWorkerSeqRatio = ratio(wasm["workers/1"], wasm["sequential"])
	for _, n := range cfg.Workers {
		s := ratio(wasm["workers/1"], wasm[fmt.Sprintf("workers/%d", n)])
		f.SpeedUp[n], f.Efficiency[n] = s, s/float64(n)
		f.NativeSpeedUp[n] = ratio(native["sequential"], native[fmt.Sprintf("goroutines/%d", n)])
	}
	return f
}

// ratio is a/b, or 0 when b is missing (not a division by zero).
func ratio[T int64 | float64](a, b T) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// pairedRatio is the median over the rounds of a[r]/b[r]: the runs of a
// round follow each other, so a slow moment of the machine tends to hit
// both. It is 0 when either is missing.
func pairedRatio(a, b []int64) float64 {
	var rs []float64
	for r := range min(len(a), len(b)) {
		if b[r] > 0 {
			rs = append(rs, float64(a[r])/float64(b[r]))
		}
	}
	if len(rs) == 0 {
		return 0
	}
	slices.Sort(rs)
	return rs[len(rs)/2]
}

// bestEfficiency sets f.EfficiencyBest and f.EfficiencyPaired from every
// run's wall time, in the order of the rounds.
func (f *KernelFigure) bestEfficiency(all map[string][]int64, cfg benchwire.Config) {
	f.EfficiencyBest, f.EfficiencyPaired = map[int]float64{}, map[int]float64{}
	one := all["workers/1"]
	for _, n := range cfg.Workers {
		wn := all[fmt.Sprintf("workers/%d", n)]
		if len(one) == 0 || len(wn) == 0 || slices.Min(wn) <= 0 {
			continue
		}
		f.EfficiencyBest[n] = float64(slices.Min(one)) / float64(slices.Min(wn)) / float64(n)
		var pairs []float64
		for r := range min(len(one), len(wn)) {
			pairs = append(pairs, float64(one[r])/float64(wn[r])/float64(n))
		}
		slices.Sort(pairs)
		f.EfficiencyPaired[n] = pairs[len(pairs)/2]
	}
}

// firstRound returns, per run of all (its times in the order of the
// rounds), the first round's time over the median of the later ones,
// minus 1, and the largest of those in absolute value. A run of fewer
// than two rounds has none.
func firstRound(all map[string][]int64) (map[string]float64, float64) {
	out := roundError(all, 0)
	return out, math.Abs(worstOf(out))
}

// roundError returns, per run of all, round r's time over the median of
// its other rounds, minus 1: round 0's is the first round's error, a
// later round's is how far the steady state strays from itself. A run
// with no round r or no other round has none.
func roundError(all map[string][]int64, r int) map[string]float64 {
	out := map[string]float64{}
	for key, ts := range all {
		if len(ts) < 2 || r >= len(ts) {
			continue
		}
		others := slices.Concat(ts[:r], ts[r+1:])
		slices.Sort(others)
		m := others[len(others)/2]
		if len(others)%2 == 0 {
			m = (others[len(others)/2-1] + others[len(others)/2]) / 2
		}
		if m <= 0 {
			continue
		}
		out[key] = float64(ts[r])/float64(m) - 1
	}
	return out
}

// laterRounds returns the error of the later round that strays most
// (roundError of rounds 1 on, its run farthest from 0): what the first
// round's error is up against, the steady state's own spread. It is 0
// with fewer than three rounds.
func laterRounds(all map[string][]int64) float64 {
	rounds := 0
	for _, ts := range all {
		rounds = max(rounds, len(ts))
	}
	worst := 0.0
	for r := 1; r < rounds && rounds >= 3; r++ {
		if w := worstOf(roundError(all, r)); math.Abs(w) > math.Abs(worst) {
			worst = w
		}
	}
	return worst
}
