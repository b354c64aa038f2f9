//go:build js && wasm

package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// In app.wasm the browser engine is the Web Worker pool of conlab/wasm,
// loading its workers from the site's own prefix.
func init() {
	openBrowser = func() (Browser, error) {
		p, err := wasm.NewPool(wasm.Config{Prefix: strings.TrimRight(app.Getenv("GOAPP_ROOT_PREFIX"), "/")})
		if err != nil {
			return nil, err
		}
		return poolEngine{p}, nil
	}
}

// poolEngine adapts *wasm.Pool to Browser.
type poolEngine struct{ p *wasm.Pool }

func (e poolEngine) Warm(ctx context.Context) error { return e.p.Warm(ctx) }

func (e poolEngine) Run(ctx context.Context, req workloads.Request, onProgress func(wasm.Progress)) (*workloads.Result, error) {
	return e.p.Run(ctx, req, onProgress)
}

// SettlePage runs the pool's calibration with req's kernel on the page's
// thread (in rounds, until three agree within 10 %, no sooner than the
// engine's least settling time) and grows the page's memory for req
// (Pool.SettlePageRun), for at most limit.
func (e poolEngine) SettlePage(ctx context.Context, req workloads.Request, limit time.Duration) (Settling, error) {
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	took, agreed, err := e.p.SettlePageRun(cctx, req)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = nil // the limit passed: not settled, and no error
	}
	return Settling{Where: "the page", Took: took, Settled: agreed && err == nil}, err
}

// SettleWorkers runs the pool's calibration with req's kernel in the n
// workers a run uses (in rounds, until three agree within 10 %, no
// sooner than the engine's least settling time), then until they run
// side by side about as fast as alone, then two untimed runs of req in
// each, all at once (Pool.SettleRun), for at most limit; a worker settled on the kernel, or primed with a run as big, is
// not made ready again.
func (e poolEngine) SettleWorkers(ctx context.Context, req workloads.Request, n int, limit time.Duration) (Settling, error) {
	n = max(n, 1)
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	rep, err := e.p.SettleRun(cctx, n, req)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = nil
	}
	took := time.Duration(rep.MS * float64(time.Millisecond))
	s := Settling{Where: workersText(n), Took: took, Settled: err == nil && rep.Settled == rep.Workers}
	if g := rep.Together; len(g) > 0 {
		s.Together, s.Of = g[len(g)-1], rep.TogetherOf
		s.Settled = s.Settled && rep.TogetherSettled
	}
	return s, err
}

// Parallelism is the pool's own measurement (Stats.MeasuredCores), made
// when it first started: plain JavaScript workers spinning together
// against one alone.
func (e poolEngine) Parallelism(ctx context.Context, k int) (float64, error) {
	if m := e.p.Stats().MeasuredCores; m > 0 {
		return float64(m), nil
	}
	return 0, errors.New("the pool has not measured the cores")
}

func (e poolEngine) Stats() wasm.Stats { return e.p.Stats() }
