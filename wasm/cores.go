//go:build js && wasm

package wasm

import (
	"context"
	"slices"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/workloads"
)

// defaultSize is the pool's size before its cores are measured: the cores
// the browser reports.
func defaultSize() int { return min(max(HardwareConcurrency(), 1), workloads.MaxWorkers) }

// defaultSizeLocked is the default size: the measured cores once known.
// p.mu is held.
func (p *Pool) defaultSizeLocked() int {
	if p.measuredCores > 0 {
		return min(p.measuredCores, workloads.MaxWorkers)
	}
	return defaultSize()
}

// coresOf turns a measured speed-up of reported threads over one into
// cores: the most threads m (at most reported) whose speed-up reaches
// m − 0.5, or 85 % of m when that is less (many cores rarely all run
// flat out), at least 1. A ratio rounds down unless it is clearly above
// the half: two threads sharing two cores of a busy machine gain 1.5-1.9
// (2 cores), while four threads on the same two cores can show 2.2 when
// one of them was held off until the others had finished (still 2).
func coresOf(ratio float64, reported int) int {
	m := 1
	for c := 2; c <= reported; c++ {
		if ratio >= min(float64(c)-0.5, 0.85*float64(c)) {
			m = c
		}
	}
	return m
}

// coresRatio is the speed-up measureCores goes by, of the tries made so
// far: with two tries that round to the same cores, the lower (both
// showed at least that); with three, the median (one try thrown off by a
// moment of load either way does not count); with one, that one.
func coresRatio(tries []float64, reported int) (ratio float64, enough bool) {
	switch len(tries) {
	case 0:
		return 0, false
	case 1:
		return tries[0], false
	case 2:
		a, b := tries[0], tries[1]
		return min(a, b), coresOf(a, reported) == coresOf(b, reported)
	}
	s := slices.Clone(tries)
	slices.Sort(s)
	return s[len(s)/2], true
}

// measureCores measures, once per pool, how many threads the browser
// runs at once, and sizes a pool of the default size by it; a pool of a
// size given is measured only when all is set (Settle: how many workers
// settle at once, and how many a gauge of them together waits for):
// jsenv.Cores with as many threads as the browser reports, twice, and a
// third time when the two tries round to different cores (coresRatio).
// It is called in the pool's turn, before the pool's first start; it
// returns how long it took (0 when it had been done). A failure leaves
// the reported count in use: the measurement is a correction, not a
// condition. Settling raises the figure when the pool's own workers run
// more threads at once (Pool.settleTogether).
func (p *Pool) measureCores(ctx context.Context, all bool) time.Duration {
	p.mu.Lock()
	done := p.measured || (p.sizeSet && !all)
	if !done {
		p.measured = true
	}
	p.mu.Unlock()
	if done {
		return 0
	}
	// coresOf never says more than the threads that ran together.
	reported := min(HardwareConcurrency(), jsenv.MaxMeasuredCores)
	t0 := time.Now()
	var tries []float64
	var ratio float64
	var err error
	for enough := false; !enough && len(tries) < 3; {
		var r float64
		if r, err = jsenv.Cores(ctx, reported); err != nil {
			break
		}
		tries = append(tries, r)
		ratio, enough = coresRatio(tries, reported)
	}
	if len(tries) > 0 {
		err = nil // a later try's failure leaves the earlier ones
	}
	took := time.Since(t0)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.measureMS = float64(took) / float64(time.Millisecond)
	if err != nil {
		if ctx.Err() != nil {
			p.measured = false // try again next time
		}
		return took
	}
	p.coresRatio = ratio
	p.measuredCores = coresOf(ratio, reported)
	if !p.sizeSet {
		p.baseSize = p.defaultSizeLocked()
		p.size = p.baseSize
	}
	return took
}
