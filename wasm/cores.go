//go:build js && wasm

package wasm

import (
	"context"
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
// cores: the most threads m that gained at least 70 % of m together (two
// threads on two cores of a shared machine gain 1.5-1.9), at least 1 and
// at most reported.
func coresOf(ratio float64, reported int) int {
	return min(max(int(ratio/0.7), 1), reported)
}

// measureCores measures, once per pool of the default size, how many
// threads the browser runs at once, and sizes the pool by it (a pool of a
// size given is not measured). It is called in
// the pool's turn, before the pool's first start; it returns how long it
// took (0 when it had been done). A failure leaves the reported count in
// use: the measurement is a correction, not a condition.
func (p *Pool) measureCores(ctx context.Context) time.Duration {
	p.mu.Lock()
	done := p.measured || p.sizeSet
	if !done {
		p.measured = true
	}
	p.mu.Unlock()
	if done {
		return 0
	}
	reported := HardwareConcurrency()
	t0 := time.Now()
	ratio, err := jsenv.Cores(ctx, reported)
	if err == nil && coresOf(ratio, reported) < reported {
		// A moment of load elsewhere looks like fewer cores: the better
		// of two tries counts.
		if again, err2 := jsenv.Cores(ctx, reported); err2 == nil {
			ratio = max(ratio, again)
		}
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
