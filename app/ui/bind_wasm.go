//go:build js && wasm

package ui

import (
	"context"
	"strings"

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

func (e poolEngine) Stats() PoolStats {
	s := e.p.Stats()
	return PoolStats{
		Size: s.Size, Alive: s.Alive, Busy: s.Busy, Warm: s.Warm,
		CompileMS: s.CompileMS, InstantiateMS: s.InstantiateMS, WarmupMS: s.WarmupMS,
		Isolated: s.Isolated,
	}
}
