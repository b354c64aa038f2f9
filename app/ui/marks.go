package ui

import (
	"fmt"
	"strings"

	"conlab/app/charts"
	"conlab/workloads"
)

// Marks are drawn over a run's timeline for what its bars alone do not
// show: an instant too short to see (the database lesson's read and write),
// a hand-over from one lane to another (the queue's items, from the
// producer's put to the consumer's take), and a lane stalled by another
// (the blocking lesson's busy-wait holding the only thread). Workloads say
// these things in their span labels; marks read them from there.

// instantMark is a moment on a lane: a marker and a short text.
type instantMark struct {
	Lane int
	At   int64
	Text string
}

// handover is an item passed from one lane to another.
type handover struct {
	Item             int
	FromLane, ToLane int
	From, To         int64
}

// stall is a lane held up while another task keeps the only thread.
type stall struct {
	Lane       int
	Start, End int64
	Text       string
}

// timelineMarks reads the marks of a run from its spans. mode is the UI
// mode: stalls are drawn only where one thread runs every lane.
func timelineMarks(spans []workloads.Span, mode Mode) (inst []instantMark, hand []handover, stalls []stall) {
	puts := map[int]workloads.Span{}
	lanes := map[int]bool{}
	for _, sp := range spans {
		lanes[sp.Lane] = true
	}
	for _, sp := range spans {
		var n int
		switch {
		case scan(sp.Label, "read x=%d", &n):
			inst = append(inst, instantMark{sp.Lane, sp.Start, fmt.Sprintf("read %d", n)})
		case scan(sp.Label, "write x=%d", &n):
			inst = append(inst, instantMark{sp.Lane, sp.Start, fmt.Sprintf("write %d", n)})
		case scan(sp.Label, "put item %d", &n):
			puts[n] = sp
		}
	}
	for _, sp := range spans {
		var n int
		if scan(sp.Label, "got item %d", &n) {
			if p, ok := puts[n]; ok {
				// Each side notes the hand-over just after it: the take
				// may be noted a few microseconds before the put.
				hand = append(hand, handover{Item: n, FromLane: p.Lane, ToLane: sp.Lane, From: min(p.Start, sp.Start), To: sp.Start})
			}
		}
	}
	if mode == modeCooperative || mode == modeMain {
		for _, sp := range spans {
			if sp.State != workloads.Running || !strings.HasPrefix(sp.Label, "busy-wait") || sp.End <= sp.Start {
				continue
			}
			for l := range lanes {
				if l != sp.Lane && laneBusyDuring(spans, l, sp.Start, sp.End) {
					stalls = append(stalls, stall{Lane: l, Start: sp.Start, End: sp.End,
						Text: fmt.Sprintf("stalled: task %d is busy-waiting on the only thread", sp.Task)})
				}
			}
		}
	}
	return inst, hand, stalls
}

// laneBusyDuring reports whether lane has a task under way at some point
// of [start, end): a lane with nothing left to do is not stalled.
func laneBusyDuring(spans []workloads.Span, lane int, start, end int64) bool {
	for _, sp := range spans {
		if sp.Lane == lane && sp.Start < end && sp.End > start {
			return true
		}
	}
	return false
}

// scan reports whether label starts with format's text and reads its one
// number.
func scan(label, format string, n *int) bool {
	prefix, _, _ := strings.Cut(format, "%d")
	if !strings.HasPrefix(label, prefix) {
		return false
	}
	_, err := fmt.Sscanf(label, format, n)
	return err == nil
}

