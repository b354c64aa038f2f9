package ui

import (
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"conlab/wasm"
	"conlab/workloads"
)

func parse(t *testing.T, query string) (View, []Problem) {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	return ParseView(q)
}

func TestParseViewValid(t *testing.T) {
	v, probs := parse(t, "workload=countdown&count=1000000&modes=workers,sequential&workers=4,1,2&autorun=1")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	want := View{
		Workload: "countdown",
		Params:   map[string]string{"count": "1000000"},
		Modes:    []Mode{"sequential", "workers"}, // display order
		Workers:  []int{1, 2, 4},
		Autorun:  true,
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("got %+v\nwant %+v", v, want)
	}
}

func TestParseViewDefaults(t *testing.T) {
	v, probs := parse(t, "")
	if len(probs) != 0 || v.Workload != "" || !slices.Equal(v.Modes, defaultModes) || !slices.Equal(v.Workers, defaultWorkers) || v.Autorun || v.Embed {
		t.Errorf("empty query: %+v %v", v, probs)
	}
	v, _ = parse(t, "workload=countdown&embed=1")
	if !v.Embed || v.Workload != "countdown" {
		t.Errorf("embed: %+v", v)
	}
}

// Every value the lab cannot use is reported with its key, never ignored.
func TestParseViewReportsProblems(t *testing.T) {
	cases := []struct {
		query, key, says string
	}{
		{"workload=nosuch", "workload", `unknown workload "nosuch"`},
		{"workload=countdown&modes=turbo", "modes", `unknown mode "turbo"`},
		{"workload=countdown&modes=", "modes", "no usable mode"},
		{"workload=countdown&workers=0", "workers", "worker count 0 is out of range"},
		{"workload=countdown&workers=65", "workers", "out of range; allowed: 1 to 64"},
		{"workload=countdown&workers=two", "workers", `"two" is not a whole number`},
		{"workload=countdown&count=0", "count", "out of range"},
		{"workload=countdown&count=lots", "count", "not a whole number"},
		{"workload=countdown&colour=red", "colour", `has no parameter "colour"`},
		{"colour=red", "colour", `unknown URL parameter "colour"`},
		{"workload=countdown&autorun=maybe", "autorun", "not understood"},
		{"workload=countdown&workload=sleep", "workload", "given 2 times"},
	}
	for _, c := range cases {
		_, probs := parse(t, c.query)
		found := false
		for _, p := range probs {
			if p.Key == c.key && strings.Contains(p.Msg, c.says) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: problems %v, want one on %q saying %q", c.query, probs, c.key, c.says)
		}
	}
	// The unusable values fall back to defaults; the rest is kept.
	v, _ := parse(t, "workload=countdown&modes=turbo,workers&workers=0,2")
	if !slices.Equal(v.Modes, []Mode{"workers"}) || !slices.Equal(v.Workers, []int{2}) {
		t.Errorf("usable values lost: %+v", v)
	}
	// An invalid parameter value is kept as typed, for the form to show.
	v, _ = parse(t, "workload=countdown&count=lots")
	if v.Params["count"] != "lots" {
		t.Errorf("invalid parameter value dropped: %+v", v.Params)
	}
}

// A mode the lesson cannot run in is reported with the lesson's reason
// when the link asks for it, and silently not offered when it is a default.
func TestParseViewUnsupportedMode(t *testing.T) {
	for _, w := range workloads.All() {
		for m, why := range wasm.Unsupported(w) {
			ui := Mode(m)
			if !validUIMode(ui) {
				continue
			}
			v, probs := parse(t, "workload="+w.ID+"&modes="+string(ui))
			if slices.Contains(v.Modes, ui) {
				t.Errorf("%s: unsupported mode %s kept", w.ID, ui)
			}
			if len(probs) == 0 || !strings.Contains(probs[0].Msg, why) {
				t.Errorf("%s/%s: problems %v lack the reason", w.ID, ui, probs)
			}
			v, probs = parse(t, "workload="+w.ID)
			if slices.Contains(v.Modes, ui) || len(probs) != 0 {
				t.Errorf("%s: default modes %v, problems %v", w.ID, v.Modes, probs)
			}
		}
	}
}

