package ui

import (
	"strings"
	"testing"

	"conlab/workloads"
)

func countdown(t *testing.T) *workloads.Workload {
	t.Helper()
	w, err := workloads.Lookup("countdown")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestFieldValidation(t *testing.T) {
	w := countdown(t)
	fs := newFields(w, nil)
	if len(fs) != len(w.Params) || !formValid(fs) {
		t.Fatalf("defaults must be valid: %+v", fs)
	}
	if fs[0].Raw != "1000000000" {
		t.Errorf("default shown as %q", fs[0].Raw)
	}
	cases := []struct {
		raw, says string
	}{
		{"", "required"},
		{"  ", "required"},
		{"0", "out of range"},
		{"20000000001", "out of range"},
		{"1.5", "not a whole number"},
		{"abc", "not a whole number"},
	}
	for _, c := range cases {
		f := fs[0]
		f.set(c.raw)
		if !strings.Contains(f.Err, c.says) || !strings.Contains(f.Err, "1 to 20,000,000,000") {
			t.Errorf("set(%q): error %q, want %q and the allowed range", c.raw, f.Err, c.says)
		}
		if formValid([]field{f}) {
			t.Errorf("set(%q): form still valid", c.raw)
		}
		if _, ok := formParams([]field{f}); ok {
			t.Errorf("set(%q): params from an invalid form", c.raw)
		}
	}
	f := fs[0]
	f.set("1_000")
	if f.Err != "" {
		t.Errorf("1_000: %q", f.Err)
	}
	p, ok := formParams([]field{f})
	if !ok || p["count"] != int64(1000) {
		t.Errorf("params %v", p)
	}
	if raw := formRaw([]field{f}); raw["count"] != "1_000" {
		t.Errorf("formRaw keeps what was typed: %v", raw)
	}
	if !isDefault(newFields(w, nil)) || isDefault([]field{f}) {
		t.Error("isDefault")
	}
}

// Bool and choice parameters validate with their own rules.
func TestFieldTypes(t *testing.T) {
	b := field{Param: workloads.BoolParam("yield", "Yield", false, "yield between read and write")}
	b.set("true")
	if b.Err != "" {
		t.Errorf("bool true: %q", b.Err)
	}
	b.set("perhaps")
	if !strings.Contains(b.Err, "true or false") {
		t.Errorf("bool perhaps: %q", b.Err)
	}
	c := field{Param: workloads.ChoiceParam("sync", "Sync", []string{"none", "mutex", "atomic"}, "how to synchronise")}
	c.set("mutex")
	if c.Err != "" {
		t.Errorf("choice mutex: %q", c.Err)
	}
	c.set("spinlock")
	if !strings.Contains(c.Err, "one of none, mutex, atomic") {
		t.Errorf("choice spinlock: %q", c.Err)
	}
	if got := defaultRaw(b.Param); got != "false" {
		t.Errorf("bool default %q", got)
	}
}

// Every count the page writes for a student is grouped in threes, with
// commas as the lessons' texts write them: a field's bounds and default,
// a run's check in the table and in the step-by-step view, a count of
// things.
func TestCountsAreGrouped(t *testing.T) {
	w, err := workloads.Lookup("countdown")
	if err != nil {
		t.Fatal(err)
	}
	if h := paramHint(w.Params[0]); !strings.Contains(h, "From 1 to 20,000,000,000; default ") {
		t.Errorf("paramHint = %q", h)
	}
	ok := record{Result: workloads.Result{Check: workloads.Check{Value: "10000000", Expected: "10000000", OK: true, Note: "every update counted"}}}
	if got, want := checkText(ok), "✓ 10,000,000 (every update counted)"; got != want {
		t.Errorf("checkText = %q, want %q", got, want)
	}
	lost := workloads.Result{Check: workloads.Check{Value: "8454856", Expected: "10000000", Note: "lost"}, Outcome: workloads.OutcomeLostUpdate}
	if got, want := checkText(record{Result: lost}), "✗ 8,454,856, expected 10,000,000 (lost)"; got != want {
		t.Errorf("checkText = %q, want %q", got, want)
	}
	mustContain(t, render(checkCell(record{Result: lost})), "✗ 8,454,856, expected 10,000,000")
	if got := stepOutcomeText(&lost); !strings.Contains(got, "the result is 8,454,856, not 10,000,000") {
		t.Errorf("stepOutcomeText = %q", got)
	}
	if got := count(20_000, "step"); got != "20,000 steps" {
		t.Errorf("count = %q", got)
	}
	params := map[string]any{"size": float64(4_000_000), "chunks": float64(8), "seed": float64(1), "method": "loop"}
	if got, want := paramsShown("multiply", params), paramsText("multiply", params); got == want || !strings.Contains(got, "size=4,000,000") {
		t.Errorf("paramsShown = %q (paramsText %q): want size=4,000,000 among them", got, want)
	}
	if got := paramsText("multiply", params); !strings.Contains(got, "size=4000000") {
		t.Errorf("paramsText = %q: a file's numbers stay plain", got)
	}
}

// The lesson page shows an invalid value's message at its field, marks the
// field invalid, and disables Run all with the reason.
func TestFormRendersErrorAndDisablesRun(t *testing.T) {
	ok := render(newTestLab(t, "/?workload=countdown&count=5000"))
	mustContain(t, ok, `id="param-count"`, `value="5000"`, `aria-invalid="false"`)
	mustNotContain(t, ok, `id="param-count-err"`, `id="run-why"`)
	if boolAttr(tag(ok, `id="run-all"`), "disabled") {
		t.Error("Run all disabled for a valid form")
	}

	bad := newTestLab(t, "/?workload=countdown&count=0")
	doc := render(bad)
	if !boolAttr(tag(doc, `id="param-count"`), "aria-invalid") {
		t.Errorf("field not marked invalid: %s", tag(doc, `id="param-count"`))
	}
	mustContain(t, doc, `id="param-count-err"`, "0 is out of range", `aria-describedby="param-count-err param-count-hint"`, "fix the parameters marked above")
	if !boolAttr(tag(doc, `id="run-all"`), "disabled") || !boolAttr(tag(doc, `id="run-one"`), "disabled") {
		t.Errorf("Run buttons enabled with an invalid value:\n%s\n%s", tag(doc, `id="run-all"`), tag(doc, `id="run-one"`))
	}
	// The link's problem is reported in the banner too.
	mustContain(t, doc, "This link had values the lab could not use")

	// Correcting the value clears the message and enables Run all.
	_, ctx := testEngine(t)
	bad.setParam(ctx, "count", "250")
	doc = render(bad)
	mustNotContain(t, doc, `id="param-count-err"`, "This link had values")
	if boolAttr(tag(doc, `id="run-all"`), "disabled") {
		t.Error("Run all still disabled after the fix")
	}
	if got := ctx.Page().URL().RawQuery; got != "workload=countdown&count=250" {
		t.Errorf("URL after the edit: %q", got)
	}
}

// tag returns the opening tag of the element with attribute attr.
func tag(doc, attr string) string {
	i := strings.Index(doc, attr)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(doc[:i], "<")
	end := strings.Index(doc[i:], ">")
	return doc[start : i+end+1]
}

// boolAttr reports whether the opening tag t sets the boolean attribute
// name: go-app writes a true one bare and a false one as name="false".
func boolAttr(t, name string) bool {
	for _, f := range strings.Fields(strings.Trim(t, "<>")) {
		if f == name || f == name+`="true"` {
			return true
		}
	}
	return false
}

// tagBefore returns the opening tag just before the text s.
func tagBefore(doc, s string) string {
	i := strings.Index(doc, s)
	if i < 0 {
		return ""
	}
	return doc[strings.LastIndex(doc[:i], "<"):i]
}

// A field's help writes its default as it writes its bounds: digits in
// groups of three.
func TestParamHintGroupsTheDefault(t *testing.T) {
	w, err := workloads.Lookup("countdown")
	if err != nil {
		t.Fatal(err)
	}
	p := w.Params[0]
	want := "default " + workloads.GroupDigits(p.Default.(int64)) + "."
	if h := paramHint(p); !strings.HasSuffix(h, want) || strings.Contains(h, "1000000") {
		t.Errorf("paramHint = %q, want it to end %q", h, want)
	}
	// A checkbox's default is off or on, not Go's false or true.
	c, err := workloads.Lookup("counter")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Params {
		if p.Type == workloads.Bool {
			if h := paramHint(p); !strings.HasSuffix(h, " Default: off.") {
				t.Errorf("%s: paramHint = %q, want it to end \" Default: off.\"", p.Name, h)
			}
		}
	}
	// A failed check's counts read in groups of three digits too.
	r := &workloads.Result{Check: workloads.Check{Value: "1545144", Expected: "10000000", Note: "lost"}}
	if got, want := failNote(r), "✗ 1,545,144, expected 10,000,000 (lost)"; got != want {
		t.Errorf("failNote = %q, want %q", got, want)
	}
	r.Check.Value, r.Check.Expected = "deadlock", "0012"
	if got := failNote(r); got != "✗ deadlock, expected 0012 (lost)" {
		t.Errorf("failNote = %q", got)
	}
}

// A mode's help is a phrase: the note that follows it starts a sentence
// of its own ("… GOMAXPROCS=N. Live from this lab's server …").
func TestModeNoteIsASentence(t *testing.T) {
	l := newTestLab(t, "/?workload=countdown")
	l.native = nativeInfo{Source: nativeLive, Machine: machine{NumCPU: 2}}
	doc := render(l.modeFieldset())
	mustContain(t, doc, "GOMAXPROCS=N.", "Live from this lab&#39;s server (2 cores).")
	mustNotContain(t, doc, "GOMAXPROCS=N Live")
}
