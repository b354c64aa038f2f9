//go:build js && wasm

package ui

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// These run in the browser (make test-wasm-browser): the host's side of
// the embedding API as a page's JavaScript sends it.

func jsEval(t *testing.T, src string) app.Value {
	t.Helper()
	return app.Window().Get("Function").New(src).Invoke()
}

// Finding 7 of the hostile-load probe: a 50 MB message grew the lab's
// memory from 11 to 112 MB, which never shrinks. Its size is now measured
// in JavaScript, before any copy.
func TestHugeMessageIsNotCopied(t *testing.T) {
	huge := jsEval(t, `return "x".repeat(50 * 1024 * 1024);`)
	obj := jsEval(t, `return {type: "lab:run", id: 1, workload: "x".repeat(50 * 1024 * 1024)};`)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, v := range []app.Value{huge, obj} {
		if _, _, ok := messageJSON(v); ok {
			t.Fatal("a 50 MB message was taken")
		}
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.Sys) - int64(before.Sys); grew > 8<<20 {
		t.Errorf("reading two 50 MB messages grew the program's memory by %d MB", grew>>20)
	}
	// A message within the limit is read.
	ok := jsEval(t, `return {type: "lab:run", id: 1, workload: "countdown"};`)
	if b, bad, fine := messageJSON(ok); !fine || bad != nil || !strings.Contains(string(b), "countdown") {
		t.Errorf("a small message: %s, %v, %v", b, bad, fine)
	}
}

// Finding 8: NaN and Infinity, which JSON.stringify writes as null.
func TestNonFiniteNumbersAreFound(t *testing.T) {
	for _, c := range []struct {
		src, path, value string
	}{
		{`return {type: "lab:run", id: 1, workload: "sleep", workers: NaN};`, "workers", "NaN"},
		{`return {type: "lab:run", id: NaN, workload: "sleep"};`, "id", "NaN"},
		{`return {type: "lab:run", id: 2, workload: "countdown", params: {count: -Infinity}};`, "params.count", "-Infinity"},
		{`return {type: "lab:run", id: 2, workload: "countdown", timeout_ms: Infinity};`, "timeout_ms", "Infinity"},
	} {
		data, bad, ok := messageJSON(jsEval(t, c.src))
		if !ok || bad == nil || bad.path != c.path || bad.value != c.value {
			t.Errorf("%s: %v %v, want %s = %s", c.src, bad, ok, c.path, c.value)
			continue
		}
		m := NonFiniteMessage(data, bad.path, bad.value)
		if m.Err == nil || m.Run != nil || m.Ignore {
			t.Errorf("%s: %+v, want an error to answer", c.src, m)
		}
		if c.path == "id" && string(m.ID) != "null" {
			t.Errorf("%s: answered with id %s, want null", c.src, m.ID)
		}
	}
}

// fakeHost is a host window: its postMessage keeps what the lab sent.
func fakeHost(t *testing.T) app.Value {
	return jsEval(t, `const h = {got: []}; h.postMessage = (m) => h.got.push(JSON.stringify(m)); return h;`)
}

// hostSaid returns the host's messages so far.
func hostSaid(host app.Value) []string {
	var out []string
	got := host.Get("got")
	for i := range got.Length() {
		out = append(out, got.Index(i).String())
	}
	return out
}

// Finding 6's embedding half: a host could not stop a run. lab:cancel
// stops the runs with its id, waiting or running, and each answers.
func TestLabCancel(t *testing.T) {
	host := fakeHost(t)
	b := &bridge{host: host, queue: make(chan hostJob, maxQueuedRuns), jobs: map[string][]*hostJob{}}
	go b.serve()
	send := func(src string) {
		ev := app.Window().Get("Object").New()
		ev.Set("source", host)
		ev.Set("origin", "http://host.example")
		ev.Set("data", jsEval(t, "return "+src+";"))
		b.onMessage(ev)
	}
	// One long run, one waiting behind it, one that is not cancelled.
	send(`{type: "lab:run", id: "long", workload: "countdown", mode: "workers", workers: 2, params: {count: 20000000000}, timeout_ms: 120000}`)
	send(`{type: "lab:run", id: "queued", workload: "countdown", params: {count: 1000}}`)
	send(`{type: "lab:run", id: "kept", workload: "countdown", params: {count: 1000}}`)
	time.Sleep(1500 * time.Millisecond)
	send(`{type: "lab:cancel", id: "queued"}`)
	send(`{type: "lab:cancel", id: "long"}`)
	send(`{type: "lab:cancel", id: "nothing"}`)
	type answer struct {
		Type  string          `json:"type"`
		ID    json.RawMessage `json:"id"`
		OK    bool            `json:"ok"`
		Error string          `json:"error"`
	}
	var got map[string]answer
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		got = map[string]answer{}
		for _, s := range hostSaid(host) {
			var a answer
			if json.Unmarshal([]byte(s), &a) == nil && a.Type == MsgResult {
				got[string(a.ID)] = a
			}
		}
		if len(got) >= 3 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the host got: %v", hostSaid(host))
	for _, id := range []string{`"long"`, `"queued"`} {
		if a, ok := got[id]; !ok || a.OK || !strings.Contains(a.Error, "cancelled") {
			t.Errorf("%s: answer %+v, want a cancelled result", id, a)
		}
	}
	if a := got[`"kept"`]; !a.OK {
		t.Errorf("the run not cancelled: %+v, want ok", a)
	}
	if len(got) != 3 {
		t.Errorf("%d answers, want 3 (none for a cancel of no run)", len(got))
	}
}

// Finding 9: "WORKERS" was taken for workers, and of two "workers" in a
// JSON text the last one ran.
func TestStrictFieldsFromTheBrowser(t *testing.T) {
	for _, src := range []string{
		`return {type: "lab:run", id: 1, workload: "sleep", WORKERS: 3};`,
		`return '{"type": "lab:run", "id": 1, "workload": "sleep", "workers": 70, "workers": 2}';`,
	} {
		data, bad, ok := messageJSON(jsEval(t, src))
		if !ok || bad != nil {
			t.Fatalf("%s: not read", src)
		}
		m := ParseHostMessage(data)
		if m.Err == nil || m.Run != nil || !strings.Contains(m.Err.Error(), "workers") && !strings.Contains(m.Err.Error(), "WORKERS") {
			t.Errorf("%s: %+v, want an error naming the field", src, m)
		}
	}
}
