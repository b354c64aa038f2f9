package ui

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"conlab/wasm"
)

// chartSVG is the chart id's markup in doc, "" when there is none.
func chartSVG(doc, id string) string {
	i := strings.Index(doc, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(doc[:i], "<svg")
	end := strings.Index(doc[i:], "</svg>")
	return doc[start : i+end+len("</svg>")]
}

// uncached renders l as a lab with no cached charts would. (go-app
// writes attributes in map order: only the charts' markup, written as one
// string, compares whole.)
func uncached(l *lab) string {
	kept := l.charts
	l.charts = chartCache{}
	defer func() { l.charts = kept }()
	return render(l)
}

// The charts drawn from the cache are the charts drawn afresh after
// every change that shapes them: a new result, a cleared table, other
// parameters, another width, other core counts. A cache that never
// redrew would keep the first drawing through all of them.
func TestChartCacheRedraws(t *testing.T) {
	l := labWithResults(t, "/?workload=sumsquares&base=20000&numbers=8&modes=sequential,cooperative&workers=1,2&rounds=1")
	_, ctx := testEngine(t)
	same := func(step string) string {
		t.Helper()
		doc, want := render(l), uncached(l)
		for _, id := range []string{"chart-wall", "chart-speed"} {
			if chartSVG(doc, id) != chartSVG(want, id) {
				t.Fatalf("%s: the cached %s differs from the one drawn afresh", step, id)
			}
		}
		return doc
	}
	doc := same("first render")
	wall, speed := chartSVG(doc, "chart-wall"), chartSVG(doc, "chart-speed")
	if wall == "" || speed == "" {
		t.Fatalf("no charts after Run all: %s", doc)
	}
	if len(l.charts.entries) == 0 {
		t.Fatal("the charts were not cached")
	}
	entry := l.charts.data(l.chartsKey(l.recordedFor(), mustParams(t, l)), func() chartData {
		t.Fatal("an unchanged page built its charts' data again")
		return chartData{}
	})
	if got := entry.drawing("wall", "chart-wall", l.width("fig-wall"), func(string, chartData, float64) string {
		t.Fatal("an unchanged page drew its wall-time chart again")
		return ""
	}); got != wall {
		t.Fatal("the cached drawing is not the one on the page")
	}

	// A new result: cooperative × 4.
	params := mustParams(t, l)
	s := planOne(modeCooperative, 4)
	res, err := execSpec(context.Background(), s, l.w.ID, runParams(l.w, s.Mode, params), &fakeBrowser{}, "", nil, func(wasm.Progress) {})
	l.record(ctx, s, "set-2", res, err, "Chromium")
	doc = same("a new result")
	if chartSVG(doc, "chart-wall") == wall || chartSVG(doc, "chart-speed") == speed {
		t.Error("a new result left the charts as they were")
	}
	if !strings.Contains(chartSVG(doc, "chart-wall"), ">N = 4<") {
		t.Error("the wall-time chart has no group of 4 workers after a run at 4")
	}
	wall = chartSVG(doc, "chart-wall")

	// The newest result replaced in the same array (the lab does not do
	// this, but a drawing must not outlive its results if it ever did).
	l.recs = l.recs[:len(l.recs)-1]
	s = planOne(modeCooperative, 8)
	res, err = execSpec(context.Background(), s, l.w.ID, runParams(l.w, s.Mode, params), &fakeBrowser{}, "", nil, func(wasm.Progress) {})
	l.record(ctx, s, "set-3", res, err, "Chromium")
	doc = same("the newest result replaced")
	if w := chartSVG(doc, "chart-wall"); !strings.Contains(w, ">N = 8<") || strings.Contains(w, ">N = 4<") {
		t.Error("the wall-time chart kept the replaced result")
	}
	wall = chartSVG(doc, "chart-wall")

	// Another width.
	l.widths["fig-wall"] = 901
	doc = same("another width")
	if w := chartSVG(doc, "chart-wall"); w == wall || !strings.Contains(w, `width="901"`) {
		t.Error("the wall-time chart kept its width")
	}

	// Other core counts.
	l.facts.Cores, l.parallel, l.parK = 1, 1, 2
	doc = same("one core")
	l.facts.Cores, l.parallel, l.parK = 4, 3.9, 4
	doc2 := same("four cores")
	if chartSVG(doc, "chart-speed") == chartSVG(doc2, "chart-speed") {
		t.Error("the ideal line did not follow the cores")
	}

	// Other parameters: no runs with them.
	for i := range l.fields {
		if l.fields[i].Param.Name == "numbers" {
			l.fields[i].set("9")
		}
	}
	doc = same("other parameters")
	if chartSVG(doc, "chart-wall") != "" || !strings.Contains(doc, "No runs with these parameters yet") {
		t.Error("other parameters still show the charts of the runs of the first ones")
	}
	for i := range l.fields {
		if l.fields[i].Param.Name == "numbers" {
			l.fields[i].set("8")
		}
	}
	if chartSVG(same("the first parameters again"), "chart-wall") == "" {
		t.Error("the runs of the first parameters are not drawn again")
	}

	// Cleared.
	l.clearRecords(ctx)
	doc = same("cleared")
	if chartSVG(doc, "chart-wall") != "" {
		t.Error("cleared results still drawn")
	}
}

func mustParams(t *testing.T, l *lab) map[string]any {
	t.Helper()
	p, ok := l.currentParams()
	if !ok {
		t.Fatal("the form is not valid")
	}
	return p
}

// go-app compares a component's exported fields to decide whether it
// renders again, and a func field always differs: no component of the
// page may have one, or it renders with every render around it.
func TestComponentsHaveNoFuncFields(t *testing.T) {
	for _, c := range []any{resultsTable{}, timeline{}, meter{}, liveBox{}, embedButton{}, catalogNav{}, updateBanner{}} {
		typ := reflect.TypeOf(c)
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.IsExported() && !f.Anonymous && hasFunc(f.Type, 0) {
				t.Errorf("%s.%s (%s) holds a func: go-app would render the component every time", typ.Name(), f.Name, f.Type)
			}
		}
	}
}

func hasFunc(t reflect.Type, depth int) bool {
	if depth > 6 {
		return false
	}
	switch t.Kind() {
	case reflect.Func:
		return true
	case reflect.Slice, reflect.Array, reflect.Pointer, reflect.Map:
		return hasFunc(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() && hasFunc(t.Field(i).Type, depth+1) {
				return true
			}
		}
	}
	return false
}
