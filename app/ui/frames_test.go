package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// A run during which the page drew every frame drops none; a run that
// froze the page for a second has a one-second longest frame and about 59
// frames dropped.
func TestFrameGaps(t *testing.T) {
	var smooth []float64
	for i := range 60 {
		smooth = append(smooth, 1000+float64(i)*frameMS)
	}
	w := frameGaps(smooth, 1000, smooth[59])
	if w.Dropped != 0 || w.LongestMS > frameMS+0.01 || w.Frames != 59 {
		t.Errorf("smooth: %v ms, %d dropped, %d frames", w.LongestMS, w.Dropped, w.Frames)
	}
	frozen := []float64{1000, 1000 + frameMS, 2000 + frameMS, 2000 + 2*frameMS}
	w = frameGaps(frozen, 1000+frameMS, 2000+2*frameMS)
	if w.LongestMS < 999.9 || w.LongestMS > 1000.1 || w.Dropped != 59 {
		t.Errorf("frozen: %v ms, %d dropped", w.LongestMS, w.Dropped)
	}
	if s := w.String(); s != "longest frame 1 s, 59 frames dropped" {
		t.Errorf("text %q", s)
	}
	var log frameLog
	if log.start()() != nil {
		t.Error("a window without a clock")
	}
}

// The results table shows how the page drew for the responsive lesson and
// for runs on the page's thread, and the figure survives storage.
func TestFramesInTable(t *testing.T) {
	w := &frameWindow{LongestMS: 1520, Dropped: 89, Frames: 3}
	r := record{ID: "a", Mode: modeMain, Frames: w, Result: workloads.Result{Workload: "countdown", Mode: wasm.Main, Workers: 1, WallUS: 1_600_000}}
	if !showsFrames(r) {
		t.Error("a main-thread run hides its frames")
	}
	r2 := r
	r2.Mode = modeCooperative
	if showsFrames(r2) {
		t.Error("a countdown run in a worker shows frames")
	}
	r2.Result.Workload = "responsive"
	if !showsFrames(r2) {
		t.Error("a responsive run hides its frames")
	}
	js, err := json.Marshal(storable([]record{r}))
	if err != nil {
		t.Fatal(err)
	}
	b := string(js)
	if !strings.Contains(b, `"longest_ms":1520`) || !strings.Contains(b, `"dropped":89`) {
		t.Errorf("stored %s", b)
	}
}

func TestFramesCell(t *testing.T) {
	r := record{ID: "a", Mode: modeMain, Frames: &frameWindow{LongestMS: 1520, Dropped: 1}, Result: workloads.Result{Workload: "countdown"}}
	mustContain(t, render(app.Div().Body(framesCell(r))), "longest frame 1.52 s", "1 frame dropped")
	r.Mode = modeWorkers
	if framesCell(r) != nil {
		t.Error("a countdown run in workers shows frames")
	}
}

// awaitDrawn waits for the render, then for two frames drawn after it.
func TestAwaitDrawn(t *testing.T) {
	var f frameLog
	f.setClock(func() float64 { return 0 })
	rendered := make(chan struct{})
	back := make(chan struct{})
	go func() { f.awaitDrawn(context.Background(), rendered); close(back) }()

	f.add(1) // a frame before the render counts for nothing
	select {
	case <-back:
		t.Fatal("returned before the render")
	case <-time.After(20 * time.Millisecond):
	}
	close(rendered)
	for i := range 2 {
		waitAwaiting(t, &f)
		select {
		case <-back:
			t.Fatalf("returned after %d frames of 2", i)
		default:
		}
		f.add(float64(2 + i))
	}
	<-back
}

// waitAwaiting waits until someone awaits f's next frame.
func waitAwaiting(t *testing.T, f *frameLog) {
	t.Helper()
	for range 1000 {
		f.mu.Lock()
		waiting := f.drawn != nil
		f.mu.Unlock()
		if waiting {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("nobody awaits a frame")
}

// A page that draws no frame, or a run cancelled meanwhile, does not hold
// the next run for long.
func TestAwaitDrawnGivesUp(t *testing.T) {
	var f frameLog
	f.setClock(func() float64 { return 0 })
	rendered := make(chan struct{})
	close(rendered)
	began := time.Now()
	f.awaitDrawn(context.Background(), rendered)
	if d := time.Since(began); d < frameWait {
		t.Errorf("gave up after %v, before %v", d, frameWait)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.awaitDrawn(ctx, make(chan struct{})) // returns: the run is cancelled

	var none frameLog // no clock: not in a browser
	none.awaitDrawn(context.Background(), rendered)
}
