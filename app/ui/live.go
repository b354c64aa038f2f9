package ui

import (
	"sync"

	"conlab/wasm"
	"conlab/workloads"
)

// liveRun collects the progress of the run in progress. The engine reports
// from its own goroutines, many times a second; the UI takes a snapshot a
// few times a second, so a busy run cannot flood the UI's queue.
// The zero value is not ready: use newLiveRun.
type liveRun struct {
	mu      sync.Mutex
	stage   string
	done    int
	total   int
	spans   []workloads.Span
	version int
}

// maxLiveSpans bounds the spans kept for the live view; the full timeline
// comes with the result.
const maxLiveSpans = 4000

func newLiveRun() *liveRun { return &liveRun{} }

// update records p. It is safe to call from any goroutine.
func (l *liveRun) update(p wasm.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.Stage != "" {
		l.stage = p.Stage
	}
	if p.Total > 0 {
		l.done, l.total = min(p.Done, p.Total), p.Total
	}
	if p.Span != nil && len(l.spans) < maxLiveSpans {
		l.spans = append(l.spans, *p.Span)
	}
	l.version++
}

// liveView is a snapshot of a liveRun for rendering.
type liveView struct {
	Label   string // which run of the set
	Stage   string
	Done    int
	Total   int
	Lanes   int // lanes the run uses
	Spans   []workloads.Span
	Version int
}

// snapshot returns the current state; the spans are a copy.
func (l *liveRun) snapshot() liveView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return liveView{Stage: l.stage, Done: l.done, Total: l.total, Spans: append([]workloads.Span(nil), l.spans...), Version: l.version}
}

// stageText describes a stage for the status line.
func stageText(stage string) string {
	switch stage {
	case "compiling":
		return "compiling the worker module"
	case "starting":
		return "starting workers"
	case "warming":
		return "warming up the workers"
	case "running":
		return "running"
	case "done":
		return "finishing"
	}
	return stage
}