func TestEncodeView(t *testing.T) {
	v := View{Workload: "countdown", Params: map[string]string{"count": "5000"}, Modes: []Mode{"sequential", "workers"}, Workers: []int{1, 2}, Autorun: true}
	got := v.Encode()
	want := "?workload=countdown&count=5000&modes=sequential,workers&workers=1,2&autorun=1"
	if got != want {
		t.Errorf("Encode = %q\nwant     %q", got, want)
	}
	// Defaults are left out.
	d := View{Workload: "countdown", Params: map[string]string{"count": "1000000000"}, Modes: defaultModes, Workers: defaultWorkers}
	if got := d.Encode(); got != "?workload=countdown" {
		t.Errorf("defaults encode to %q", got)
	}
	if got := (View{Modes: defaultModes, Workers: defaultWorkers}).Encode(); got != "" {
		t.Errorf("catalog encodes to %q", got)
	}
	// Values that need escaping are escaped.
	e := View{Workload: "countdown", Params: map[string]string{"count": "1 000&x=1"}, Modes: defaultModes, Workers: defaultWorkers}
	if got := e.Encode(); !strings.Contains(got, "count=1+000%26x%3D1") {
		t.Errorf("escaping: %q", got)
	}
}

// Encoding then parsing gives the view back, for every lesson.
func TestViewRoundTrip(t *testing.T) {
	for _, w := range workloads.All() {
		params := map[string]string{}
		for _, p := range w.Params {
			if q, ok := w.Quick[p.Name]; ok {
				params[p.Name] = strings.TrimSpace(strings.ReplaceAll(strings.Trim(fmtAny(q), "\""), "\n", ""))
			}
		}
		var modes []Mode
		for _, m := range uiModes {
			if ok, _ := supportsMode(w, m); ok {
				modes = append(modes, m)
			}
		}
		in := View{Workload: w.ID, Params: params, Modes: modes, Workers: []int{2, 3}, Embed: true}
		q, err := url.ParseQuery(strings.TrimPrefix(in.Encode(), "?"))
		if err != nil {
			t.Fatal(err)
		}
		out, probs := ParseView(q)
		if len(probs) != 0 {
			t.Errorf("%s: %v", w.ID, probs)
		}
		for k, v := range params {
			if out.Params[k] != v && v != defaultRaw(*w.Param(k)) {
				t.Errorf("%s: param %s = %q, want %q", w.ID, k, out.Params[k], v)
			}
		}
		if !slices.Equal(out.Modes, modes) || !slices.Equal(out.Workers, in.Workers) || !out.Embed {
			t.Errorf("%s: round trip %+v -> %+v", w.ID, in, out)
		}
	}
}

// No workload may name a parameter like one of the URL's own keys.
func TestNoParamShadowsAReservedKey(t *testing.T) {
	for _, w := range workloads.All() {
		for _, p := range w.Params {
			if slices.Contains(reservedKeys, p.Name) {
				t.Errorf("%s: parameter %q collides with the URL key of the same name", w.ID, p.Name)
			}
		}
	}
}

func FuzzParseView(f *testing.F) {
	if runtime.GOOS == "js" {
		f.Skip("js/wasm cannot read the fuzz corpus folder")
	}
	for _, s := range []string{
		"workload=countdown&count=1000&modes=sequential,workers&workers=1,2,4&autorun=1",
		"workload=sleep&modes=cooperative&workers=64",
		"workload=x&y=z&workers=-1&modes=,,,",
		"embed=yes&autorun=0",
		"workload=countdown&count=1e9&workers=1,1,1",
		"workload=dbupdate&schedule=0.1*3~random:7", "workload=deadlock&schedule=1,0~stop", "schedule=0.x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		v, _ := ParseView(q)
		for _, n := range v.Workers {
			if n < 1 || n > workloads.MaxWorkers {
				t.Fatalf("worker count %d escaped validation", n)
			}
		}
		for _, m := range v.Modes {
			if !validUIMode(m) {
				t.Fatalf("mode %q escaped validation", m)
			}
		}
		// What the lab writes back, it reads back the same.
		q2, err := url.ParseQuery(strings.TrimPrefix(v.Encode(), "?"))
		if err != nil {
			t.Fatalf("Encode wrote an unparsable query %q: %v", v.Encode(), err)
		}
		v2, _ := ParseView(q2)
		if v2.Workload != v.Workload || !slices.Equal(v2.Modes, v.Modes) || !slices.Equal(v2.Workers, v.Workers) || v2.Embed != v.Embed || v2.Autorun != v.Autorun || v2.Schedule != v.Schedule {
			t.Fatalf("round trip changed the view: %+v -> %+v", v, v2)
		}
	})
}
