package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"conlab/wasm"
	"conlab/workloads"
)

// The embedding API: a host page talks to a lab it embeds in an iframe (or
// opened with window.open) through window.postMessage. Every message is an
// object with a "type":
//
//	lab → host  {type: "lab:ready", version}          once the lab can run
//	host → lab  {type: "lab:run", id, workload, mode, workers, params, timeout_ms, schedule}
//	host → lab  {type: "lab:cancel", id}             stop the runs with that id, waiting or running
//	lab → host  {type: "lab:result", id, ok: true, result}   the engine's Result
//	lab → host  {type: "lab:result", id, ok: false, error}   (and result, when a run failed after it started)
//	lab → host  {type: "lab:resize", height}          whenever the lab's height changes
//	lab → host  {type: "lab:offline"}                 once the lab works with the network gone (static site)
//
// lab:run takes a browser mode (sequential, cooperative, workers, main);
// mode defaults to sequential, workers to 1, params to the workload's
// defaults. A schedule ("0.1.1.0", see workloads.Schedule) runs the
// tasks step by step (mode cooperative or main, workers at least the
// tasks); the result then holds the schedule that ran, its steps and its
// outcome. Field names match exactly ("WORKERS" is an unknown field) and
// appear once; a number that is NaN or ±Infinity is an error naming its
// field, and an id that is not a string or a finite number is answered
// with id null. lab:cancel answers nothing itself: each run it stops
// answers with its lab:result (ok false, "cancelled"); an id with no run
// waiting or running is ignored. A message whose type is not a string
// starting with "lab:"
// belongs to some other script and is ignored; a lab message the lab
// cannot use (unknown type, bad JSON shape, unknown field, invalid
// request) is answered with an error result when it carries an id, and
// ignored otherwise. The messages the lab itself sends are ignored when
// they come back, so two labs never answer each other forever.
const (
	MsgReady   = "lab:ready"
	MsgRun     = "lab:run"
	MsgCancel  = "lab:cancel"
	MsgResult  = "lab:result"
	MsgResize  = "lab:resize"
	MsgOffline = "lab:offline"
)

// MaxHostMessage bounds the size of a host's message, as JSON.
const MaxHostMessage = 64 << 10

// maxIDLen bounds a string id.
const maxIDLen = 256

// HostMessage is what the lab makes of a message a host posted.
type HostMessage struct {
	// Ignore says the message is not for the lab, or is malformed and
	// carries no id to answer: drop it.
	Ignore bool
	// ID is the host's id as it sent it (a JSON string or number), to
	// echo in the answer; "null" when the id itself was unusable.
	ID json.RawMessage
	// Err, when set, is why the message cannot run: answer it with
	// ResultMessage(ID, nil, Err).
	Err error
	// Run is the validated request of a lab:run.
	Run *workloads.Request
	// Cancel says the message is a lab:cancel of the runs with ID.
	Cancel bool
}

// ErrCancelled is the error of a run a lab:cancel stopped.
var ErrCancelled = errors.New("cancelled by the host (lab:cancel)")

// runFields and cancelFields are the fields of lab:run and lab:cancel,
// spelled exactly.
var (
	runFields    = []string{"type", "id", "workload", "mode", "workers", "params", "timeout_ms", "schedule"}
	cancelFields = []string{"type", "id"}
)

// runMessage is the JSON form of lab:run.
type runMessage struct {
	Type      string          `json:"type"`
	ID        json.RawMessage `json:"id"`
	Workload  string          `json:"workload"`
	Mode      string          `json:"mode"`
	Workers   *int            `json:"workers"`
	Params    map[string]any  `json:"params"`
	TimeoutMS int64           `json:"timeout_ms"`
	Schedule  string          `json:"schedule"`
}

