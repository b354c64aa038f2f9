package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"conlab/app/charts"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The spawn lesson's chart: what starting a child and its first and
// second call cost, by kind of child. A speed-up means nothing there (the
// lesson is the cost itself), so this chart takes the speed-up chart's
// place.

// spawnKind is one kind of child as the chart groups them.
type spawnKind struct {
	Order int
	Label string
}

// spawnKinds in the chart's order, most costly first.
var spawnKinds = []spawnKind{
	{0, "process (native)"},
	{1, "Web Worker compiling each time"},
	{2, "Web Worker, module compiled once"},
	{3, "goroutine (native)"},
	{4, "goroutine (in the browser)"},
}

// spawnRow is a kind's costs in one run: medians over its children (µs).
type spawnRow struct {
	Kind                spawnKind
	Startup, Cold, Warm float64
	Children            int
	Mode                Mode
	RecordID            string
}

// spawnKindOf names the kind of child a run of the spawn lesson started.
func spawnKindOf(r record) spawnKind {
	kind, _ := r.Result.Params["kind"].(string)
	compile, _ := r.Result.Params["compile"].(string)
	native := r.Mode == modeNative
	switch {
	case kind == "goroutine" && native:
		return spawnKinds[3]
	case kind == "goroutine":
		return spawnKinds[4]
	case native:
		return spawnKinds[0]
	case compile == "each":
		return spawnKinds[1]
	}
	return spawnKinds[2]
}

// spawnRows takes, for each kind, the newest run of the spawn lesson with
// the same children and job size whose spans are at hand, and the median
// over its children of the start-up (every start-up span of a child), the
// first call and the second.
func spawnRows(recs []record, spans map[string][]workloads.Span, params map[string]any) []spawnRow {
	newest := map[int]spawnRow{}
	for _, r := range recs {
		if r.Result.Workload != "spawn" || r.Result.Error != "" || !sameParam(r.Result.Params, params, "children") || !sameParam(r.Result.Params, params, "work") {
			continue
		}
		sp, ok := spans[r.ID]
		if !ok {
			continue
		}
		startup, cold, warm := map[int]float64{}, map[int]float64{}, map[int]float64{}
		for _, s := range sp {
			d := float64(s.End - s.Start)
			switch {
			case s.Task < 0:
			case s.State == workloads.Startup:
				startup[s.Task] += d
			default:
				var which string
				var us int64
				if _, err := fmt.Sscanf(s.Label, workloads.ChildCallFormat, &which, &us); err == nil {
					switch which {
					case "cold":
						cold[s.Task] = float64(us)
					case "warm":
						warm[s.Task] = float64(us)
					}
				}
			}
		}
		if len(startup) == 0 || len(cold) == 0 || len(warm) == 0 {
			continue
		}
		k := spawnKindOf(r)
		newest[k.Order] = spawnRow{Kind: k, Startup: medianOfMap(startup), Cold: medianOfMap(cold), Warm: medianOfMap(warm),
			Children: len(startup), Mode: r.Mode, RecordID: r.ID}
	}
	out := make([]spawnRow, 0, len(newest))
	for _, row := range newest {
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind.Order < out[j].Kind.Order })
	return out
}