// marksSVG draws the marks over a timeline of geometry lay, in an SVG of
// the same size that lies on top of it (pointer events pass through to
// the spans). It returns "" when the run has no marks.
func marksSVG(id string, spans []workloads.Span, lay charts.Timeline, mode Mode, laneName func(int) string) string {
	inst, hand, stalls := timelineMarks(spans, mode)
	if len(inst)+len(hand)+len(stalls) == 0 {
		return ""
	}
	f := lay.Frame
	laneY := map[int]charts.Lane{}
	for _, l := range lay.Lanes {
		laneY[l.ID] = l
	}
	x0, x1 := f.X0(), f.X1()
	inView := func(x float64) bool { return x >= x0-0.5 && x <= x1+0.5 }
	var desc []string
	var s svgBuilder
	s.open("svg", "xmlns", "http://www.w3.org/2000/svg", "id", id, "class", "chart chart-timeline tl-marks",
		"viewBox", "0 0 "+num(f.W)+" "+num(f.H), "width", num(f.W), "height", num(f.H),
		"aria-hidden", "true", "preserveAspectRatio", "xMinYMin meet")
	s.open("defs")
	s.open("marker", "id", id+"-arrow", "viewBox", "0 0 8 8", "refX", "7", "refY", "4",
		"markerWidth", "7", "markerHeight", "7", "orient", "auto-start-reverse")
	s.leaf("path", "d", "M0,0 L8,4 L0,8 z", "class", "mark-arrowhead")
	s.close("marker")
	s.open("pattern", "id", id+"-stall", "width", "8", "height", "8", "patternUnits", "userSpaceOnUse", "patternTransform", "rotate(-45)")
	s.leaf("line", "x1", "0", "y1", "0", "x2", "0", "y2", "8", "class", "stall-line")
	s.close("pattern")
	s.close("defs")

	for _, st := range stalls {
		l, ok := laneY[st.Lane]
		a, b := max(lay.X.Map(float64(st.Start)), x0), min(lay.X.Map(float64(st.End)), x1)
		if !ok || b <= a {
			continue
		}
		s.open("g", "class", "stall")
		s.leaf("rect", "x", num(a), "y", num(l.Y), "width", num(b-a), "height", num(l.H), "class", "stall-fill")
		s.leaf("rect", "x", num(a), "y", num(l.Y), "width", num(b-a), "height", num(l.H), "fill", "url(#"+id+"-stall)")
		if b-a > 80 {
			s.text(a+4, l.Y+l.H/2+4, "mark-label", "start", clip(st.Text, int((b-a-8)/5.6)))
		}
		s.close("g")
	}
	if len(stalls) > 0 {
		desc = append(desc, stalls[0].Text)
	}

	for _, h := range hand {
		a, okA := laneY[h.FromLane]
		b, okB := laneY[h.ToLane]
		xa, xb := lay.X.Map(float64(h.From)), lay.X.Map(float64(h.To))
		if !okA || !okB || !inView(xa) && !inView(xb) {
			continue
		}
		ya, yb := a.Y+a.H/2, b.Y+b.H/2
		// A gentle curve, so that hand-overs at the same moment stay apart.
		mx := (xa + xb) / 2
		s.open("g", "class", "handover")
		s.leaf("path", "d", fmt.Sprintf("M%s,%s C%s,%s %s,%s %s,%s", num(xa), num(ya), num(mx+6), num(ya), num(mx-6), num(yb), num(xb), num(yb)),
			"class", "mark-link", "marker-end", "url(#"+id+"-arrow)")
		s.leaf("circle", "cx", num(xa), "cy", num(ya), "r", "6.5", "class", "mark-item")
		s.text(xa, ya+3.5, "mark-item-label", "middle", fmt.Sprint(h.Item))
		s.close("g")
		desc = append(desc, fmt.Sprintf("item %d: put by %s at %s, taken by %s at %s", h.Item, laneName(h.FromLane),
			charts.FormatMicros(float64(h.From)), laneName(h.ToLane), charts.FormatMicros(float64(h.To))))
	}

	for _, m := range inst {
		l, ok := laneY[m.Lane]
		x := lay.X.Map(float64(m.At))
		if !ok || !inView(x) {
			continue
		}
		s.open("g", "class", "instant")
		s.leaf("line", "x1", num(x), "x2", num(x), "y1", num(l.Y-3), "y2", num(l.Y+l.H+3), "class", "mark-tick")
		s.leaf("path", "d", fmt.Sprintf("M%s,%s l5,-6 h-10 z", num(x), num(l.Y+2)), "class", "mark-pin")
		s.close("g")
		desc = append(desc, fmt.Sprintf("%s at %s on %s", m.Text, charts.FormatMicros(float64(m.At)), laneName(m.Lane)))
	}
	for _, g := range instantLabels(inst, lay) {
		l := laneY[g.Lane]
		anchor, x := "start", g.From
		if g.End {
			anchor, x = "end", g.To
		}
		s.text(x, l.Y+l.H/2+4, "mark-label", anchor, g.Text)
	}
	s.open("desc")
	s.b.WriteString(esc(strings.Join(desc, "; ")))
	s.close("desc")
	s.close("svg")
	return s.String()
}

