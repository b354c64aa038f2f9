package ui

import (
	"fmt"

	"conlab/app/charts"
	"conlab/workloads"
)

// About how wide a character of a bar's value label (10.5 px digits and
// "ms", app.css's .chart .value) and of an efficiency label (10.5 px
// bold, .chart .eff) is.
const (
	valueCharWidth = 6.8
	effCharWidth   = 7.2
)

// seriesPattern is the overlay that tells a series apart without colour.
var seriesPattern = [numSeries]string{
	serCooperative: "dots",
	serMain:        "cross",
	serNativeSeq:   "stripes",
	serNative:      "stripes",
}

// statePattern is the overlay of a timeline state.
var statePattern = map[workloads.State]string{
	workloads.Waiting: "stripes",
	workloads.Blocked: "cross",
	workloads.Startup: "dots",
}

// wallSVG draws wall time per mode and worker count, native bars beside
// the browser's.
func wallSVG(id string, d chartData, width float64) string {
	f := charts.Frame{W: max(width, 280), H: 270, Left: 60, Right: 10, Top: 34, Bottom: 34}
	top := 0.0
	for _, v := range d.Wall {
		top = max(top, v)
	}
	lay := charts.LayoutBars(f, d.groups(), charts.TimeTickLabel(charts.NiceMax(top, 5)))
	var s svgBuilder
	s.svgOpen(id, "chart chart-wall", "img", f.W, f.H, "Wall time per mode and worker count", d.wallSummary())
	s.patterns(id)
	for _, t := range lay.YTicks {
		s.leaf("line", "x1", num(f.X0()), "x2", num(f.X1()), "y1", num(t.Pos), "y2", num(t.Pos), "class", "grid")
		s.text(f.X0()-6, t.Pos+4, "tick", "end", t.Label)
	}
	// A value label in the way of another goes a line higher.
	values := labelPlacer{Line: 12}
	for _, b := range lay.Bars {
		info := seriesInfo[b.Series]
		g := lay.Groups[b.Group].Label
		sl, _ := d.slotAt(b.Group, b.Series)
		title := fmt.Sprintf("%s, %s: %s", info.Name, g, charts.FormatMicros(b.Value))
		if more := sl.slotText(); more != "" {
			title += " (" + more + ")"
		}
		cls := "bar " + info.Class
		if sl.failed() {
			cls += " bar-failed"
		}
		s.open("g", "class", cls)
		s.title(title)
		s.leaf("rect", "x", num(b.X), "y", num(b.Y), "width", num(b.W), "height", num(max(b.H, 1)), "rx", "2")
		s.overlay(id, seriesPattern[b.Series], b.X, b.Y, b.W, max(b.H, 1))
		top := b.Y
		if b.Whisker {
			// The range of the rounds: fastest to slowest, capped.
			cx, cap := b.X+b.W/2, min(b.W/4, 6)
			s.leaf("line", "x1", num(cx), "x2", num(cx), "y1", num(b.YLow), "y2", num(b.YHigh), "class", "whisker")
			s.leaf("line", "x1", num(cx-cap), "x2", num(cx+cap), "y1", num(b.YLow), "y2", num(b.YLow), "class", "whisker")
			s.leaf("line", "x1", num(cx-cap), "x2", num(cx+cap), "y1", num(b.YHigh), "y2", num(b.YHigh), "class", "whisker")
			top = min(top, b.YHigh)
		}
		s.close("g")
		if b.W >= 30 {
			// A label as wide as its bar would touch its neighbour's at
			// the same height.
			v := values.above(chartLabel{X: b.X + b.W/2, Y: top - 5, Text: charts.FormatMicros(b.Value), Anchor: "middle", CharW: valueCharWidth})
			s.text(v.X, v.Y, "value", v.Anchor, v.Text)
			top = v.Y - 9
		}
		// The flags, above the bar: ✗ a check failed (or a run ended in
		// an error), ! the rounds disagree.
		mark := ""
		if sl.failed() {
			mark += "✗"
		}
		if sl.busy() {
			mark += "!"
		}
		if mark != "" {
			s.open("g", "class", "flag")
			s.title(sl.slotText())
			s.text(b.X+b.W/2, top-4, "flag-mark", "middle", mark)
			s.close("g")
		}
	}
	s.leaf("line", "x1", num(f.X0()), "x2", num(f.X1()), "y1", num(f.Y1()), "y2", num(f.Y1()), "class", "axis")
	for _, g := range lay.Groups {
		s.text(g.Pos, f.Y1()+20, "tick group", "middle", g.Label)
	}
	s.close("svg")
	return s.String()
}

