//go:build js && wasm

package wasm

import (
	"context"
	"slices"
	"time"

	"conlab/wasm/internal/proto"
	"conlab/wasm/internal/settle"
)

// gaugeRound is how long a gauge times the calibration pass on one
// worker alone, then on the workers together: four rounds of
// settle.DefaultMinRound, whose median counts.
const gaugeRound = 100 * time.Millisecond

// togetherMin is how long the gauges go on before they may end settling
// on fewer threads at once than the workers gauged (settle.Want).
const togetherMin = time.Second

// settleTogether ends settling with the first n workers (n = 0: the
// pool's size) running together, as a run of n workers will: it gauges
// how many threads run at once, the calibration pass of kernels ks timed
// on the first worker alone, then on as many workers as the pool
// measured cores (at least 2, at most n and the cores the browser
// reports) at the same time, then on the first alone again, again and again until the
// workers together each run about as fast as one alone (within 10 %),
// or the gauges agree, for a second at least, on as many threads at
// once as the pool measured cores, or end passes. Something else holding
// a core (a browser still compiling or caching the module in the
// background, another program) slows the workers together but not one
// alone: single-lane runs timed then are right, parallel ones slow. One
// gauge always runs. It adds what it saw to rep, and the pool takes the
// most threads a gauge saw at once as its measured cores when that is
// more than it measured.
func (p *Pool) settleTogether(ctx context.Context, n int, ks []string, end time.Time, rep *SettleReport) error {
	reported := max(HardwareConcurrency(), 1)
	p.mu.Lock()
	if n == 0 {
		n = p.size
	}
	p.prune()
	ws := slices.Clone(p.workers[:min(n, len(p.workers))])
	found := p.measuredCores
	p.mu.Unlock()
	if found < 1 {
		found = reported
	}
	// More workers than the cores found share them, and their gauges
	// say only that (WebKitGTK reports 4 cores of 2: four workers
	// together ran as 1.5-1.96 threads, gauge after gauge); two are
	// gauged when the pool found one core, in case the measure was low.
	k := min(len(ws), reported, max(found, 2))
	if k < 2 {
		return nil
	}
	ws = ws[:k]
	want := settle.Want{Threads: k, Found: float64(min(found, k)), MinTime: togetherMin}
	// One worker alone before the workers together and after: the faster
	// of the two is its speed alone (something else slows a timing,
	// nothing speeds it up).
	gauge := func() (settle.Gauge, error) {
		solo, err := p.calibrate(ctx, ws[:1], ks)
		if err != nil {
			return settle.Gauge{}, err
		}
		together, err := p.calibrate(ctx, ws, ks)
		if err != nil {
			return settle.Gauge{}, err
		}
		again, err := p.calibrate(ctx, ws[:1], ks)
		return settle.Gauge{Solo: min(solo[0], again[0]), Together: together}, err
	}
	tr, err := settle.Together(ctx, p.clock.Now, gauge, want, time.Until(end))
	rep.Together, rep.TogetherOf, rep.TogetherSettled = tr.Running, k, tr.Settled
	rep.TogetherMS = float64(tr.Took) / float64(time.Millisecond)
	if err != nil {
		return err
	}
	p.sawRunning(tr.Best(k), k)
	return nil
}

// calibrate times the calibration pass of kernels ks on the workers ws
// at the same time, for gaugeRound, and returns each one's median pass
// in ns, in the order of ws.
func (p *Pool) calibrate(ctx context.Context, ws []*worker, ks []string) ([]int64, error) {
	ms := float64(gaugeRound.Milliseconds())
	msg := func(id int64) *proto.Warm {
		return &proto.Warm{ID: id, Workloads: ks, SettleMS: ms, SettleMinMS: ms}
	}
	out := make([]int64, len(ws))
	err := p.warmEach(ctx, ws, msg, gaugeRound, func(w *worker, b *proto.Warmed) {
		out[slices.Index(ws, w)] = medianNS(b.SettlePassNS)
	})
	return out, err
}

// medianNS is the median of ts (the upper one of an even count), 0 for
// none.
func medianNS(ts []int64) int64 {
	if len(ts) == 0 {
		return 0
	}
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}

// sawRunning raises the pool's measured cores to what running threads
// at once of k show (coresOf), when that is more: those threads did run
// together. A pool of the default size grows its size to them.
func (p *Pool) sawRunning(running float64, k int) {
	m := coresOf(running, k)
	p.mu.Lock()
	defer p.mu.Unlock()
	if running <= 0 || m <= p.measuredCores {
		return
	}
	p.measuredCores, p.coresRatio = m, running
	if !p.sizeSet {
		p.baseSize = p.defaultSizeLocked()
		p.size = max(p.size, p.baseSize)
	}
}