// sameParam compares a parameter of two runs; numbers compare by value
// (a native result decoded from JSON holds 1e+06 where the form has
// 1000000).
func sameParam(a, b map[string]any, name string) bool {
	x, okx := number(a[name])
	y, oky := number(b[name])
	if okx && oky {
		return x == y
	}
	return fmt.Sprint(a[name]) == fmt.Sprint(b[name])
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func medianOfMap(m map[int]float64) float64 {
	v := make([]float64, 0, len(m))
	for _, x := range m {
		v = append(v, x)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// spawnSVG draws each kind as three horizontal bars on a logarithmic time
// axis (a goroutine starts in microseconds, a process in tens of
// milliseconds): start-up, first call, second call.
func spawnSVG(id string, rows []spawnRow, width float64) string {
	const left, right, bar, gap, top, bottom = 200.0, 60.0, 13.0, 14.0, 8.0, 34.0
	// Never narrower than a readable plot: on a small screen the figure
	// scales the whole chart down instead.
	width = max(width, 600)
	h := top + bottom + float64(len(rows))*(3*bar+gap)
	var vs []float64
	for _, r := range rows {
		vs = append(vs, r.Startup, r.Cold, r.Warm)
	}
	ax := newLogAxis(vs, left, right, width)
	x := ax.x
	var s svgBuilder
	var desc []string
	for _, r := range rows {
		desc = append(desc, fmt.Sprintf("%s: start-up %s, first call %s, second call %s", r.Kind.Label,
			spawnTime(r.Startup), spawnTime(r.Cold), spawnTime(r.Warm)))
	}
	s.svgOpen(id, "chart chart-spawn", "img", width, h, "What starting a child costs, by kind (logarithmic time axis)", strings.Join(desc, ". ")+".")
	s.patterns(id)
	ax.grid(&s, top, h-bottom, h)
	series := []struct {
		class, pat string
		v          func(spawnRow) float64
	}{
		{"sp-startup", "dots", func(r spawnRow) float64 { return r.Startup }},
		{"sp-cold", "stripes", func(r spawnRow) float64 { return r.Cold }},
		{"sp-warm", "", func(r spawnRow) float64 { return r.Warm }},
	}
	y := top
	for _, r := range rows {
		s.text(left-8, y+1.5*bar+4, "group", "end", r.Kind.Label)
		for i, se := range series {
			v := se.v(r)
			by := y + float64(i)*bar
			w := max(x(v)-left, 1.5)
			s.open("g", "class", "bar "+se.class)
			s.leaf("rect", "x", num(left), "y", num(by), "width", num(w), "height", num(bar-1.5))
			s.overlay(id, se.pat, left, by, w, bar-1.5)
			s.close("g")
			s.text(left+w+4, by+bar-2, "value", "start", spawnTime(v))
		}
		y += 3*bar + gap
	}
	s.close("svg")
	return s.String()
}

// spawnTime labels a measured time. A goroutine can start within one tick
// of the browser's coarse clock, which then reads zero: that is "under a
// clock tick", not "0 µs".
func spawnTime(us float64) string {
	if us == 0 {
		return "under a clock tick"
	}
	return charts.FormatMicros(us)
}

// spawnWarmNote says what the first and second calls show for each kind.
const spawnWarmNote = "First call against second: a Web Worker compiling each time compiles bytes of its own " +
	"(the browser cannot reuse a module it compiled before), so it starts slower and its first call runs " +
	"code not yet optimised: its second call is usually faster. Workers sharing the module compiled once " +
	"share its optimised code too, so once earlier children warmed it up, their first call is about as fast " +
	"as their second. Goroutines run code that is already warm, and a native process runs machine code " +
	"compiled in advance. The browser's clock ticks every 0.1 ms (Chromium) or 1 ms (Firefox, Safari): " +
	"calls only a few ticks long look alike; a larger job size shows the difference."

// spawnFigure is the spawn lesson's chart with its caption, legend and the
// kinds still missing from it.
func (l *lab) spawnFigure(params map[string]any) app.UI {
	rows := spawnRows(l.recs, l.spans, params)
	var have []int
	for _, r := range rows {
		have = append(have, r.Kind.Order)
	}
	var missing []string
	for _, k := range spawnKinds {
		if !slices.Contains(have, k.Order) {
			missing = append(missing, k.Label)
		}
	}
	hint := ""
	if len(missing) > 0 {
		hint = "Not yet measured with these children and job size: " + strings.Join(missing, "; ") +
			". Choose Child (process or goroutine) and Compile (once or each), then Run all: each kind joins the chart."
	}
	return app.Figure().ID("fig-speed").Class("figure").Body(
		app.If(len(rows) == 0, func() app.UI {
			return app.P().Class("hint").Text("Run the lesson to measure what starting each kind of child costs.")
		}).Else(func() app.UI {
			return app.Raw(spawnSVG("chart-spawn", rows, l.width("fig-speed")))
		}),
		app.FigCaption().Text("What a child costs before it does any work (start-up, as the parent waits for its first word), and its first and second call of the same job as the child timed them; the median over the children of the newest run of each kind. A warm pool pays the start-up once, not per job."),
		app.Ul().Class("legend").Body(
			app.Li().Body(app.Span().Class("swatch", "sp-startup", "pat-dots").Aria("hidden", "true"), app.Text("start-up")),
			app.Li().Body(app.Span().Class("swatch", "sp-cold", "pat-stripes").Aria("hidden", "true"), app.Text("first call (cold)")),
			app.Li().Body(app.Span().Class("swatch", "sp-warm").Aria("hidden", "true"), app.Text("second call (warm)")),
		),
		app.P().Class("hint", "spawn-warm").Text(spawnWarmNote),
		app.If(hint != "", func() app.UI { return app.P().Class("hint").Text(hint) }),
	)
}
