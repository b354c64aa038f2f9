package ui

import (
	"strings"
	"testing"

	"conlab/workloads"
)

func sleepSpans() []workloads.Span {
	var sp []workloads.Span
	for i := range 5 {
		sp = append(sp,
			workloads.Span{Lane: i, Task: i, Label: "sleep", State: workloads.Waiting, Start: 10, End: int64(100_000 * (i + 1))},
		)
	}
	return sp
}

func TestTimelineZoomPan(t *testing.T) {
	tl := &timeline{DOMID: "tl", Key: "run1", Spans: sleepSpans(), WallUS: 500_000, Mode: modeCooperative}
	tl.OnInit()
	tl.sync()
	if tl.view.T0 != 0 || tl.view.T1 != 500_000 {
		t.Fatalf("initial view %+v", tl.view)
	}
	tl.zoomAt(2, -1)
	if tl.view.Width() != 250_000 || tl.view.T0 != 125_000 {
		t.Errorf("zoom in around the middle: %+v", tl.view)
	}
	tl.pan(-10)
	if tl.view.T0 != 0 || tl.view.Width() != 250_000 {
		t.Errorf("pan past the start: %+v", tl.view)
	}
	doc := render(tl)
	mustContain(t, doc, "showing 0 µs to 250 ms of 500 ms")
	if boolAttr(tagBefore(doc, "Reset"), "disabled") {
		t.Error("Reset disabled while zoomed")
	}
	tl.reset()
	if boolAttr(tagBefore(render(tl), "Reset"), "disabled") == false {
		t.Error("Reset enabled on the whole run")
	}
	// Keys: + zooms in, 0 resets, arrows pan.
	tl.zoomAt(4, -1)
	before := tl.view
	tl.pan(0.25)
	if tl.view.T0 <= before.T0 {
		t.Errorf("pan later did not move: %+v -> %+v", before, tl.view)
	}
	// A new run resets the view.
	tl.Key = "run2"
	tl.sync()
	if tl.view.Width() != 500_000 || tl.active != -1 {
		t.Errorf("new run kept the zoom: %+v", tl.view)
	}
}

// TestTimelineFirstRender renders a timeline as go-app mounts it: OnInit,
// then Render, with OnMount dispatched later. Every span is drawn in that
// first render.
func TestTimelineFirstRender(t *testing.T) {
	tl := &timeline{DOMID: "tl", Key: "r", Spans: sleepSpans(), WallUS: 500_000, Mode: modeCooperative}
	tl.OnInit()
	if got, want := strings.Count(render(tl), `class="span st-`), len(tl.Spans); got != want {
		t.Errorf("first render drew %d spans, want %d", got, want)
	}
}

func TestTimelineRender(t *testing.T) {
	tl := &timeline{DOMID: "tl", Key: "r", Spans: sleepSpans(), WallUS: 500_000, Mode: modeCooperative}
	tl.OnInit()
	tl.sync()
	doc := render(tl)
	for i := range 5 {
		mustContain(t, doc, ">goroutine "+string(rune('0'+i))+"<")
	}
	mustContain(t, doc, "Hover over or focus a span", `aria-live="polite"`, "st-waiting", "At most 5 tasks were active", "waiting 100%", "Zoom in")
	tl.active = 4
	doc = render(tl)
	mustContain(t, doc, "goroutine 4, task 4: sleep, waiting from 10 µs to 500 ms (500 ms)", `class="tl-tip"`)

	workers := &timeline{DOMID: "w", Key: "w", Mode: modeWorkers, Spans: []workloads.Span{
		{Lane: 0, Task: -1, Label: "start worker", State: workloads.Startup, Start: 0, End: 5000},
		{Lane: 0, Task: 0, Label: "count", State: workloads.Running, Start: 5000, End: 9000},
		{Lane: 1, Task: 1, Label: "count", State: workloads.Running, Start: 5000, End: 9000},
	}}
	workers.OnInit()
	workers.sync()
	doc = render(workers)
	mustContain(t, doc, ">worker 0<", ">worker 1<", "worker 0, worker start-up: start worker, startup")
	if strings.Count(doc, `class="span `) != 3 {
		t.Errorf("spans drawn: %d", strings.Count(doc, `class="span `))
	}
	live := &timeline{DOMID: "l", Key: "l", Spans: sleepSpans(), Live: true}
	live.OnInit()
	live.sync()
	mustNotContain(t, render(live), "Zoom in", "Hover over")

	// Beyond maxFocusable spans, they are not tab stops and a hint says so.
	var many []workloads.Span
	for i := range maxFocusable + 1 {
		many = append(many, workloads.Span{Lane: i % 4, Task: i, Label: "t", State: workloads.Running, Start: int64(i * 10), End: int64(i*10 + 5)})
	}
	big := &timeline{DOMID: "b", Key: "b", Spans: many}
	big.OnInit()
	big.sync()
	doc = render(big)
	mustNotContain(t, doc, `tabindex="0" role="img"`)
	mustContain(t, doc, "zoom in to reach single spans")
}