// speedSVG draws speed-up against worker count, with the ideal line up to
// the core count and each point's parallel efficiency.
func speedSVG(id string, d chartData, width float64) string {
	f := charts.Frame{W: max(width, 280), H: 260, Left: 44, Right: 18, Top: 16, Bottom: 40}
	lay := charts.LayoutSpeedup(f, d.speedups(), d.idealCores(), d.Counts)
	if d.bounded() {
		lay.Ideal = boundLine(lay, d.best)
	}
	var s svgBuilder
	s.svgOpen(id, "chart chart-speed", "img", f.W, f.H, "Speed-up against the number of workers", d.speedSummary())
	for _, t := range lay.YTicks {
		s.leaf("line", "x1", num(f.X0()), "x2", num(f.X1()), "y1", num(t.Pos), "y2", num(t.Pos), "class", "grid")
		s.text(f.X0()-6, t.Pos+4, "tick", "end", t.Label+"×")
	}
	for _, t := range lay.XTicks {
		s.leaf("line", "x1", num(t.Pos), "x2", num(t.Pos), "y1", num(f.Y1()), "y2", num(f.Y1()+4), "class", "axis")
		s.text(t.Pos, f.Y1()+17, "tick", "middle", t.Label)
	}
	s.text((f.X0()+f.X1())/2, f.H-4, "axis-label", "middle", "workers (N)")
	s.leaf("line", "x1", num(f.X0()), "x2", num(f.X1()), "y1", num(f.Y1()), "y2", num(f.Y1()), "class", "axis")
	s.leaf("line", "x1", num(f.X0()), "x2", num(f.X0()), "y1", num(f.Y0()), "y2", num(f.Y1()), "class", "axis")
	s.open("g", "class", "ideal")
	title := d.idealText()
	if d.bounded() {
		title = d.boundNote()
	}
	s.title(title)
	s.leaf("polyline", "points", points(lay.Ideal))
	s.close("g")
	var effs []chartLabel
	for i, pts := range lay.Series {
		if len(pts) == 0 {
			continue
		}
		info := seriesInfo[speedSeries[i]]
		s.open("g", "class", "line "+info.Class)
		ps := make([]charts.Point, len(pts))
		for k, p := range pts {
			ps[k] = charts.Point{X: p.X, Y: p.Y}
		}
		s.leaf("polyline", "points", points(ps))
		for _, p := range pts {
			s.open("g", "class", "pt")
			s.title(fmt.Sprintf("%s at N=%d: %.2f× faster than sequential, efficiency %.0f%%", info.Name, p.N, p.Speedup, 100*p.Efficiency))
			s.leaf("circle", "cx", num(p.X), "cy", num(p.Y), "r", "4.5")
			s.close("g")
			// At N=1 the efficiency is the speed-up itself: no label, and
			// the points of every series, all near 1×, stay readable.
			if p.N == 1 {
				continue
			}
			effs = append(effs, chartLabel{X: p.X + 6, Y: p.Y + 4, Text: fmt.Sprintf("%.0f%%", 100*p.Efficiency), Anchor: "start", CharW: effCharWidth})
		}
		s.close("g")
	}
	// A worker count whose runs did the work wrong has no point: a ✗ on
	// the axis says why.
	for _, w := range d.wrongAt() {
		s.open("g", "class", "flag")
		s.title(w.text())
		s.text(lay.X.Map(float64(w.N)), f.Y1()-6, "flag-mark", "middle", "✗")
		s.close("g")
	}
	// Labels in each other's way move apart; one with no room, or that
	// says what the label of a coinciding point says, is dropped.
	placer := labelPlacer{Line: 12, Top: f.Y0() + 10, Bottom: f.Y1() - 2}
	effs = placer.placeNear(effs)
	if n := len(lay.Ideal); n > 0 {
		end := lay.Ideal[n-1]
		// Just above the line's end or, in the way of an efficiency
		// label (the points sit on a bound they reach), in the frame's
		// top margin.
		l := chartLabel{X: end.X - 2, Y: end.Y - 6, Text: d.idealText(), Anchor: "end", CharW: 5.5}
		if _, in := placer.blocker(l); in {
			l.Y = f.Y0() - 4
		}
		s.text(l.X, l.Y, "ideal-label", l.Anchor, l.Text)
	}
	for _, e := range effs {
		s.text(e.X, e.Y, "eff", e.Anchor, e.Text)
	}
	s.close("svg")
	return s.String()
}

func points(ps []charts.Point) string {
	var s []byte
	for i, p := range ps {
		if i > 0 {
			s = append(s, ' ')
		}
		s = append(s, num(p.X)...)
		s = append(s, ',')
		s = append(s, num(p.Y)...)
	}
	return string(s)
}

// timelineGeom lays out a run's spans for the timeline.
func timelineGeom(spans []workloads.Span, view charts.View, width float64) charts.Timeline {
	return timelineGeomLanes(spans, view, width, 0)
}

