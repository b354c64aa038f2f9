package ui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"conlab/app/charts"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// timeline draws one run's spans: one lane per goroutine or worker, each
// span coloured and patterned by its state; hover or focus shows a span's
// task, label and times; buttons, keys (+ − 0 ← →), a drag and
// Ctrl+wheel zoom and pan it.
type timeline struct {
	app.Compo

	// DOMID is the id of the timeline's box; unique in the page.
	DOMID string
	// Key identifies the run shown: a new key resets the zoom.
	Key    string
	Spans  []workloads.Span
	WallUS int64
	Mode   Mode // UI mode: workers have worker lanes, the rest goroutines
	// Lanes is the run's lanes on one thread (cooperative, main): every
	// one is drawn, and one that waited for the thread says so. 0 draws
	// the lanes that have spans.
	Lanes int
	// Live marks the view of a run in progress: no zoom, no details.
	Live bool

	view    charts.View
	key     string
	width   float64
	active  int // the span under the pointer or the focus, -1 for none
	drag    bool
	dragX   float64
	dragV   charts.View
	wheel   app.Func
	wheelOn app.Value
}

func (t *timeline) total() float64 {
	end := float64(t.WallUS)
	for _, s := range t.Spans {
		end = max(end, float64(s.End))
	}
	return end
}

// OnInit sets the view before the first Render: go-app renders a
// component right after OnInit and dispatches OnMount later (much later on
// a busy machine), and an empty view draws no span.
func (t *timeline) OnInit() {
	t.active = -1
	t.sync()
}

func (t *timeline) OnMount(ctx app.Context) {
	t.sync()
	t.width = elementWidth(t.DOMID, 0)
	if t.Live || !app.IsClient {
		return
	}
	// Ctrl+wheel zooms: its listener must cancel the browser's own page
	// zoom synchronously, which go-app's dispatched handlers cannot.
	el := app.Window().GetElementByID(t.DOMID + "-plot")
	if !el.Truthy() {
		return
	}
	t.wheelOn = el
	t.wheel = app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		e := args[0]
		if !e.Get("ctrlKey").Bool() && !e.Get("metaKey").Bool() {
			return nil
		}
		e.Call("preventDefault")
		dy := e.Get("deltaY").Float()
		x := e.Get("offsetX").Float()
		ctx.Dispatch(func(app.Context) {
			factor := 1.25
			if dy > 0 {
				factor = 1 / factor
			}
			t.zoomAt(factor, x)
		})
		return nil
	})
	el.Call("addEventListener", "wheel", t.wheel, map[string]any{"passive": false})
}

func (t *timeline) OnDismount() {
	if t.wheel != nil {
		t.wheelOn.Call("removeEventListener", "wheel", t.wheel)
		t.wheel.Release()
		t.wheel = nil
	}
}

func (t *timeline) OnResize(ctx app.Context) { t.width = elementWidth(t.DOMID, t.width) }

func (t *timeline) OnUpdate(ctx app.Context) {
	t.sync()
	if t.width == 0 {
		t.width = elementWidth(t.DOMID, 0)
	}
}

// sync resets the view when another run is shown, and keeps it inside
// a run that is still growing.
func (t *timeline) sync() {
	if t.Key != t.key || t.view.Width() == 0 {
		t.key, t.view, t.active = t.Key, charts.FullView(t.total()), -1
		return
	}
	if t.Live {
		t.view = charts.FullView(t.total())
		return
	}
	t.view = t.view.Clamp(t.total())
}

func (t *timeline) plotWidth() float64 {
	w := t.width
	if w <= 0 {
		w = 720
	}
	f := timelineGeom(nil, t.view, w).Frame
	return f.X1() - f.X0()
}

// zoomAt zooms by factor around the instant at x pixels into the plot box
// (x < 0: around the middle).
func (t *timeline) zoomAt(factor, x float64) {
	anchor := (t.view.T0 + t.view.T1) / 2
	if x >= 0 {
		f := timelineGeom(nil, t.view, max(t.width, 280)).Frame
		anchor = t.view.T0 + (x-f.X0())/max(f.X1()-f.X0(), 1)*t.view.Width()
	}
	t.view = t.view.Zoom(factor, anchor, t.total())
}

func (t *timeline) pan(fraction float64) {
	t.view = t.view.Pan(fraction*t.view.Width(), t.total())
}

func (t *timeline) reset() { t.view = charts.FullView(t.total()) }

func (t *timeline) laneName(id int) string {
	if id < 0 {
		return "pool"
	}
	if t.Mode == modeWorkers {
		return fmt.Sprintf("worker %d", id)
	}
	return fmt.Sprintf("goroutine %d", id)
}