// ParseHostMessage reads a message a host posted, given as JSON. It never
// panics and never blocks; see the API above for what is answered.
func ParseHostMessage(data []byte) HostMessage {
	if len(data) > MaxHostMessage {
		// Too big to look into: answering would mean parsing it anyway.
		return HostMessage{Ignore: true}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return HostMessage{Ignore: true} // not an object: someone else's message
	}
	var typ string
	rawType, hasType := fields["type"]
	if hasType {
		if err := json.Unmarshal(rawType, &typ); err != nil {
			hasType = false // not a string
		}
	}
	if hasType && !strings.HasPrefix(typ, "lab:") {
		return HostMessage{Ignore: true}
	}
	switch typ {
	case MsgReady, MsgResult, MsgResize, MsgOffline:
		return HostMessage{Ignore: true} // the lab's own messages, echoed
	}
	m := HostMessage{}
	rawID, hasID := fields["id"]
	if hasID && !bytes.Equal(bytes.TrimSpace(rawID), []byte("null")) {
		id, err := parseID(rawID)
		if err != nil {
			m.ID, m.Err = json.RawMessage("null"), err
			return m
		}
		m.ID = id
	}
	fail := func(err error) HostMessage {
		if m.ID == nil {
			return HostMessage{Ignore: true}
		}
		m.Err = err
		return m
	}
	if !hasType {
		return fail(fmt.Errorf("message has no type: send {type: %q, id, workload, mode, workers, params}", MsgRun))
	}
	if typ != MsgRun && typ != MsgCancel {
		return fail(fmt.Errorf("unknown message type %q: the lab accepts %q and %q", typ, MsgRun, MsgCancel))
	}
	allowed := runFields
	if typ == MsgCancel {
		allowed = cancelFields
	}
	if err := strictKeys(data, allowed); err != nil {
		return fail(err)
	}
	if raw, ok := fields["params"]; ok && typ == MsgRun {
		if err := strictKeys(raw, nil); err != nil {
			return fail(fmt.Errorf("params: %w", err))
		}
	}
	if typ == MsgCancel {
		if m.ID == nil {
			return HostMessage{Ignore: true} // nothing to cancel, nothing to answer
		}
		m.Cancel = true
		return m
	}
	var rm runMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&rm); err != nil {
		return fail(fmt.Errorf("malformed %s: %s", MsgRun, jsonProblem(err)))
	}
	req, err := rm.request()
	if err != nil {
		return fail(err)
	}
	m.Run = req
	return m
}

func (rm runMessage) request() (*workloads.Request, error) {
	if strings.TrimSpace(rm.Workload) == "" {
		return nil, &workloads.ParamError{Field: "workload", Msg: "workload is required: one of " + strings.Join(workloadIDs(), ", ")}
	}
	req := workloads.Request{Workload: rm.Workload, Mode: workloads.Mode(rm.Mode), Params: rm.Params, TimeoutMS: rm.TimeoutMS, Schedule: rm.Schedule}
	if req.Mode == "" {
		req.Mode = workloads.Sequential
	}
	if rm.Workers != nil {
		req.Workers = *rm.Workers
		if req.Workers == 0 {
			// 0 would mean "the default" to the engine: a host that sends it
			// has made a mistake worth naming.
			return nil, &workloads.ParamError{Field: "workers", Msg: fmt.Sprintf("workers: 0 is out of range; allowed: a whole number from 1 to %d", workloads.MaxWorkers)}
		}
	}
	if rm.TimeoutMS < 0 {
		return nil, &workloads.ParamError{Field: "timeout_ms", Msg: fmt.Sprintf("timeout_ms: %s is out of range; allowed: 1 to %s", workloads.GroupDigits(int64(rm.TimeoutMS)), workloads.GroupDigits(workloads.MaxTimeoutMS))}
	}
	job, err := wasm.Prepare(req) // a host may ask for the browser engine's modes
	if err != nil {
		return nil, err
	}
	out := job.Request // normalised, in the engine's terms
	out.Mode = req.Mode
	return &out, nil
}

// strictKeys checks an object's keys as written: each appears once and,
// when allowed is not nil, is one of allowed, spelled exactly (encoding/json
// would take "WORKERS" for workers, and the last of two "workers"). A
// value that is not an object is left to the decoder.
func strictKeys(raw []byte, allowed []string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil // malformed: the decoder says how
		}
		k, _ := t.(string)
		if seen[k] {
			return fmt.Errorf("field %q appears twice; give it once", k)
		}
		seen[k] = true
		if allowed != nil && !slices.Contains(allowed, k) {
			msg := fmt.Sprintf("unknown field %q (the fields are %s", k, strings.Join(allowed, ", "))
			for _, a := range allowed {
				if strings.EqualFold(a, k) {
					msg += fmt.Sprintf("; names are case-sensitive: did you mean %q?", a)
				}
			}
			return errors.New(msg + ")")
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
	}
	return nil
}

// NonFiniteMessage is what the lab makes of a host's message in which the
// field at path (e.g. "workers", "params.count", "id") held value, a
// number that is NaN or ±Infinity: data is the message as JSON, where
// such numbers became null. The message is answered with an error naming
// the field, with id null when the id itself was the culprit; a message
// that is not the lab's, or that has no id to answer, is ignored.
func NonFiniteMessage(data []byte, path, value string) HostMessage {
	m := ParseHostMessage(data)
	if m.Ignore && path != "id" {
		return m
	}
	var head struct {
		Type any `json:"type"`
	}
	if json.Unmarshal(data, &head) != nil {
		return HostMessage{Ignore: true}
	}
	if typ, ok := head.Type.(string); !ok || !strings.HasPrefix(typ, "lab:") {
		return HostMessage{Ignore: true}
	}
	if path == "id" {
		return HostMessage{ID: json.RawMessage("null"), Err: fmt.Errorf("id must be a string or a finite number, not %s", value)}
	}
	if m.ID == nil || bytes.Equal(m.ID, []byte("null")) {
		if m.Err != nil {
			return m // the id's own error comes first
		}
		return HostMessage{Ignore: true}
	}
	field := path[strings.LastIndex(path, ".")+1:]
	return HostMessage{ID: m.ID, Err: &workloads.ParamError{Field: field, Msg: fmt.Sprintf("%s: %s is not a number the lab can use; give a finite number", path, value)}}
}

