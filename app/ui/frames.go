package ui

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"conlab/app/charts"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// frameLog keeps when the page drew its latest frames (the meter's
// requestAnimationFrame times, in ms on the page's clock), so that each
// run can be told how smoothly the page drew while it ran: the run's
// record keeps its longest frame and the frames it dropped.
type frameLog struct {
	mu    sync.Mutex
	times []float64
	now   func() float64 // the page's clock; nil outside a browser
	drawn chan struct{}  // closed at the next frame; nil until awaited
}

// maxFrameLog bounds the frames kept: a few minutes at 60 frames a second.
const maxFrameLog = 20_000

// frameMS is one frame at 60 frames a second.
const frameMS = 1000.0 / 60

// pageFrames is the page's frame log, fed by the meter.
var pageFrames frameLog

func (f *frameLog) add(t float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.times = append(f.times, t)
	if f.drawn != nil {
		close(f.drawn)
		f.drawn = nil
	}
	if len(f.times) > maxFrameLog {
		f.times = append([]float64(nil), f.times[len(f.times)-maxFrameLog/2:]...)
	}
}

// clock reads the page's clock; ok is false where there is none.
func (f *frameLog) clock() (float64, bool) {
	f.mu.Lock()
	now := f.now
	f.mu.Unlock()
	if now == nil {
		return 0, false
	}
	return now(), true
}

// frameWindow is how the page drew during one run.
type frameWindow struct {
	LongestMS float64 `json:"longest_ms"` // the longest time between two frames (or the run's ends)
	Dropped   int     `json:"dropped"`    // frames a 60 Hz page did not draw
	Frames    int     `json:"frames"`     // frames drawn
}

// String says it for the results table: "longest frame 1.52 s, 89 frames dropped".
func (w frameWindow) String() string {
	return fmt.Sprintf("longest frame %s, %s dropped", charts.FormatMicros(w.LongestMS*1000), count(w.Dropped, "frame"))
}

// window measures the frames between from and to (the page's clock): the
// gaps between from, each frame and to.
func (f *frameLog) window(from, to float64) frameWindow {
	f.mu.Lock()
	defer f.mu.Unlock()
	return frameGaps(f.times, from, to)
}

// frameGaps measures the frames of times that fall in [from, to].
func frameGaps(times []float64, from, to float64) frameWindow {
	var w frameWindow
	prev := from
	gap := func(t float64) {
		d := t - prev
		w.LongestMS = max(w.LongestMS, d)
		if n := int(math.Round(d/frameMS)) - 1; n > 0 {
			w.Dropped += n
		}
		prev = t
	}
	for _, t := range times {
		if t <= from || t > to {
			continue
		}
		w.Frames++
		gap(t)
	}
	gap(to)
	return w
}

// framesCell shows under a run's wall time how the page drew meanwhile,
// where the run's row shows it.
func framesCell(r record) app.UI {
	if !showsFrames(r) {
		return nil
	}
	return app.Span().Class("frames").Title(r.Frames.String()).Body(
		app.Span().Textf("longest frame %s", charts.FormatMicros(r.Frames.LongestMS*1000)),
		app.Span().Textf("%s dropped", count(r.Frames.Dropped, "frame")),
	)
}

// showsFrames reports whether a run's row shows how the page drew: the
// lessons about the page's responsiveness, and any run on its thread.
func showsFrames(r record) bool {
	return r.Frames != nil && (r.Result.Workload == "responsive" || r.Mode == modeMain)
}

// setClock gives the log the page's clock (performance.now).
func (f *frameLog) setClock(now func() float64) {
	f.mu.Lock()
	f.now = now
	f.mu.Unlock()
}

// start begins measuring a run's frames; the function it returns ends the
// measure, or returns nil where the page has no clock (outside a browser).
func (f *frameLog) start() func() *frameWindow {
	t0, ok := f.clock()
	return func() *frameWindow {
		t1, ok1 := f.clock()
		if !ok || !ok1 || t1 <= t0 {
			return nil
		}
		w := f.window(t0, t1)
		return &w
	}
}

// nextFrame returns a channel closed when the page draws its next frame.
func (f *frameLog) nextFrame() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.drawn == nil {
		f.drawn = make(chan struct{})
	}
	return f.drawn
}

// Limits of awaitDrawn: a page that is hidden draws no frame, and a
// component that is gone never renders again; neither may stall a run.
const (
	renderWait = 2 * time.Second
	frameWait  = 250 * time.Millisecond
)

// awaitDrawn returns once the UI has rendered (rendered is closed after
// its update) and the browser has then drawn two frames, the second
// starting after the first's layout and paint; or when ctx ends, or a
// limit passes.
func (f *frameLog) awaitDrawn(ctx context.Context, rendered <-chan struct{}) {
	limit := time.NewTimer(renderWait)
	defer limit.Stop()
	select {
	case <-rendered:
	case <-ctx.Done():
		return
	case <-limit.C:
		return
	}
	if _, ok := f.clock(); !ok {
		return
	}
	limit.Reset(frameWait)
	for range 2 {
		select {
		case <-f.nextFrame():
		case <-ctx.Done():
			return
		case <-limit.C:
			return
		}
	}
}
