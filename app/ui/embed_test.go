package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestParseHostMessageRuns(t *testing.T) {
	for _, tc := range []struct {
		name, msg string
		id        string
		want      workloads.Request
	}{
		{"full", `{"type":"lab:run","id":7,"workload":"countdown","mode":"cooperative","workers":2,"params":{"count":1000}}`, `7`,
			workloads.Request{Workload: "countdown", Mode: wasm.Cooperative, Workers: 2}},
		{"defaults", `{"type":"lab:run","id":"a","workload":"sleep"}`, `"a"`,
			workloads.Request{Workload: "sleep", Mode: workloads.Sequential, Workers: 1}},
		{"workers mode", `{"type":"lab:run","id":"w","workload":"countdown","mode":"workers","workers":4,"timeout_ms":5000}`, `"w"`,
			workloads.Request{Workload: "countdown", Mode: wasm.Workers, Workers: 4, TimeoutMS: 5000}},
		{"no id still runs", `{"type":"lab:run","workload":"countdown","mode":"main"}`, ``,
			workloads.Request{Workload: "countdown", Mode: wasm.Main, Workers: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := ParseHostMessage([]byte(tc.msg))
			if m.Ignore || m.Err != nil || m.Run == nil {
				t.Fatalf("ParseHostMessage = %+v, want a run", m)
			}
			if string(m.ID) != tc.id {
				t.Errorf("id = %s, want %s", m.ID, tc.id)
			}
			got := *m.Run
			if got.Workload != tc.want.Workload || got.Mode != tc.want.Mode || got.Workers != tc.want.Workers {
				t.Errorf("request = %+v, want %+v", got, tc.want)
			}
			if tc.want.TimeoutMS != 0 && got.TimeoutMS != tc.want.TimeoutMS {
				t.Errorf("timeout = %d, want %d", got.TimeoutMS, tc.want.TimeoutMS)
			}
			// The request is the engine's normalised one: every parameter is set.
			if _, err := wasm.Prepare(got); err != nil {
				t.Errorf("the parsed request does not validate: %v", err)
			}
			if len(got.Params) == 0 {
				t.Errorf("params not filled with defaults: %v", got.Params)
			}
		})
	}
	m := ParseHostMessage([]byte(`{"type":"lab:run","id":1,"workload":"countdown","params":{"count":1234}}`))
	if m.Run == nil || fmt.Sprint(m.Run.Params["count"]) != "1234" {
		t.Errorf("params: %+v", m.Run)
	}
}

func TestParseHostMessageIgnored(t *testing.T) {
	for _, msg := range []string{
		``, `not json`, `42`, `"lab:run"`, `[1,2]`, `null`, `{}`,
		`{"type":"webpack:hot","id":1}`,                                                      // another script's protocol
		`{"type":"lab:run","workload":"nope"}`,                                               // malformed, no id
		`{"type":"lab:frobnicate"}`,                                                          // unknown, no id
		`{"workload":"countdown"}`,                                                           // no type, no id
		`{"type":"lab:result","id":3,"ok":true}`,                                             // the lab's own answer, echoed
		`{"type":"lab:ready","id":3,"version":"x"}`,                                          // ditto
		`{"type":"lab:resize","id":3,"height":10}`,                                           // ditto
		`{"type":"lab:run","id":null,"workload":"nope"}`,                                     // a null id is no id
		`{"type":"lab:run","id":1,"workload":"` + strings.Repeat("x", MaxHostMessage) + `"}`, // too big
	} {
		if m := ParseHostMessage([]byte(msg)); !m.Ignore {
			t.Errorf("ParseHostMessage(%.60q) = %+v, want it ignored", msg, m)
		}
	}
}