// markLabel is where the label of one or more instants sits on a lane,
// from x From to x To; End says it is anchored at its right end (near the
// timeline's right edge).
type markLabel struct {
	Lane     int
	From, To float64
	Text     string
	End      bool
}

// markCharW is the width of a character of a mark label, about.
const markCharW = 6

// instantLabels places the labels of instants in view: instants on one
// lane closer than a label's width share one label ("write 1, read 1").
// The timeline's span labels keep clear of them (labelRoom).
func instantLabels(inst []instantMark, lay charts.Timeline) []markLabel {
	x0, x1 := lay.Frame.X0(), lay.Frame.X1()
	lanes := map[int]bool{}
	for _, l := range lay.Lanes {
		lanes[l.ID] = true
	}
	type group struct {
		lane  int
		x     float64
		texts []string
	}
	var groups []group
	for _, m := range inst {
		x := lay.X.Map(float64(m.At))
		if !lanes[m.Lane] || x < x0-0.5 || x > x1+0.5 {
			continue
		}
		if n := len(groups); n > 0 && groups[n-1].lane == m.Lane && x-groups[n-1].x < 60 {
			groups[n-1].texts = append(groups[n-1].texts, m.Text)
		} else {
			groups = append(groups, group{m.Lane, x, []string{m.Text}})
		}
	}
	out := make([]markLabel, 0, len(groups))
	for _, g := range groups {
		text := strings.Join(g.texts, ", ")
		w := float64(len(text)) * markCharW
		l := markLabel{Lane: g.lane, From: g.x + 4, To: g.x + 4 + w, Text: text}
		if l.To > x1 {
			l = markLabel{Lane: g.lane, From: g.x - 4 - w, To: g.x - 4, Text: text, End: true}
		}
		out = append(out, l)
	}
	return out
}

// labelRoom returns where a span label on lane, wanting [from, to), can
// go without running into a mark label: it starts after a mark label it
// would begin under, and ends before the next one.
func labelRoom(marks []markLabel, lane int, from, to float64) (float64, float64) {
	for _, m := range marks {
		if m.Lane != lane || m.To <= from || m.From >= to {
			continue
		}
		if m.From <= from+markCharW {
			from = max(from, m.To+markCharW)
		} else {
			to = min(to, m.From-2)
		}
	}
	return from, to
}

// marksText is the marks in words, for the page under the timeline (and
// screen readers): "" when the run has none.
func marksText(spans []workloads.Span, mode Mode, laneName func(int) string) string {
	inst, hand, stalls := timelineMarks(spans, mode)
	var parts []string
	if len(inst) > 0 {
		var vs []string
		for _, m := range inst {
			vs = append(vs, fmt.Sprintf("%s (%s, %s)", m.Text, laneName(m.Lane), charts.FormatMicros(float64(m.At))))
		}
		parts = append(parts, "Reads and writes, marked on the lanes: "+strings.Join(vs, "; ")+".")
	}
	if len(hand) > 0 {
		parts = append(parts, fmt.Sprintf("Each arrow is an item handed over, from the producer's put to the consumer's take (%s).",
			count(len(hand), "hand-over")))
	}
	if len(stalls) > 0 {
		parts = append(parts, "Hatched: "+stalls[0].Text+"; the other lanes cannot run until it ends.")
	}
	return strings.Join(parts, " ")
}
