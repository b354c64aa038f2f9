package ui

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"conlab/app/charts"
	"conlab/workloads"
)

func runSpans(t *testing.T, req workloads.Request) []workloads.Span {
	t.Helper()
	res, err := workloads.Run(context.Background(), req, workloads.Options{})
	if err != nil {
		t.Fatalf("%+v: %v", req, err)
	}
	return res.Spans
}

func marksOf(t *testing.T, spans []workloads.Span, mode Mode) string {
	t.Helper()
	var end int64
	for _, s := range spans {
		end = max(end, s.End)
	}
	lay := timelineGeom(spans, charts.FullView(float64(end)), 900)
	tl := &timeline{Mode: mode}
	return marksSVG("m", spans, lay, mode, tl.laneName)
}

// The database lesson's read and write, microseconds long, are drawn as
// markers with their values: the lost update is visible.
func TestMarksDBUpdate(t *testing.T) {
	spans := runSpans(t, workloads.Request{Workload: "dbupdate", Mode: workloads.Goroutines, Workers: 2,
		Params: map[string]any{"delay": 20}})
	svg := marksOf(t, spans, modeCooperative)
	if strings.Count(svg, `class="instant"`) != 4 {
		t.Errorf("want 4 instants (two reads, two writes):\n%s", svg)
	}
	mustContain(t, svg, "read 0", "write 1", "tl-marks")
	text := marksText(spans, modeCooperative, (&timeline{}).laneName)
	if !strings.Contains(text, "Reads and writes") || !strings.Contains(text, "read 0 (goroutine") {
		t.Errorf("marks text %q", text)
	}
}

// A span's label makes way for the mark labels over it: the database
// lesson's sleeps start where a read or a write is marked, and their
// labels start after the mark's ("read 0", then "sleep 200 ms …"), never
// under it.
func TestSpanLabelsClearMarks(t *testing.T) {
	for _, sequential := range []bool{true, false} {
		req := workloads.Request{Workload: "dbupdate", Mode: workloads.Goroutines, Workers: 2, Params: map[string]any{"delay": 20}}
		if sequential {
			req.Mode, req.Workers = workloads.Sequential, 1
		}
		spans := runSpans(t, req)
		var end int64
		for _, sp := range spans {
			end = max(end, sp.End)
		}
		lay := timelineGeom(spans, charts.FullView(float64(end)), 900)
		inst, _, _ := timelineMarks(spans, "")
		marks := instantLabels(inst, lay)
		if len(marks) < 2 {
			t.Fatalf("%d mark labels: %+v", len(marks), marks)
		}
		svg := timelineSVG("t", spans, lay, (&timeline{}).laneName, "", "")
		labels := regexp.MustCompile(`<text x="([\d.]+)" y="([\d.]+)" class="span-label">([^<]*)</text>`).FindAllStringSubmatch(svg, -1)
		if len(labels) == 0 {
			t.Fatalf("no span labels:\n%s", svg)
		}
		for _, l := range labels {
			x, _ := strconv.ParseFloat(l[1], 64)
			y, _ := strconv.ParseFloat(l[2], 64)
			w := float64(len([]rune(l[3]))) * 6.5
			for _, m := range marks {
				lane := lay.Lanes[slices.IndexFunc(lay.Lanes, func(ln charts.Lane) bool { return ln.ID == m.Lane })]
				if y < lane.Y || y > lane.Y+lane.H+4 {
					continue
				}
				if x < m.To && x+w > m.From+markCharW {
					t.Errorf("sequential %v: span label %q at %.0f-%.0f runs into mark label %q at %.0f-%.0f", sequential, l[3], x, x+w, m.Text, m.From, m.To)
				}
			}
		}
	}
	if from, to := labelRoom([]markLabel{{Lane: 0, From: 10, To: 50}, {Lane: 0, From: 200, To: 240}, {Lane: 1, From: 0, To: 500}}, 0, 12, 400); from != 56 || to != 198 {
		t.Errorf("labelRoom: %v to %v, want 56 to 198", from, to)
	}
}

// Every queued item is drawn from the producer's put to the consumer's
// take.
func TestMarksQueueHandovers(t *testing.T) {
	spans := runSpans(t, workloads.Request{Workload: "queue", Mode: workloads.Goroutines, Workers: 3,
		Params: map[string]any{"items": 7, "produce": 1, "consume": 2}})
	inst, hand, stalls := timelineMarks(spans, modeCooperative)
	if len(hand) != 7 || len(inst) != 0 || len(stalls) != 0 {
		t.Fatalf("%d hand-overs, %d instants, %d stalls; want 7, 0, 0", len(hand), len(inst), len(stalls))
	}
	seen := map[int]bool{}
	for _, h := range hand {
		seen[h.Item] = true
		if h.To < h.From || h.FromLane == h.ToLane {
			t.Errorf("hand-over %+v: taken before it was put, or on the same lane", h)
		}
	}
	if len(seen) != 7 {
		t.Errorf("items %v", seen)
	}
	svg := marksOf(t, spans, modeCooperative)
	if strings.Count(svg, `class="handover"`) != 7 || !strings.Contains(svg, "marker-end") {
		t.Errorf("want 7 arrows:\n%s", svg)
	}
}

// On one thread, the busy-wait stalls every other lane with work to do;
// in the workers mode (and natively) nothing is stalled.
func TestMarksBlockingStall(t *testing.T) {
	// A cooperative run's spans, as one thread draws them: lanes 0 and 2
	// are sleeping when task 1 starts its busy-wait, so both are held up
	// until it ends. (A native run overlaps them on real threads, and in
	// the browser a lane may not have started yet: neither is this case.)
	spans := []workloads.Span{
		{Lane: 0, Task: 0, Label: "sleep 10 ms", State: workloads.Waiting, Start: 0, End: 30_800},
		{Lane: 1, Task: 1, Label: "busy-wait 30 ms (holds the thread)", State: workloads.Running, Start: 500, End: 30_800},
		{Lane: 2, Task: 2, Label: "sleep 20 ms", State: workloads.Waiting, Start: 300, End: 30_900},
	}
	_, _, stalls := timelineMarks(spans, modeCooperative)
	if len(stalls) != 2 {
		t.Fatalf("%d stalled lanes, want 2: %+v", len(stalls), stalls)
	}
	blockerLane := -1
	for _, s := range spans {
		if s.Task == 1 {
			blockerLane = s.Lane
		}
	}
	for _, s := range stalls {
		if s.Lane == blockerLane || s.Text != "stalled: task 1 is busy-waiting on the only thread" || s.End-s.Start < 25_000 {
			t.Errorf("stall %+v", s)
		}
	}
	for _, m := range []Mode{modeWorkers, modeNative, modeSequential} {
		if _, _, st := timelineMarks(spans, m); len(st) != 0 {
			t.Errorf("%s: stalls drawn %+v", m, st)
		}
	}
	tl := &timeline{DOMID: "tl", Key: "r", Spans: spans, WallUS: 60_000, Mode: modeCooperative}
	tl.OnInit()
	tl.sync()
	doc := render(tl)
	mustContain(t, doc, "st-stalled", "stalled (ready, but another task holds the only thread)", "tl-marks-text", "stall-fill")
	// A lesson with nothing to mark draws no layer.
	if svg := marksOf(t, sleepSpans(), modeCooperative); svg != "" {
		t.Errorf("marks on plain sleeps: %s", svg)
	}
}