// onKey handles the timeline's keys when it or a span has the focus.
func (t *timeline) onKey(ctx app.Context, e app.Event) {
	switch e.Get("key").String() {
	case "+", "=":
		t.zoomAt(2, -1)
	case "-", "_":
		t.zoomAt(0.5, -1)
	case "0":
		t.reset()
	case "ArrowLeft":
		t.pan(-0.25)
	case "ArrowRight":
		t.pan(0.25)
	}
}

// spanIndex reads the span index a pointer or focus event is about.
func spanIndex(e app.Event) int {
	for el := e.Get("target"); el.Truthy(); el = el.Get("parentNode") {
		if el.Get("getAttribute").Truthy() {
			if v := el.Call("getAttribute", "data-i"); v.Truthy() {
				i, err := strconv.Atoi(v.String())
				if err == nil {
					return i
				}
			}
		}
		if el.Get("tagName").String() == "svg" {
			break
		}
	}
	return -1
}

func (t *timeline) onOver(ctx app.Context, e app.Event) {
	if t.drag {
		return
	}
	t.active = spanIndex(e)
}

func (t *timeline) onDown(ctx app.Context, e app.Event) {
	t.drag, t.dragX, t.dragV = true, e.Get("clientX").Float(), t.view
}

func (t *timeline) onMove(ctx app.Context, e app.Event) {
	if !t.drag {
		ctx.PreventUpdate()
		return
	}
	dx := e.Get("clientX").Float() - t.dragX
	t.view = t.dragV.Pan(-dx/max(t.plotWidth(), 1)*t.dragV.Width(), t.total())
}

func (t *timeline) onUp(ctx app.Context, e app.Event) { t.drag = false }

func (t *timeline) Render() app.UI {
	width := t.width
	if width <= 0 {
		width = 720
	}
	lay := timelineGeomLanes(t.Spans, t.view, width, t.Lanes)
	waits := laneWaits(t.Spans, t.Lanes, t.WallUS)
	title := "Timeline of the run"
	if t.Live {
		title = "Live progress of the run, one lane per " + strings.TrimSuffix(t.laneName(0), " 0")
	}
	desc := timelineSummary(t.Spans, t.laneName)
	for _, w := range waits {
		desc += " " + t.laneName(w.Lane) + ": " + w.Text(t.laneName) + "."
	}
	svg := timelineSVG(t.DOMID+"-svg", t.Spans, lay, t.laneName, title, desc, waits...)
	detail := "Hover over or focus a span to see its task, label and times."
	if t.active >= 0 && t.active < len(t.Spans) {
		detail = spanText(t.Spans[t.active], t.laneName)
	}
	var tip app.UI
	if t.active >= 0 && t.active < len(t.Spans) && !t.Live {
		for _, r := range lay.Rects {
			if r.Index == t.active {
				left := min(max(r.X, 0), max(lay.Frame.W-260, 0))
				tip = app.Div().Class("tl-tip").Aria("hidden", "true").
					Style("left", fmt.Sprintf("%.0fpx", left)).
					Style("top", fmt.Sprintf("%.0fpx", r.Y+r.H+6)).
					Text(detail)
				break
			}
		}
	}
	body := []app.UI{}
	if !t.Live {
		zoom := fmt.Sprintf("showing %s to %s of %s", charts.FormatMicros(t.view.T0), charts.FormatMicros(t.view.T1), charts.FormatMicros(t.total()))
		body = append(body, app.Div().Class("tl-tools").Aria("label", "Zoom and pan the timeline").Body(
			app.Button().Type("button").Class("btn-small").Title("Zoom in (+)").Aria("label", "Zoom in").Text("+").
				OnClick(func(ctx app.Context, e app.Event) { t.zoomAt(2, -1) }),
			app.Button().Type("button").Class("btn-small").Title("Zoom out (−)").Aria("label", "Zoom out").Text("−").
				OnClick(func(ctx app.Context, e app.Event) { t.zoomAt(0.5, -1) }),
			app.Button().Type("button").Class("btn-small").Title("Earlier (←)").Aria("label", "Pan earlier").Text("←").
				OnClick(func(ctx app.Context, e app.Event) { t.pan(-0.25) }),
			app.Button().Type("button").Class("btn-small").Title("Later (→)").Aria("label", "Pan later").Text("→").
				OnClick(func(ctx app.Context, e app.Event) { t.pan(0.25) }),
			app.Button().Type("button").Class("btn-small").Title("Whole run (0)").Text("Reset").
				Disabled(!t.view.Zoomed(t.total())).
				OnClick(func(ctx app.Context, e app.Event) { t.reset() }),
			app.Span().Class("tl-zoom").Text(zoom),
		))
	}
	layers := []app.UI{app.Raw(svg)}
	marks := ""
	if !t.Live {
		marks = marksSVG(t.DOMID+"-marks", t.Spans, lay, t.Mode, t.laneName)
	}
	if marks != "" {
		layers = append(layers, app.Raw(marks))
	}
	plot := app.Div().ID(t.DOMID + "-plot").Class("tl-plot").Body(append(layers, tip)...)
	if !t.Live {
		plot = plot.TabIndex(0).
			Aria("label", "Timeline. Keys: plus and minus zoom, arrows pan, 0 shows the whole run; Tab moves between spans.").
			OnKeyDown(t.onKey).
			On("mouseover", t.onOver).
			On("focusin", t.onOver).
			OnMouseLeave(func(ctx app.Context, e app.Event) { t.active, t.drag = -1, false }).
			On("pointerdown", t.onDown).
			On("pointermove", t.onMove).
			On("pointerup", t.onUp).
			On("pointercancel", t.onUp)
	}
	_, _, stalls := timelineMarks(t.Spans, t.Mode)
	body = append(body, plot, legend(t.Live, len(stalls) > 0))
	if text := marksText(t.Spans, t.Mode, t.laneName); text != "" && !t.Live {
		body = append(body, app.P().Class("tl-marks-text").Text(text))
	}
	if !t.Live {
		body = append(body, app.P().Class("tl-detail").Aria("live", "polite").Text(detail))
		if len(lay.Rects) > maxFocusable {
			body = append(body, app.P().Class("hint").Text(fmt.Sprintf("%s are shown: zoom in to reach single spans with the keyboard.", count(len(lay.Rects), "span"))))
		}
	}
	return app.Div().ID(t.DOMID).Class("timeline").Body(body...)
}

