package ui

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"conlab/app/charts"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The multiply lesson's chart: its three methods side by side. Each
// method is its own parameter set, so the wall-time chart shows one at a
// time, and a speed-up of chunks over chunks run sequentially suggests
// that chunks help; the lesson is the comparison between the methods.
// This chart takes the speed-up chart's place.

// multiplyMethods are the methods in the chart's order, with their names
// for a student.
var multiplyMethods = []struct{ ID, Name string }{
	{"loop", "one loop"},
	{"chunks", "copied chunks"},
	{"shared", "shared memory, element by element"},
}

// classicFigure is a time the classic Python lesson reported. It was not
// measured here: the chart draws it apart from the live runs, and says so.
type classicFigure struct {
	Label string
	US    float64
}

// classicMultiply are the classic lesson's figures for two arrays of
// 800,000 floats, as it reported them on its author's machine (date and
// machine not given): one process's loop, a process pool on copied
// chunks, a pool writing shared arrays element by element, and the
// vectorised library (NumPy).
var classicMultiply = []classicFigure{
	{"one loop (one process)", 74_000},
	{"copied chunks (process pool)", 161_000},
	{"shared arrays, element by element", 6_170_000},
	{"vectorised library (NumPy)", 14_000},
}

// classicSize is the array size the classic figures are for.
const classicSize = 800_000

// methodBar is one configuration's runs of one method: the median of its
// rounds, their range, and its failures.
type methodBar struct {
	Method, Name string
	Key          runKey
	Slot         slot
}

// config names the configuration of a bar: "workers × 2".
func (b methodBar) config() string {
	switch b.Key.Series {
	case serSequential, serNativeSeq:
		return seriesInfo[b.Key.Series].Name
	}
	return fmt.Sprintf("%s × %d", seriesInfo[b.Key.Series].Name, b.Key.Workers)
}

// usable reports whether the bar did the work right: only those can be
// the fastest.
func (b methodBar) usable() bool { return !b.Slot.failed() && present(b.Slot.Median) }

// multiplyBars takes, for each method, the slots the wall-time chart
// would draw for it with the other parameters as in params: every mode
// and worker count that ran, in the charts' series order.
func multiplyBars(recs []record, recorded []workloads.Result, params map[string]any, cores int) []methodBar {
	var out []methodBar
	for _, m := range multiplyMethods {
		p := maps.Clone(params)
		p["method"] = m.ID
		d := buildChartData(recs, recorded, "multiply", p, cores)
		keys := slices.Collect(maps.Keys(d.Slots))
		slices.SortFunc(keys, func(a, b runKey) int {
			if a.Series != b.Series {
				return a.Series - b.Series
			}
			return a.Workers - b.Workers
		})
		for _, k := range keys {
			out = append(out, methodBar{Method: m.ID, Name: m.Name, Key: k, Slot: d.Slots[k]})
		}
	}
	return out
}

// multiplyVerdict says in a sentence or two what the bars show: the
// fastest configuration, and how much slower each other method is at its
// best; "" when no run did the work right.
func multiplyVerdict(bars []methodBar) string {
	best := map[string]methodBar{}
	for _, b := range bars {
		if cur, ok := best[b.Method]; b.usable() && (!ok || b.Slot.Median < cur.Slot.Median) {
			best[b.Method] = b
		}
	}
	var win methodBar
	for _, b := range best {
		if win.Method == "" || b.Slot.Median < win.Slot.Median {
			win = b
		}
	}
	if win.Method == "" {
		return ""
	}
	parts := []string{fmt.Sprintf("Fastest: %s, %s (%s).", win.Name, win.config(), charts.FormatMicros(win.Slot.Median))}
	for _, m := range multiplyMethods {
		b, ok := best[m.ID]
		switch {
		case m.ID == win.Method:
		case ok:
			parts = append(parts, fmt.Sprintf("%s at its best (%s) is %s slower.", upperFirst(m.Name), b.config(), ratioText(b.Slot.Median/win.Slot.Median)))
		case slices.ContainsFunc(bars, func(b methodBar) bool { return b.Method == m.ID }):
			parts = append(parts, fmt.Sprintf("%s: no run did the work (see ✗).", upperFirst(m.Name)))
		}
	}
	return strings.Join(parts, " ")
}

