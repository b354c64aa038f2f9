package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"conlab/wasm"
	"conlab/workloads"
)

// rawDuration matches Go's own duration text ("61.801ms"): a number
// glued to its unit.
var rawDuration = regexp.MustCompile(`[0-9](ns|µs|ms|s)\b`)

// The spawn lesson's chart groups runs by kind of child and draws start-up,
// first and second call; the speed-up chart is not drawn for it.
func TestSpawnChart(t *testing.T) {
	// Calls long enough for a browser's coarse clock (0.1 ms) to time.
	params := map[string]any{"children": int64(3), "work": int64(2_000_000), "kind": "goroutine", "compile": "once"}
	spans := map[string][]workloads.Span{}
	var recs []record
	for i, mode := range []Mode{modeNative, modeCooperative} {
		res, err := workloads.Run(context.Background(), workloads.Request{Workload: "spawn", Mode: workloads.Goroutines, Workers: 3, Params: params}, workloads.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rawDuration.MatchString(res.Check.Note) {
			t.Errorf("raw Go durations in the note: %q", res.Check.Note)
		}
		if mode == modeCooperative {
			res.Mode, res.Facts.Engine = wasm.Cooperative, "browser"
		} else {
			res.Facts.GOMAXPROCS = res.Workers
		}
		id := string(rune('a' + i))
		spans[id] = res.Spans
		res.Spans = nil
		recs = append(recs, record{ID: id, Mode: mode, Result: *res})
	}
	rows := spawnRows(recs, spans, params)
	if len(rows) != 2 || rows[0].Kind.Label != "goroutine (native)" || rows[1].Kind.Label != "goroutine (in the browser)" {
		t.Fatalf("rows %+v", rows)
	}
	for _, r := range rows {
		// A browser's clock may be too coarse to see a goroutine start.
		if r.Startup < 0 || r.Startup == 0 && r.Mode == modeNative || r.Cold <= 0 || r.Warm <= 0 || r.Children != 3 {
			t.Errorf("row %+v", r)
		}
	}
	// A native result decoded from JSON holds its numbers as float64.
	if !sameParam(map[string]any{"work": 1e6}, map[string]any{"work": int64(1_000_000)}, "work") {
		t.Error("1e+06 and 1000000 differ")
	}
	other := map[string]any{"children": int64(4), "work": int64(2_000_000)}
	if got := spawnRows(recs, spans, other); len(got) != 0 {
		t.Errorf("runs with other children were charted: %+v", got)
	}
	if got := spawnSVG("z", []spawnRow{{Kind: rows[1].Kind, Startup: 0, Cold: 5, Warm: 4}}, 700); !strings.Contains(got, "under a clock tick") || strings.Contains(got, ">0 µs<") {
		t.Errorf("a start-up the clock could not see reads as a time: %s", got)
	}
	svg := spawnSVG("s", rows, 700)
	mustContain(t, svg, "goroutine (native)", "goroutine (in the browser)", "sp-startup", "sp-cold", "sp-warm", "logarithmic")

	l := newTestLab(t, "/?workload=spawn&children=3&work=2000000&kind=goroutine")
	l.recs, l.spans = recs, spans
	doc := render(l.chartsSection())
	mustContain(t, doc, "chart-spawn", "Not yet measured with these children and job size: process (native)")
	mustContain(t, doc, "first and second call of the same job", "compiles bytes of its own", "first call is about as fast")
	mustNotContain(t, doc, "chart-speed", "Speed-up over the sequential run")
}

func TestSpawnKindOf(t *testing.T) {
	for _, c := range []struct {
		mode                Mode
		kind, compile, want string
	}{
		{modeNative, "process", "once", "process (native)"},
		{modeWorkers, "process", "each", "Web Worker compiling each time"},
		{modeCooperative, "process", "once", "Web Worker, module compiled once"},
		{modeNative, "goroutine", "each", "goroutine (native)"},
		{modeSequential, "goroutine", "once", "goroutine (in the browser)"},
	} {
		r := record{Mode: c.mode, Result: workloads.Result{Params: map[string]any{"kind": c.kind, "compile": c.compile}}}
		if got := spawnKindOf(r).Label; got != c.want {
			t.Errorf("%+v: %q", c, got)
		}
	}
}