// legend explains the states' colours and patterns.
func legend(live, stalled bool) app.UI {
	items := []struct{ state, label string }{
		{"running", "running (on the CPU)"},
		{"waiting", "waiting (sleep or I/O: CPU free)"},
		{"blocked", "blocked (on another task)"},
		{"startup", "worker start-up"},
	}
	if stalled {
		items = append(items, struct{ state, label string }{"stalled", "stalled (ready, but another task holds the only thread)"})
	}
	return app.Ul().Class("legend").Aria("label", "Span states").Body(
		app.Range(items).Slice(func(i int) app.UI {
			return app.Li().Body(
				app.Span().Class("swatch", "st-"+items[i].state).Aria("hidden", "true"),
				app.Text(items[i].label),
			)
		}),
	)
}

// timelineSummary is the timeline's text alternative: lanes, spans, how
// lane time divides between the states, and how many tasks ran at once.
func timelineSummary(spans []workloads.Span, laneName func(int) string) string {
	if len(spans) == 0 {
		return "No spans yet."
	}
	lanes := map[int]bool{}
	dur := map[workloads.State]int64{}
	var total int64
	var active []charts.Interval
	tasks := map[int]bool{}
	for _, s := range spans {
		lanes[s.Lane] = true
		d := max(s.End-s.Start, 0)
		dur[s.State] += d
		total += d
		// A task is active when it is not blocked on another: under a
		// semaphore of K, at most K are.
		if (s.State == workloads.Running || s.State == workloads.Waiting) && s.Task >= 0 {
			active = append(active, charts.Interval{Start: float64(s.Start), End: float64(s.End)})
		}
		if s.Task >= 0 {
			tasks[s.Task] = true
		}
	}
	var parts []string
	for _, st := range []workloads.State{workloads.Running, workloads.Waiting, workloads.Blocked, workloads.Startup} {
		if dur[st] > 0 && total > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", st, 100*float64(dur[st])/float64(total)))
		}
	}
	ids := make([]int, 0, len(lanes))
	for id := range lanes {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	which := fmt.Sprintf("%s (%s to %s)", count(len(ids), "lane"), laneName(ids[0]), laneName(ids[len(ids)-1]))
	if len(ids) == 1 {
		which = fmt.Sprintf("1 lane (%s)", laneName(ids[0]))
	}
	return fmt.Sprintf("%s, %s, %s. Lane time: %s. At most %s active (running or waiting, not blocked) at the same instant.",
		which, count(len(tasks), "task"), count(len(spans), "span"), strings.Join(parts, ", "), countActive(charts.MaxOverlap(active)))
}