// timelineGeomLanes lays out a run's spans with lanes 0 to lanes-1 drawn
// whether or not they have spans.
func timelineGeomLanes(spans []workloads.Span, view charts.View, width float64, lanes int) charts.Timeline {
	iv := make([]charts.Interval, len(spans))
	for i, sp := range spans {
		iv[i] = charts.Interval{Lane: sp.Lane, Start: float64(sp.Start), End: float64(sp.End), Index: i}
	}
	ids := make([]int, lanes)
	for i := range ids {
		ids[i] = i
	}
	f := charts.Frame{W: max(width, 280), Left: 96, Right: 12, Top: 6, Bottom: 28}
	return charts.LayoutTimelineLanes(f, 22, 6, iv, view, ids)
}

// laneWaits draws each lane's wait for the thread: an outlined box
// from the run's start to the lane's first span, saying why on the lane.
func (s *svgBuilder) laneWaits(lay charts.Timeline, waits []laneWait, laneName func(int) string) {
	for _, w := range waits {
		for _, l := range lay.Lanes {
			if l.ID != w.Lane {
				continue
			}
			x0 := lay.X.Map(max(float64(w.Start), lay.X.D0))
			x1 := lay.X.Map(min(float64(w.End), lay.X.D1))
			if x1 <= x0 {
				continue
			}
			text := w.Text(laneName)
			s.open("g", "class", "lane-wait", "role", "img", "aria-label", laneName(w.Lane)+": "+text)
			s.title(text)
			s.leaf("rect", "x", num(x0), "y", num(l.Y+1), "width", num(x1-x0), "height", num(l.H-2), "rx", "2")
			s.text(x0+4, l.Y+l.H/2+4, "lane-wait-text", "start", clip(text, int((x1-x0)/6.2)))
			s.close("g")
		}
	}
}

// maxFocusable bounds the spans that are keyboard stops: beyond it,
// tabbing through would take longer than zooming in first.
const maxFocusable = 300

// timelineSVG draws one lane per goroutine or worker, each span a bar
// coloured and patterned by its state.
func timelineSVG(id string, spans []workloads.Span, lay charts.Timeline, laneName func(int) string, title, desc string, waits ...laneWait) string {
	f := lay.Frame
	var s svgBuilder
	s.svgOpen(id, "chart chart-timeline", "group", f.W, f.H, title, desc)
	s.patterns(id)
	for i, l := range lay.Lanes {
		cls := "lane"
		if i%2 == 1 {
			cls = "lane lane-odd"
		}
		s.leaf("rect", "x", num(f.X0()), "y", num(l.Y-3), "width", num(f.X1()-f.X0()), "height", num(l.H+6), "class", cls)
		s.text(f.X0()-8, l.Y+l.H/2+4, "lane-label", "end", laneName(l.ID))
	}
	for _, t := range lay.Ticks {
		s.leaf("line", "x1", num(t.Pos), "x2", num(t.Pos), "y1", num(f.Y0()), "y2", num(f.Y1()), "class", "grid")
		s.text(t.Pos, f.Y1()+18, "tick", "middle", t.Label)
	}
	s.laneWaits(lay, waits, laneName)
	// The marks' labels (marks.go) lie over the spans: span labels make way.
	inst, _, _ := timelineMarks(spans, "")
	marks := instantLabels(inst, lay)
	focusable := len(lay.Rects) <= maxFocusable
	for _, r := range lay.Rects {
		sp := spans[r.Index]
		tab := ""
		if focusable {
			tab = "0"
		}
		s.open("g", "class", "span st-"+string(sp.State), "data-i", fmt.Sprint(r.Index), "data-t0", fmt.Sprint(sp.Start), "data-t1", fmt.Sprint(sp.End), "tabindex", tab,
			"role", "img", "aria-label", spanText(sp, laneName))
		s.leaf("rect", "x", num(r.X), "y", num(r.Y), "width", num(r.W), "height", num(r.H), "rx", "2")
		s.overlay(id, statePattern[sp.State], r.X, r.Y, r.W, r.H)
		if from, to := labelRoom(marks, sp.Lane, r.X+4, r.X+r.W-4); r.W > 60 && to-from > 30 {
			s.open("text", "x", num(from), "y", num(r.Y+r.H/2+4), "class", "span-label")
			s.b.WriteString(esc(clip(sp.Label, int((to-from+8)/6.5))))
			s.close("text")
		}
		s.close("g")
	}
	s.leaf("line", "x1", num(f.X0()), "x2", num(f.X1()), "y1", num(f.Y1()), "y2", num(f.Y1()), "class", "axis")
	s.close("svg")
	return s.String()
}

// spanText describes a span in words: the hover box and screen readers
// both use it.
func spanText(sp workloads.Span, laneName func(int) string) string {
	task := fmt.Sprintf("task %d", sp.Task)
	if sp.Task < 0 {
		task = "worker start-up"
	}
	return fmt.Sprintf("%s, %s: %s, %s from %s to %s (%s)", laneName(sp.Lane), task, sp.Label, sp.State,
		charts.FormatMicros(float64(sp.Start)), charts.FormatMicros(float64(sp.End)), charts.FormatMicros(float64(sp.End-sp.Start)))
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if n < 2 {
		return ""
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