func TestParseHostMessageErrors(t *testing.T) {
	for _, tc := range []struct {
		msg   string
		id    string
		field string // the ParamError's field, if one
		want  []string
	}{
		{`{"type":"lab:run","id":"x","workload":"nope"}`, `"x"`, "workload", []string{"nope"}},
		{`{"type":"lab:run","id":1,"workload":""}`, `1`, "workload", []string{"required", "countdown"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","mode":"warp"}`, `1`, "mode", []string{"warp", "cooperative"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","mode":"goroutines"}`, `1`, "mode", []string{"native"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","workers":0}`, `1`, "workers", []string{"1 to 64"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","workers":65}`, `1`, "workers", []string{"65", "1 to 64"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","workers":2.5}`, `1`, "", []string{"workers", "whole number"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","workers":"2"}`, `1`, "", []string{"workers"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","param":{"count":5}}`, `1`, "", []string{`unknown field "param"`, "params"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","params":[1]}`, `1`, "", []string{"params", "object"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","params":{"count":-5}}`, `1`, "count", []string{"count"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","params":{"bogus":1}}`, `1`, "bogus", []string{"bogus"}},
		{`{"type":"lab:run","id":1,"workload":"countdown","timeout_ms":-1}`, `1`, "timeout_ms", []string{"timeout_ms"}},
		{`{"type":"lab:stop","id":"s"}`, `"s"`, "", []string{"lab:stop", "lab:run"}},
		{`{"id":5,"workload":"countdown"}`, `5`, "", []string{"no type"}},
		{`{"type":7,"id":5}`, `5`, "", []string{"no type"}},
		{`{"type":"lab:run","id":{"a":1},"workload":"countdown"}`, `null`, "", []string{"id must be"}},
		{`{"type":"lab:run","id":true,"workload":"countdown"}`, `null`, "", []string{"id must be"}},
		{`{"type":"lab:run","id":"` + strings.Repeat("i", 300) + `","workload":"countdown"}`, `null`, "", []string{"at most 256"}},
	} {
		m := ParseHostMessage([]byte(tc.msg))
		if m.Ignore || m.Err == nil || m.Run != nil {
			t.Errorf("ParseHostMessage(%.80s) = %+v, want an error to answer", tc.msg, m)
			continue
		}
		if string(m.ID) != tc.id {
			t.Errorf("%.80s: id %s, want %s", tc.msg, m.ID, tc.id)
		}
		for _, w := range tc.want {
			if !strings.Contains(m.Err.Error(), w) {
				t.Errorf("%.80s: error %q lacks %q", tc.msg, m.Err, w)
			}
		}
		var pe *workloads.ParamError
		if tc.field != "" && (!errors.As(m.Err, &pe) || pe.Field != tc.field) {
			t.Errorf("%.80s: error %#v does not name field %q", tc.msg, m.Err, tc.field)
		}
		// The answer is a well-formed lab:result.
		var ans struct {
			Type  string          `json:"type"`
			ID    json.RawMessage `json:"id"`
			OK    bool            `json:"ok"`
			Error string          `json:"error"`
			Field string          `json:"field"`
		}
		if err := json.Unmarshal(ResultMessage(m.ID, nil, m.Err), &ans); err != nil {
			t.Fatal(err)
		}
		if ans.Type != MsgResult || ans.OK || ans.Error == "" || string(ans.ID) != tc.id || ans.Field != tc.field {
			t.Errorf("%.80s: answer %+v", tc.msg, ans)
		}
	}
}

func TestResultMessage(t *testing.T) {
	res := &workloads.Result{Workload: "countdown", Mode: wasm.Cooperative, Workers: 2, WallUS: 1234,
		Check: workloads.Check{Value: "0", Expected: "0", OK: true}}
	var ok struct {
		Type   string            `json:"type"`
		ID     string            `json:"id"`
		OK     bool              `json:"ok"`
		Error  *string           `json:"error"`
		Result *workloads.Result `json:"result"`
	}
	if err := json.Unmarshal(ResultMessage(json.RawMessage(`"r1"`), res, nil), &ok); err != nil {
		t.Fatal(err)
	}
	if ok.Type != MsgResult || ok.ID != "r1" || !ok.OK || ok.Error != nil || ok.Result == nil || ok.Result.WallUS != 1234 || !ok.Result.Check.OK {
		t.Errorf("ok answer: %+v", ok)
	}
	// A run that started and failed: the error, and the result with it.
	failed := &workloads.Result{Workload: "deadlock", Error: "deadlock", Stuck: []workloads.StuckTask{{Task: 0, Label: "waits for task 1"}}}
	var bad map[string]any
	if err := json.Unmarshal(ResultMessage(nil, failed, errors.New("deadlock: tasks 0 and 1 wait for each other")), &bad); err != nil {
		t.Fatal(err)
	}
	if bad["ok"] != false || bad["id"] != nil || !strings.Contains(fmt.Sprint(bad["error"]), "deadlock") || bad["result"] == nil {
		t.Errorf("failed answer: %v", bad)
	}
	if _, has := bad["id"]; !has {
		t.Errorf("the answer must carry id (null): %v", bad)
	}
	var none map[string]any
	_ = json.Unmarshal(ResultMessage(json.RawMessage(`3`), nil, nil), &none)
	if none["ok"] != false || none["error"] == "" {
		t.Errorf("a nil result must not be ok: %v", none)
	}
}

func TestReadyResizeOfflineMessages(t *testing.T) {
	for _, tc := range []struct {
		got  []byte
		want string
	}{
		{ReadyMessage("v1", ""), `{"type":"lab:ready","version":"v1"}`},
		{ReadyMessage("v1", "no workers"), `{"error":"no workers","type":"lab:ready","version":"v1"}`},
		{ResizeMessage(640), `{"height":640,"type":"lab:resize"}`},
		{ResizeMessage(-3), `{"height":0,"type":"lab:resize"}`},
		{OfflineMessage(), `{"type":"lab:offline"}`},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

func TestEmbedSnippet(t *testing.T) {
	page, _ := url.Parse("https://school.example/course/week3/lab/?workers=1,2&workload=countdown&count=5000&autorun=1#results")
	got := EmbedURL(page)
	want := "https://school.example/course/week3/lab/?workload=countdown&count=5000&embed=1&workers=1%2C2"
	if got != want {
		t.Errorf("EmbedURL = %s\nwant      %s", got, want)
	}
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	v, probs := ParseView(u.Query())
	if len(probs) != 0 || !v.Embed || v.Autorun || v.Workload != "countdown" || v.Params["count"] != "5000" {
		t.Errorf("the embed URL does not reproduce the view: %+v %v", v, probs)
	}
	s := EmbedSnippet(page, `Count "down" <fast>`)
	for _, w := range []string{
		`<iframe src="https://school.example/course/week3/lab/?workload=countdown&amp;count=5000&amp;embed=1&amp;workers=1%2C2"`,
		`title="conlab: Count &#34;down&#34; &lt;fast&gt;"`,
		`height="760"`, `loading="lazy"`, `</iframe>`,
	} {
		if !strings.Contains(s, w) {
			t.Errorf("snippet %s\nlacks %s", s, w)
		}
	}
}

func TestEmbedButtonRenders(t *testing.T) {
	b := &embedButton{Title: "Count down"}
	closed := app.HTMLString(b)
	if !strings.Contains(closed, `aria-expanded="false"`) || strings.Contains(closed, "embed-snippet") {
		t.Errorf("closed button: %s", closed)
	}
	b.open, b.snippet = true, `<iframe src="x"></iframe>`
	open := app.HTMLString(b)
	// go-app writes an attribute valued "true" bare in HTML; the browser
	// build sets aria-expanded="true".
	if strings.Contains(open, `aria-expanded="false"`) || !strings.Contains(open, "aria-expanded") {
		t.Errorf("open panel: aria-expanded not true: %s", open)
	}
	for _, w := range []string{`id="embed-snippet"`, `iframe src=`, "lab:run"} {
		if !strings.Contains(open, w) {
			t.Errorf("open panel lacks %q: %s", w, open)
		}
	}
}

func TestUpdateBannerRenders(t *testing.T) {
	b := &updateBanner{}
	if s := app.HTMLString(b); strings.Contains(s, "update-banner") || !strings.Contains(s, `role="status"`) {
		t.Errorf("no update: %s", s)
	}
	b.ready = true
	s := app.HTMLString(b)
	for _, w := range []string{"A new version of the lab is ready", `id="update-reload"`, "Reload"} {
		if !strings.Contains(s, w) {
			t.Errorf("banner lacks %q: %s", w, s)
		}
	}
	var _ app.AppUpdater = b
}

func FuzzParseHostMessage(f *testing.F) {
	if runtime.GOOS == "js" {
		f.Skip("js/wasm cannot read the fuzz corpus folder")
	}
	for _, s := range []string{
		`{"type":"lab:run","id":1,"workload":"countdown","mode":"cooperative","workers":2,"params":{"count":1000}}`,
		`{"type":"lab:run","id":"x","workload":"sleep","params":{"unit":1e300}}`,
		`{"type":"lab:run","id":[1],"workload":"countdown"}`,
		`{"type":"lab:nope","id":2}`,
		`{"id":3}`, `{"type":"x"}`, `[]`, `"str"`, `{"type":"lab:run","id":1,"workers":-1,"workload":"countdown"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := ParseHostMessage(b)
		switch {
		case m.Ignore:
			if m.Run != nil || m.Err != nil {
				t.Fatalf("ignored yet %+v", m)
			}
		case m.Err != nil:
			if m.Run != nil || !json.Valid(m.ID) {
				t.Fatalf("error %v with run %v or bad id %q", m.Err, m.Run, m.ID)
			}
			if !json.Valid(ResultMessage(m.ID, nil, m.Err)) {
				t.Fatalf("invalid answer for %q", b)
			}
		default:
			if m.Run == nil {
				t.Fatalf("neither ignored, nor an error, nor a run: %q", b)
			}
			if _, err := wasm.Prepare(*m.Run); err != nil {
				t.Fatalf("accepted a request that does not validate: %v", err)
			}
			if m.ID != nil && !json.Valid(m.ID) {
				t.Fatalf("bad id %q", m.ID)
			}
		}
	})
}

func ExampleParseHostMessage() {
	m := ParseHostMessage([]byte(`{"type":"lab:run","id":1,"workload":"countdown","mode":"warp"}`))
	fmt.Println(string(ResultMessage(m.ID, nil, m.Err)))
	// Output: {"type":"lab:result","id":1,"ok":false,"error":"mode \"warp\" is not a browser mode; use one of sequential, cooperative, workers, main","field":"mode"}
}

// Finding 9 of the hostile-load probe: the decoder took "WORKERS" for
// workers, and the last of two "workers".
func TestParseHostMessageStrictFields(t *testing.T) {
	for _, tc := range []struct {
		msg, field string
		want       []string
	}{
		{`{"type":"lab:run","id":1,"workload":"sleep","WORKERS":3}`, "WORKERS", []string{`unknown field "WORKERS"`, `did you mean "workers"`}},
		{`{"type":"lab:run","id":1,"Workload":"sleep"}`, "Workload", []string{`"Workload"`, "case-sensitive"}},
		{`{"type":"lab:run","id":1,"workload":"sleep","workers":70,"workers":2}`, "workers", []string{`"workers" appears twice`}},
		{`{"type":"lab:run","id":1,"workload":"countdown","params":{"count":5,"count":6}}`, "count", []string{"params", `"count" appears twice`}},
		{`{"type":"lab:cancel","id":1,"workload":"countdown"}`, "workload", []string{`unknown field "workload"`}},
	} {
		m := ParseHostMessage([]byte(tc.msg))
		if m.Ignore || m.Err == nil || m.Run != nil || m.Cancel {
			t.Errorf("ParseHostMessage(%s) = %+v, want an error", tc.msg, m)
			continue
		}
		if !strings.Contains(m.Err.Error(), `"`+tc.field+`"`) {
			t.Errorf("%s: error %v does not name field %q", tc.msg, m.Err, tc.field)
		}
		for _, w := range tc.want {
			if !strings.Contains(m.Err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.msg, m.Err, w)
			}
		}
	}
}

func TestParseHostMessageCancel(t *testing.T) {
	m := ParseHostMessage([]byte(`{"type":"lab:cancel","id":"run-7"}`))
	if !m.Cancel || m.Err != nil || m.Ignore || string(m.ID) != `"run-7"` || m.Run != nil {
		t.Errorf("lab:cancel = %+v", m)
	}
	// No id: nothing to cancel, nothing to answer.
	if m := ParseHostMessage([]byte(`{"type":"lab:cancel"}`)); !m.Ignore {
		t.Errorf("lab:cancel without an id = %+v, want it ignored", m)
	}
}

// Finding 8: NaN and Infinity became null in JSON.stringify, so workers:
// NaN ran with 1 worker and id: NaN got no answer.
func TestNonFiniteMessage(t *testing.T) {
	// The message as JSON.stringify wrote it, NaN and Infinity as null.
	m := NonFiniteMessage([]byte(`{"type":"lab:run","id":3,"workload":"countdown","mode":"workers","workers":null}`), "workers", "NaN")
	var pe *workloads.ParamError
	if m.Ignore || m.Run != nil || !errors.As(m.Err, &pe) || pe.Field != "workers" || string(m.ID) != "3" || !strings.Contains(m.Err.Error(), "NaN") {
		t.Errorf("workers NaN: %+v (%v)", m, m.Err)
	}
	m = NonFiniteMessage([]byte(`{"type":"lab:run","id":"a","workload":"countdown","params":{"count":null}}`), "params.count", "Infinity")
	if !errors.As(m.Err, &pe) || pe.Field != "count" || !strings.Contains(m.Err.Error(), "params.count: Infinity") {
		t.Errorf("params.count Infinity: %+v (%v)", m, m.Err)
	}
	m = NonFiniteMessage([]byte(`{"type":"lab:run","id":null,"workload":"countdown"}`), "id", "NaN")
	if m.Ignore || string(m.ID) != "null" || m.Err == nil || !strings.Contains(m.Err.Error(), "finite number") {
		t.Errorf("id NaN: %+v, want an error answered with id null", m)
	}
	if m := NonFiniteMessage([]byte(`{"type":"other","id":null}`), "id", "NaN"); !m.Ignore {
		t.Errorf("another script's message: %+v, want it ignored", m)
	}
	if m := NonFiniteMessage([]byte(`{"type":"lab:run","workload":"countdown","workers":null}`), "workers", "NaN"); !m.Ignore {
		t.Errorf("no id to answer: %+v, want it ignored", m)
	}
}