// ratioText writes a ratio the way people say it: "1.8×", "42×".
func ratioText(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.1f×", r)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// logAxis maps times (µs) to x on a logarithmic axis from d0 to d1 (powers
// of ten) between left and width-right.
type logAxis struct {
	d0, d1, left, span float64
}

// newLogAxis spans the powers of ten around vs, drawn from left to
// width-right.
func newLogAxis(vs []float64, left, right, width float64) logAxis {
	lo, hi := math.Inf(1), 0.0
	for _, v := range vs {
		if present(v) {
			lo, hi = min(lo, max(v, 1)), max(hi, v)
		}
	}
	return logAxis{
		d0:   math.Pow(10, math.Floor(math.Log10(max(lo, 1)))),
		d1:   math.Pow(10, math.Ceil(math.Log10(max(hi, 10)))),
		left: left, span: width - left - right,
	}
}

func (a logAxis) x(us float64) float64 {
	return a.left + (math.Log10(max(us, a.d0))-math.Log10(a.d0))/(math.Log10(a.d1)-math.Log10(a.d0))*a.span
}

// grid draws a line and a label at each power of ten, between top and
// bottom, and the axis's caption under them.
func (a logAxis) grid(s *svgBuilder, top, bottom, h float64) {
	for t := a.d0; t <= a.d1*1.001; t *= 10 {
		s.leaf("line", "x1", num(a.x(t)), "x2", num(a.x(t)), "y1", num(top), "y2", num(bottom), "class", "grid")
		s.text(a.x(t), bottom+16, "tick", "middle", charts.FormatMicros(t))
	}
	s.text(a.left+a.span/2, h-4, "axis-label", "middle", "time, logarithmic: each line is ten times the one before")
	s.leaf("line", "x1", num(a.left), "x2", num(a.left), "y1", num(top), "y2", num(bottom), "class", "axis")
}

// multiplySVG draws every method's configurations as horizontal bars on a
// logarithmic time axis (a copied chunk costs milliseconds, an element
// of shared memory at a time seconds), grouped by method, then the
// classic lesson's figures, hatched and labelled as reported, not live.
func multiplySVG(id string, bars []methodBar, width float64) string {
	const left, right, bar, gap, top, bottom = 250.0, 150.0, 12.0, 12.0, 8.0, 34.0
	width = max(width, 640)
	var vs []float64
	for _, b := range bars {
		vs = append(vs, b.Slot.Median, b.Slot.Max)
	}
	for _, c := range classicMultiply {
		vs = append(vs, c.US)
	}
	methods := 0
	for i, b := range bars {
		if i == 0 || bars[i-1].Method != b.Method {
			methods++
		}
	}
	h := top + bottom + float64(len(bars)+len(classicMultiply)+methods+1)*bar + float64(methods+1)*(gap+3)
	ax := newLogAxis(vs, left, right, width)
	var s svgBuilder
	var desc []string
	for _, b := range bars {
		desc = append(desc, fmt.Sprintf("%s, %s: %s", b.Name, b.config(), charts.FormatMicros(b.Slot.Median)))
	}
	for _, c := range classicMultiply {
		desc = append(desc, fmt.Sprintf("the classic Python lesson's %s: %s, reported, not measured here", c.Label, charts.FormatMicros(c.US)))
	}
	s.svgOpen(id, "chart chart-methods", "img", width, h, "Wall time of each way to multiply (logarithmic time axis)", strings.Join(desc, ". ")+".")
	s.patterns(id)
	ax.grid(&s, top, h-bottom, h)
	y := top
	for i, b := range bars {
		if i == 0 || bars[i-1].Method != b.Method {
			if i > 0 {
				y += gap
			}
			s.text(8, y+bar-2, "group", "start", upperFirst(b.Name))
			y += bar + 3
		}
		w := max(ax.x(b.Slot.Median)-left, 1.5)
		cls := "bar " + seriesInfo[b.Key.Series].Class
		if b.Slot.failed() {
			cls += " bar-failed"
		}
		s.open("g", "class", cls, "data-method", b.Method)
		s.title(fmt.Sprintf("%s, %s: %s", b.Name, b.config(), charts.FormatMicros(b.Slot.Median)) + slotMore(b.Slot))
		s.leaf("rect", "x", num(left), "y", num(y), "width", num(w), "height", num(bar-2))
		s.overlay(id, seriesPattern[b.Key.Series], left, y, w, bar-2)
		s.close("g")
		if b.Slot.Runs > 1 && present(b.Slot.Min) {
			s.leaf("line", "x1", num(ax.x(b.Slot.Min)), "x2", num(ax.x(b.Slot.Max)), "y1", num(y+bar/2-1), "y2", num(y+bar/2-1), "class", "whisker")
		}
		s.text(left-8, y+bar-3, "value", "end", b.config())
		mark := ""
		if b.Slot.failed() {
			mark = " ✗"
		}
		s.text(ax.x(max(b.Slot.Median, b.Slot.Max))+4, y+bar-3, "value", "start", charts.FormatMicros(b.Slot.Median)+mark)
		y += bar
	}
	y += gap
	s.text(8, y+bar-2, "group", "start", "The classic Python lesson ("+workloads.GroupDigits(classicSize)+" elements; reported on its author's machine, not measured here)")
	y += bar + 3
	for _, c := range classicMultiply {
		w := max(ax.x(c.US)-left, 1.5)
		s.open("g", "class", "bar classic")
		s.title(fmt.Sprintf("the classic Python lesson's %s: %s, as it reported it (not measured here)", c.Label, charts.FormatMicros(c.US)))
		s.leaf("rect", "x", num(left), "y", num(y), "width", num(w), "height", num(bar-2))
		s.overlay(id, "stripes", left, y, w, bar-2)
		s.close("g")
		s.text(left-8, y+bar-3, "value", "end", c.Label)
		s.text(left+w+4, y+bar-3, "value", "start", charts.FormatMicros(c.US)+" (reported)")
		y += bar
	}
	s.close("svg")
	return s.String()
}

// slotMore is what a bar's tooltip adds to its median: its range and
// flags.
func slotMore(sl slot) string {
	if t := sl.slotText(); t != "" {
		return " (" + t + ")"
	}
	return ""
}

// multiplyFigure is the multiply lesson's method chart with its verdict,
// caption, and the methods still missing from it.
func (l *lab) multiplyFigure(params map[string]any, recorded []workloads.Result) app.UI {
	bars := multiplyBars(l.recs, recorded, params, max(l.cores(), 1))
	var missing []string
	for _, m := range multiplyMethods {
		if !slices.ContainsFunc(bars, func(b methodBar) bool { return b.Method == m.ID }) {
			missing = append(missing, m.ID)
		}
	}
	verdict := multiplyVerdict(bars)
	return app.Figure().ID("fig-speed").Class("figure", "figure-wide").Body(
		app.If(len(bars) == 0, func() app.UI {
			return app.P().Class("hint").Text("Run the lesson to compare the ways to multiply.")
		}).Else(func() app.UI {
			return app.Raw(multiplySVG("chart-methods", bars, l.width("fig-speed")))
		}),
		app.If(verdict != "", func() app.UI { return app.P().Class("verdict").Text(verdict) }),
		app.FigCaption().Text("Every way to multiply on one chart, with the same array size and seed: each bar is the median of its rounds (whisker: their range), ✗ a run that did not do the work. The lesson: copying chunks to other workers costs more than it saves for one multiplication per element; element-by-element access to shared memory costs far more; one tight loop wins. Striped bars at the bottom are the classic Python lesson's own figures, reported on its author's machine and not measured here; the vectorised library is the floor a compiled loop can approach."),
		app.If(len(missing) > 0, func() app.UI {
			return app.P().Class("hint").Textf("Not yet run with this array size and seed: %s. Choose the method above and Run all: each method joins the chart.", strings.Join(missing, ", "))
		}),
	)
}
