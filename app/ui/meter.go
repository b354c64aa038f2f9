package ui

import (
	"fmt"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// frameStats measures how smoothly the page draws: the frames of the last
// second, and the longest gap between two frames since the last reset. A
// page whose thread is busy draws no frame, so a freeze shows as one very
// long frame. Times are milliseconds. The zero value is ready to use.
type frameStats struct {
	last    float64   // previous frame, 0 before the first
	recent  []float64 // frame times within the last second
	longest float64
}

// frame records a frame drawn at t.
func (s *frameStats) frame(t float64) {
	if s.last > 0 && t > s.last {
		s.longest = max(s.longest, t-s.last)
	}
	s.last = t
	s.recent = append(s.recent, t)
	cut := 0
	for cut < len(s.recent) && s.recent[cut] <= t-1000 {
		cut++
	}
	s.recent = s.recent[cut:]
}

// fps returns the frames drawn in the second before now.
func (s *frameStats) fps(now float64) int {
	n := 0
	for _, t := range s.recent {
		if t > now-1000 {
			n++
		}
	}
	return n
}

// reset starts measuring the longest frame afresh.
func (s *frameStats) reset() { s.longest = 0 }

// pause forgets the previous frame: the gap while the tab was hidden (the
// browser draws nothing then) is not the page's fault.
func (s *frameStats) pause() { s.last = 0; s.recent = s.recent[:0] }

// smoothness names how a longest frame feels.
func smoothness(longestMS float64) string {
	switch {
	case longestMS >= 500:
		return "frozen"
	case longestMS >= 100:
		return "janky"
	default:
		return "smooth"
	}
}

// meter is the responsiveness meter, always visible: frames per second
// and the longest frame since the current (or last) run started. It
// measures with requestAnimationFrame, which the browser calls once per
// drawn frame: a busy page thread (the main-thread mode) draws none.
type meter struct {
	app.Compo

	// Running is true while a run is in progress; when it turns true the
	// longest frame is measured afresh, so it tells about that run.
	Running bool

	lab      *lab // the lab the meter is in: a tick re-renders the meter alone
	ran      bool // a run has started since the page loaded
	mu       sync.Mutex
	stats    frameStats
	fps      int
	longest  float64
	measured bool
	raf      app.Func
	vis      app.Func
	done     chan struct{}
}

func (m *meter) OnMount(ctx app.Context) {
	if !app.IsClient {
		return
	}
	m.done = make(chan struct{})
	perf := app.Window().Get("performance")
	pageFrames.setClock(func() float64 { return perf.Call("now").Float() })
	m.raf = app.FuncOf(func(_ app.Value, args []app.Value) any {
		select {
		case <-m.done:
			return nil
		default:
		}
		if len(args) > 0 {
			m.mu.Lock()
			m.stats.frame(args[0].Float())
			m.mu.Unlock()
			pageFrames.add(args[0].Float())
		}
		app.Window().Call("requestAnimationFrame", m.raf)
		return nil
	})
	m.vis = app.FuncOf(func(app.Value, []app.Value) any {
		m.mu.Lock()
		m.stats.pause()
		m.mu.Unlock()
		return nil
	})
	app.Window().Get("document").Call("addEventListener", "visibilitychange", m.vis)
	app.Window().Call("requestAnimationFrame", m.raf)
	done := m.done
	// Loading the page (compiling app.wasm, starting the pool) stalls a
	// few frames: measure from when the page is ready, not from the load.
	ctx.After(1500*time.Millisecond, func(app.Context) {
		m.mu.Lock()
		if !m.ran {
			m.stats.reset()
		}
		m.mu.Unlock()
	})
	// Show the figures four times a second: often enough to watch, rarely
	// enough to cost nothing.
	ctx.Async(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				dispatchOwn(ctx, m.lab.selfContext(), m.refresh)
			}
		}
	})
}

func (m *meter) refresh() {
	now := app.Window().Get("performance").Call("now").Float()
	m.mu.Lock()
	m.fps, m.longest, m.measured = m.stats.fps(now), m.stats.longest, true
	m.mu.Unlock()
}

func (m *meter) OnUpdate(ctx app.Context) {
	if m.Running {
		m.mu.Lock()
		m.stats.reset()
		m.ran = true
		m.mu.Unlock()
	}
}

func (m *meter) OnDismount() {
	if m.done != nil {
		close(m.done)
		m.done = nil
	}
	if m.vis != nil {
		app.Window().Get("document").Call("removeEventListener", "visibilitychange", m.vis)
		m.vis.Release()
	}
	// The frame callback stops rescheduling itself once done is closed; it
	// is released with the page.
}

func (m *meter) Render() app.UI {
	fps, longest := "–", "–"
	state := "idle"
	if m.measured {
		fps = fmt.Sprint(m.fps)
		longest = fmt.Sprintf("%.0f ms", m.longest)
		state = smoothness(m.longest)
	}
	scope := "since the page loaded"
	switch {
	case m.Running:
		scope = "during this run"
	case m.ran:
		scope = "since the last run started"
	}
	return app.Div().Class("meter", "meter-"+state).
		Aria("label", "Responsiveness of this page").
		Title("Frames the page drew in the last second, and the longest time between two frames %s. A page that stops drawing is frozen.", scope).
		Body(
			app.Span().Class("meter-dot").Aria("hidden", "true"),
			app.Span().Class("meter-fps").Body(
				app.Strong().Text(fps), app.Text(" fps"),
			),
			app.Span().Class("meter-long").Body(
				app.Text("longest frame "), app.Strong().Text(longest),
				app.Span().Class("meter-scope").Text(" "+scope),
			),
			app.Span().Class("sr-only").Text(" ("+state+")"),
			app.Label().Class("meter-type").Body(
				app.Span().Class("sr-only").Text("Type here to feel how responsive the page is"),
				app.Input().Type("text").Placeholder("type here…").Size(10).Aria("describedby", "meter-hint"),
			),
			app.Span().ID("meter-hint").Class("sr-only").Text("While a run freezes the page, typed letters appear only when it ends."),
		)
}
