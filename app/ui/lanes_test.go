package ui

import (
	"strings"
	"testing"

	"conlab/workloads"
)

// countdown cooperative × 2 on one thread: goroutine 0 never yields, so it
// takes both tasks and goroutine 1 never runs. Both lanes are drawn, and
// the empty one says why.
func TestTimelineDrawsEveryLane(t *testing.T) {
	ms := int64(1000)
	spans := []workloads.Span{
		{Lane: 0, Task: 0, Label: "count down 500000000", State: workloads.Running, Start: 0, End: 400 * ms},
		{Lane: 0, Task: 1, Label: "count down 500000000", State: workloads.Running, Start: 400 * ms, End: 800 * ms},
	}
	waits := laneWaits(spans, 2, 800*ms)
	if len(waits) != 1 || waits[0].Lane != 1 || !waits[0].Never || waits[0].Holder != 0 || waits[0].End != 800*ms {
		t.Fatalf("waits %+v", waits)
	}
	tl := &timeline{DOMID: "tl", Key: "k", Spans: spans, WallUS: 800 * ms, Mode: modeCooperative, Lanes: 2}
	tl.OnInit()
	tl.sync()
	doc := render(tl)
	mustContain(t, doc, ">goroutine 0<", ">goroutine 1<", `class="lane-wait"`,
		"goroutine 1: waiting for the thread the whole run: goroutine 0 never yielded")

	// A lane that started late, after another ran: it says whom it
	// waited for. A lane that started at once says nothing.
	spans = []workloads.Span{
		{Lane: 0, Task: 0, Label: "sleep 1 s", State: workloads.Waiting, Start: 0, End: 1000 * ms},
		{Lane: 1, Task: 1, Label: "busy-wait 3 s", State: workloads.Running, Start: 100, End: 3000 * ms},
		{Lane: 2, Task: 2, Label: "sleep 2 s", State: workloads.Waiting, Start: 3000 * ms, End: 5000 * ms},
	}
	waits = laneWaits(spans, 4, 5000*ms)
	if len(waits) != 2 || waits[0].Lane != 2 || waits[0].Never || waits[0].Holder != 1 || waits[0].End != 3000*ms {
		t.Fatalf("waits %+v", waits)
	}
	if waits[1].Lane != 3 || !waits[1].Never {
		t.Errorf("lane 3 never ran: %+v", waits[1])
	}
	if got := waits[0].Text(func(i int) string { return "lane " + string(rune('0'+i)) }); got != "waiting for the thread: lane 1 never yielded" {
		t.Errorf("text %q", got)
	}
	// A late start while nobody held the thread (the others waited on
	// I/O) is not a held thread: nothing to say.
	io := []workloads.Span{
		{Lane: 0, Task: 0, Label: "fetch a", State: workloads.Waiting, Start: 0, End: 1000 * ms},
		{Lane: 1, Task: 1, Label: "fetch b", State: workloads.Waiting, Start: 100 * ms, End: 1000 * ms},
	}
	if w := laneWaits(io, 2, 1000*ms); len(w) != 0 {
		t.Errorf("waits while nobody ran: %+v", w)
	}
	// One lane, or no spans: nothing to say.
	if w := laneWaits(spans, 1, 5000*ms); w != nil {
		t.Errorf("one lane: %+v", w)
	}
	if w := laneWaits(nil, 3, 0); w != nil {
		t.Errorf("no spans: %+v", w)
	}
}

// The lanes of a run on one thread are min(workers, tasks); other modes
// draw the lanes their spans name.
func TestRunLanes(t *testing.T) {
	res := &workloads.Result{Workload: "countdown", Workers: 2, Params: map[string]any{"count": float64(1000)}}
	if n := runLanes(modeCooperative, res); n != 2 {
		t.Errorf("countdown cooperative × 2: %d lanes", n)
	}
	if n := runLanes(modeWorkers, res); n != 0 {
		t.Errorf("workers: %d lanes, want 0 (from the spans)", n)
	}
	res = &workloads.Result{Workload: "blocking", Workers: 8}
	if n := runLanes(modeCooperative, res); n != 5 {
		t.Errorf("blocking cooperative × 8: %d lanes, want its 5 tasks", n)
	}
	res = &workloads.Result{Workload: "nosuch", Workers: 3, Spans: []workloads.Span{{Task: 0}, {Task: 1}}}
	if n := runLanes(modeMain, res); n != 2 {
		t.Errorf("unknown workload: %d lanes, want the 2 tasks its spans name", n)
	}
}

func TestLaneWaitText(t *testing.T) {
	name := func(i int) string { return "g" + string(rune('0'+i)) }
	for _, c := range []struct {
		w    laneWait
		want string
	}{
		{laneWait{Never: true, Holder: -1}, "never ran a task"},
		{laneWait{Holder: -1}, "waiting for the thread"},
	} {
		if got := c.w.Text(name); !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: %q", c.w, got)
		}
	}
}
