package ui

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"conlab/workloads"
)

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func rec(id string, sec int, mode string, workers int, wallUS int64, params map[string]any) record {
	r := workloads.Result{
		Workload: "countdown", Mode: workloads.Mode(mode), Workers: workers, Params: params, WallUS: wallUS,
		Check: workloads.Check{Value: "1000", Expected: "1000", OK: true, Note: "every decrement was done"},
		Facts: workloads.Facts{Engine: "wasm-worker", GOOS: "js", GOARCH: "wasm", Browser: "Chromium 156"},
	}
	ui := Mode(mode)
	if mode == "goroutines" || strings.HasPrefix(id, "n") {
		r.Facts.Engine = "native"
		r.Facts.GOMAXPROCS = workers
		ui = modeNative
	}
	return record{ID: id, At: t0.Add(time.Duration(sec) * time.Second), Mode: ui, Result: r}
}

func TestSpeedups(t *testing.T) {
	p1 := map[string]any{"count": int64(1000)}
	p2 := map[string]any{"count": float64(1000)} // as it comes back from JSON
	p3 := map[string]any{"count": int64(2000)}
	recs := []record{
		rec("a", 0, "sequential", 1, 1000, p1),
		rec("b", 1, "workers", 2, 500, p2),
		rec("c", 2, "workers", 4, 400, p3), // other params: no baseline
		rec("d", 3, "sequential", 1, 800, p1),
		rec("e", 4, "cooperative", 2, 1000, p1),
		rec("n1", 5, "sequential", 1, 100, p1), // native sequential
		rec("n2", 6, "goroutines", 2, 50, p1),
	}
	failed := rec("f", 7, "workers", 2, 10, p1)
	failed.Result.Error = "deadlock"
	recs = append(recs, failed)
	sp := speedups(recs)
	want := map[string]float64{"a": 1, "b": 2, "d": 1, "e": 0.8, "n1": 1, "n2": 2}
	for id, v := range want {
		if got, ok := sp[id]; !ok || got != v {
			t.Errorf("speed-up of %s = %v (%v), want %v", id, got, ok, v)
		}
	}
	for _, id := range []string{"c", "f"} {
		if _, ok := sp[id]; ok {
			t.Errorf("%s has a speed-up; it has no baseline or failed", id)
		}
	}
	// A run before any baseline is measured against the first one after.
	early := rec("z", -5, "workers", 2, 250, p1)
	if got := speedups(append(recs, early))["z"]; got != 4 {
		t.Errorf("early run speed-up %v, want 4 (against the first baseline)", got)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	_, ctx := testEngine(t)
	st := ctx.LocalStorage()
	r := rec("a", 0, "sequential", 1, 1000, map[string]any{"count": int64(1000)})
	r.Result.Spans = []workloads.Span{{Lane: 0, Task: 0, Label: "x", State: workloads.Running, Start: 0, End: 5}}
	if err := st.Set(storageKey, storable([]record{r})); err != nil {
		t.Fatal(err)
	}
	got, err := loadRecords(st.Get)
	if err != nil || len(got) != 1 {
		t.Fatalf("load: %v %v", got, err)
	}
	if got[0].ID != "a" || got[0].Result.WallUS != 1000 || len(got[0].Result.Spans) != 0 || !got[0].At.Equal(r.At) {
		t.Errorf("stored record %+v (spans must not be stored)", got[0])
	}
	if len(r.Result.Spans) != 1 {
		t.Error("storable changed the caller's record")
	}
	// Garbage in storage is reported, not a crash; rows without ids are dropped.
	st.Set(storageKey, "not a list")
	if _, err := loadRecords(st.Get); err == nil || !strings.Contains(err.Error(), "could not be read") {
		t.Errorf("garbage: %v", err)
	}
	st.Set(storageKey, []map[string]any{{"id": "", "result": map[string]any{"workload": "countdown"}}, {"id": "ok", "result": map[string]any{"workload": "countdown"}}})
	if got, err := loadRecords(st.Get); err != nil || len(got) != 1 || got[0].ID != "ok" {
		t.Errorf("partial rows: %v %v", got, err)
	}
	if got, err := loadRecords(func(string, any) error { return errors.New("quota") }); err == nil || got != nil {
		t.Errorf("storage error: %v %v", got, err)
	}
	many := make([]record, maxRecords+10)
	for i := range many {
		many[i] = rec(string(rune('a'+i%26))+strings.Repeat("x", i%5), i, "sequential", 1, 1, nil)
	}
	if s := storable(many); len(s) != maxRecords || s[0].At != many[10].At {
		t.Errorf("storable keeps the newest %d: got %d starting %v", maxRecords, len(s), s[0].At)
	}
}

func TestExportCSV(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	a := rec("a", 0, "sequential", 1, 1500, p)
	b := rec("b", 1, "workers", 2, 750, p)
	b.Result.StartupUS = 120
	c := rec("c", 2, "workers", 2, 10, p)
	c.Result.Error = "=HYPERLINK(\"x\") deadlock"
	out, err := exportCSV([]record{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("rows %v", rows)
	}
	col := func(name string) int {
		for i, h := range csvHeader {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	if got := rows[2][col("wall_ms")]; got != "0.750" {
		t.Errorf("wall_ms %q", got)
	}
	if got := rows[2][col("startup_ms")]; got != "0.120" {
		t.Errorf("startup_ms %q", got)
	}
	if got := rows[2][col("speedup")]; got != "2.000" {
		t.Errorf("speedup %q", got)
	}
	if got := rows[2][col("params")]; got != "count=1000" {
		t.Errorf("params %q", got)
	}
	if got := rows[3][col("check_ok")]; got != "false" {
		t.Errorf("failed run check_ok %q", got)
	}
	if got := rows[3][col("error")]; !strings.HasPrefix(got, "'=") {
		t.Errorf("a formula-like cell must be defused: %q", got)
	}
	if got := rows[1][col("browser")]; got != "Chromium 156" {
		t.Errorf("browser %q", got)
	}
}

func TestExportJSON(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	a := rec("a", 0, "sequential", 1, 1500, p)
	b := rec("b", 1, "workers", 3, 500, p)
	spans := map[string][]workloads.Span{"b": {{Lane: 2, Task: 1, Label: "count down 333", State: workloads.Running, Start: 3, End: 400}}}
	out, err := exportJSON([]record{a, b}, spans, t0)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Exported time.Time `json:"exported"`
		Results  []struct {
			ID      string           `json:"id"`
			Mode    string           `json:"mode"`
			Speedup *float64         `json:"speedup"`
			Result  workloads.Result `json:"result"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if !doc.Exported.Equal(t0) || len(doc.Results) != 2 {
		t.Fatalf("doc %+v", doc)
	}
	got := doc.Results[1]
	if got.ID != "b" || got.Speedup == nil || *got.Speedup != 3 || len(got.Result.Spans) != 1 || got.Result.Spans[0].Lane != 2 || got.Result.Workers != 3 {
		t.Errorf("exported %+v", got)
	}
	empty, _ := exportJSON(nil, nil, t0)
	if !strings.Contains(string(empty), `"results": []`) {
		t.Errorf("empty export %s", empty)
	}
}

// The results table lists the lesson's runs, newest first, with speed-up,
// check and environment, and compares the runs a student selects.
func TestResultsTable(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	a := rec("a", 0, "sequential", 1, 1500, p)
	b := rec("b", 1, "workers", 2, 750, p)
	other := rec("o", 2, "sequential", 1, 10, p)
	other.Result.Workload = "sleep"
	failed := rec("f", 3, "cooperative", 2, 0, p)
	failed.Result.Error = "the run exceeded its deadline"
	stuck := rec("s", 4, "cooperative", 2, 0, p)
	stuck.Result.Error = "deadlock: no progress for 1.00 s"
	stuck.Result.Stuck = []workloads.StuckTask{{Task: 0, Lane: 0, Label: "wait for B"}}
	tb := &resultsTable{Records: []record{a, b, other, failed, stuck}, Workload: "countdown", HasSpans: map[string]bool{"b": true}}
	doc := render(tb)
	mustContain(t, doc, "4 runs of this lesson", ">Speed-up</th>", "2.00×", "✓ 1,000", "✗ error", "exceeded its deadline", "✗ deadlock", "deadlock: no progress", "Chromium 156, wasm-worker", `data-id="b"`)
	mustNotContain(t, doc, `data-id="o"`, "Comparison", ">Workload</th>")
	if strings.Index(doc, `data-id="f"`) > strings.Index(doc, `data-id="a"`) {
		t.Error("rows are not newest first")
	}
	if n := strings.Count(doc, ">timeline<"); n != 1 {
		t.Errorf("%d timeline buttons, want 1 (only runs with spans)", n)
	}
	tb.all = true
	mustContain(t, render(tb), `data-id="o"`, "5 runs of every lesson", ">Workload</th>")

	tb.toggle("a")
	tb.toggle("b")
	doc = render(tb)
	mustContain(t, doc, "Comparison", "fastest", "2.00× slower")
	tb.toggle("b")
	mustNotContain(t, render(tb), "Comparison")

	empty := render(&resultsTable{Workload: "countdown"})
	mustContain(t, empty, "No runs yet")
	if !boolAttr(tagBefore(empty, "Export CSV"), "disabled") || !boolAttr(tagBefore(empty, "Clear"), "disabled") {
		t.Error("export or clear enabled with no results")
	}
}

func TestCheckTimeText(t *testing.T) {
	r := rec("a", 0, "sequential", 1, 40_000, nil)
	if got := checkTimeText(r); got != "" {
		t.Errorf("no check time: got %q", got)
	}
	r.Result.CheckUS = 25_000
	if got := checkTimeText(r); !strings.Contains(got, "25") || !strings.Contains(got, "not timed") {
		t.Errorf("a 25 ms check: got %q", got)
	}
}

// stepRec is a finished step-by-step run: its clock counts steps.
func stepRec(id string, sec int, steps int64, params map[string]any) record {
	r := rec(id, sec, "cooperative", 2, steps*workloads.StepUS, params)
	r.Result.Schedule, r.Result.Outcome = "0.1.0.0.1.1", workloads.OutcomeLostUpdate
	r.Result.Check = workloads.Check{Value: "1", Expected: "2", Note: "an update was lost"}
	r.Result.Steps = []workloads.Step{{Lane: 0, What: "task 0: read x = 0"}}
	return r
}

// A stepped run is a row of the results with its schedule and outcome,
// in both exports, but its clock counts steps: it has no speed-up, is not
// compared with timed runs and stays off the charts.
func TestSteppedRunInResults(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	a := rec("a", 0, "sequential", 1, 1500, p)
	s := stepRec("s", 1, 6, p)
	s.Prediction = "x = 1"
	b := rec("b", 2, "cooperative", 2, 750, p)
	recs := []record{a, s, b}

	if sp := speedups(recs); sp["b"] != 2 {
		t.Errorf("timed run's speed-up %v, want 2", sp["b"])
	} else if v, ok := sp["s"]; ok {
		t.Errorf("a stepped run has a speed-up %v", v)
	}
	seqStep := stepRec("q", 3, 6, p)
	seqStep.Result.Mode = workloads.Sequential
	if sp := speedups([]record{seqStep, b}); len(sp) != 0 {
		t.Errorf("a stepped sequential run served as a baseline: %v", sp)
	}
	d := buildChartData(recs, nil, "countdown", p, 2)
	if w := d.Wall[runKey{serCooperative, 2}]; w != 750 {
		t.Errorf("cooperative × 2 drawn at %v µs, want the timed run's 750 (the stepped run is off the charts)", w)
	}
	if cmp := compareRecords(recs, map[string]bool{"s": true, "b": true, "a": true}); len(cmp) != 2 {
		t.Errorf("compared %d runs, want the 2 timed ones", len(cmp))
	}

	out, err := exportCSV(recs)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("CSV %v %v", rows, err)
	}
	cell := func(row int, name string) string {
		for i, h := range rows[0] {
			if h == name {
				return rows[row][i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	for name, want := range map[string]string{"wall_ms": "", "speedup": "", "steps": "6", "schedule": "0.1.0.0.1.1",
		"outcome": "lost-update", "prediction": "x = 1", "check_ok": "false", "value": "1"} {
		if got := cell(2, name); got != want {
			t.Errorf("stepped run's %s = %q, want %q", name, got, want)
		}
	}
	if cell(3, "wall_ms") != "0.750" || cell(3, "steps") != "" || cell(3, "schedule") != "" {
		t.Errorf("timed run: wall_ms %q steps %q schedule %q", cell(3, "wall_ms"), cell(3, "steps"), cell(3, "schedule"))
	}

	js, err := exportJSON(recs, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []struct {
			ID         string           `json:"id"`
			Speedup    *float64         `json:"speedup"`
			Prediction string           `json:"prediction"`
			Result     workloads.Result `json:"result"`
		} `json:"results"`
	}
	if err := json.Unmarshal(js, &doc); err != nil || len(doc.Results) != 3 {
		t.Fatalf("JSON %v %s", err, js)
	}
	if g := doc.Results[1]; g.ID != "s" || g.Speedup != nil || g.Result.Schedule != "0.1.0.0.1.1" ||
		g.Result.Outcome != workloads.OutcomeLostUpdate || len(g.Result.Steps) != 1 || g.Prediction != "x = 1" {
		t.Errorf("stepped run exported as %+v", g)
	}

	// Stored without its steps, as without spans.
	if st := storable(recs); len(st[1].Result.Steps) != 0 || st[1].Result.Schedule == "" || len(recs[1].Result.Steps) != 1 {
		t.Errorf("stored %+v", st[1].Result)
	}

	long := stepRec("l", 4, 9000, p)
	long.Result.Schedule = strings.Repeat("0.1.", 100) + "~rr"
	tb := &resultsTable{Records: append(recs, long), Workload: "countdown"}
	tb.toggle("s")
	tb.toggle("b")
	html := render(tb)
	mustContain(t, html, "6 steps (times in steps, not ms)", "step by step (lost-update): schedule 0.1.0.0.1.1",
		"9,000 steps (times in steps, not ms)", "schedule "+strings.Repeat("0.1.", 10)+"…", "you predicted: x = 1")
	mustNotContain(t, html, "Comparison")
}
