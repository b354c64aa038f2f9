//go:build js && wasm

package ui

import (
	"context"
	"errors"
	"fmt"
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

func (e poolEngine) Run(ctx context.Context, req workloads.Request, onProgress func(Progress)) (*workloads.Result, error) {
	return e.p.Run(ctx, req, func(p wasm.Progress) {
		if onProgress != nil {
			onProgress(Progress{Stage: p.Stage, Done: p.Done, Total: p.Total, Span: p.Span})
		}
	})
}

func (e poolEngine) SettlePage(ctx context.Context, limit time.Duration) (Settling, error) {
	return settlePage(ctx, limit)
}

// settleCount is the calibration's count down per worker: some tens of
// milliseconds once optimised, long enough that a message's trip does
// not blur it.
const settleCount = 20_000_000

// SettleWorkers times the countdown kernel in n workers at once (one task
// each) until two consecutive runs agree; a run's timing is its slowest
// task's running time, inside the workers, so the page's messages are
// not in it.
func (e poolEngine) SettleWorkers(ctx context.Context, n int, limit time.Duration) (Settling, error) {
	n = max(n, 1)
	return calibrate(ctx, workersText(n), limit, func(ctx context.Context) (time.Duration, error) {
		req := workloads.Request{Workload: "countdown", Mode: workloads.Workers, Workers: n, Params: map[string]any{"count": int64(n * settleCount)}}
		res, err := e.p.Run(ctx, req, nil)
		if err != nil {
			return 0, fmt.Errorf("calibrating the workers: %w", err)
		}
		var slowest int64
		for _, s := range res.Spans {
			if s.Task >= 0 && s.State == workloads.Running {
				slowest = max(slowest, s.End-s.Start)
			}
		}
		if slowest <= 0 {
			return 0, errors.New("calibrating the workers: the run reported no running task")
		}
		return time.Duration(slowest) * time.Microsecond, nil
	})
}

func (e poolEngine) Parallelism(ctx context.Context, k int) (float64, error) {
	return measureParallelism(ctx, k)
}

func (e poolEngine) Stats() PoolStats {
	s := e.p.Stats()
	return PoolStats{
		Size: s.Size, Alive: s.Alive, Busy: s.Busy, Warm: s.Warm,
		CompileMS: s.CompileMS, InstantiateMS: s.InstantiateMS, WarmupMS: s.WarmupMS,
		Isolated: s.Isolated,
	}
}