// parseID accepts a string of at most maxIDLen bytes or a finite number.
func parseID(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if len(s) > maxIDLen {
			return nil, fmt.Errorf("id is %d bytes long; at most %d", len(s), maxIDLen)
		}
		return raw, nil
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return raw, nil
	}
	return nil, errors.New("id must be a string or a number")
}

// jsonProblem words a decoding error for a host's author.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("%s must be %s, not a JSON %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	}
	s := err.Error()
	if f, ok := strings.CutPrefix(s, "json: unknown field "); ok {
		return "unknown field " + f + " (the fields are type, id, workload, mode, workers, params, timeout_ms, schedule)"
	}
	return strings.TrimPrefix(s, "json: ")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64":
		return "a whole number"
	case "map":
		return "an object"
	case "ptr":
		return "a whole number"
	}
	return "a " + k
}

func workloadIDs() []string {
	var ids []string
	for _, w := range workloads.All() {
		ids = append(ids, w.ID)
	}
	return ids
}

// ReadyMessage is lab:ready. problem, if not empty, says why runs will
// fail (the worker pool could not start).
func ReadyMessage(version, problem string) []byte {
	m := map[string]any{"type": MsgReady, "version": version}
	if problem != "" {
		m["error"] = problem
	}
	return mustJSON(m)
}

// ResultMessage is the lab:result answering id: ok with res when err is
// nil, else the error, with res too when the run started and failed.
func ResultMessage(id json.RawMessage, res *workloads.Result, err error) []byte {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	type msg struct {
		Type   string            `json:"type"`
		ID     json.RawMessage   `json:"id"`
		OK     bool              `json:"ok"`
		Error  string            `json:"error,omitempty"`
		Field  string            `json:"field,omitempty"`
		Result *workloads.Result `json:"result,omitempty"`
	}
	m := msg{Type: MsgResult, ID: id, OK: err == nil, Result: res}
	if err != nil {
		m.Error = err.Error()
		var pe *workloads.ParamError
		if errors.As(err, &pe) {
			m.Field = pe.Field
		}
	} else if res == nil {
		m.OK, m.Error = false, "the run returned no result"
	}
	return mustJSON(m)
}

// ResizeMessage is lab:resize.
func ResizeMessage(height int) []byte {
	return mustJSON(map[string]any{"type": MsgResize, "height": max(height, 0)})
}

// OfflineMessage is lab:offline.
func OfflineMessage() []byte { return mustJSON(map[string]any{"type": MsgOffline}) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types reach here; a result with a NaN would.
		b, _ = json.Marshal(map[string]any{"type": MsgResult, "ok": false, "error": "the lab could not encode its answer: " + err.Error()})
	}
	return b
}

// EmbedHeight is the iframe height of the snippet, in CSS pixels: enough
// for the form, the Run button, a chart and a timeline. A host that
// listens to lab:resize adjusts it.
const EmbedHeight = 760

// EmbedURL returns the address of the embedded view of the page at page:
// its query with embed=1 and without autorun (a host starts runs itself,
// or the reader does).
func EmbedURL(page *url.URL) string {
	u := *page
	u.Fragment = ""
	q := u.Query()
	q.Set(keyEmbed, "1")
	q.Del(keyAutorun)
	// Keep the lab's own order (workload first): sort the rest after it.
	u.RawQuery = encodeQuery(q)
	return u.String()
}

// encodeQuery writes q with the workload first and the other keys in name
// order, so snippets stay readable.
func encodeQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != keyWorkload {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if q.Has(keyWorkload) {
		keys = append([]string{keyWorkload}, keys...)
	}
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

// EmbedSnippet returns the iframe HTML that embeds the page at page.
func EmbedSnippet(page *url.URL, title string) string {
	if title == "" {
		title = "conlab"
	} else {
		title = "conlab: " + title
	}
	return `<iframe src="` + html.EscapeString(EmbedURL(page)) + `" title="` + html.EscapeString(title) +
		`" width="100%" height="` + strconv.Itoa(EmbedHeight) + `" style="border: 0; max-width: 100%;" loading="lazy"></iframe>`
}
