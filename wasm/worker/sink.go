//go:build js && wasm

package main

import (
	"sync"

	"conlab/wasm/internal/proto"
	"conlab/workloads"
)

// clip shortens a text the worker sends (an error, a check's note, a
// span's label) to half the protocol's limit on a text, marking the cut.
func clip(s string) string {
	if len(s) > proto.MaxText/2 {
		return s[:proto.MaxText/2] + "…"
	}
	return s
}

// sink batches spans and finished tasks for live progress: a message per
// closed span would cost more than many tasks do, so they wait until 50 ms
// have passed since the last message, or until the run or task ends.
type sink struct {
	w     *worker
	id    int64
	shift func() int64
	mu    sync.Mutex
	spans []workloads.Span
	done  int
	dirty bool
	last  int64
}

func newSink(w *worker, id int64, shift func() int64) *sink {
	return &sink{w: w, id: id, shift: shift, last: w.clock.Now()}
}

func (s *sink) add(sp workloads.Span) {
	d := s.shift()
	sp.Start += d
	sp.End += d
	sp.Label = clip(sp.Label)
	s.mu.Lock()
	s.spans = append(s.spans, sp)
	s.mu.Unlock()
	s.touch()
}

func (s *sink) taskDone() {
	s.mu.Lock()
	s.done++
	s.mu.Unlock()
	s.touch()
}

func (s *sink) touch() {
	s.mu.Lock()
	s.dirty = true
	due := s.w.clock.Now()-s.last >= 50_000
	s.mu.Unlock()
	if due {
		s.flush()
	}
}

func (s *sink) flush() {
	if sp, done, dirty := s.take(); dirty {
		post(s.w.self, &proto.Spans{ID: s.id, Spans: sp, Done: done}, nil)
	}
}

// take returns the spans not sent yet and the tasks done, as sent, and
// whether anything happened since the last take.
func (s *sink) take() (spans []workloads.Span, done int, dirty bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	spans, done, dirty = s.spans, s.done, s.dirty
	s.spans, s.dirty, s.last = nil, false, s.w.clock.Now()
	return spans, done, dirty
}
