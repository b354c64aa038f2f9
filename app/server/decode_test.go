//go:build !wasm

package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"conlab/workloads"
)

func TestDecodeRequestKeepsNumbersExact(t *testing.T) {
	req, err := DecodeRequest(strings.NewReader(`{"workload":"countdown","params":{"count":9007199254740993}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(req.Params["count"]); got != "9007199254740993" {
		t.Errorf("count = %s", got)
	}
}

// FuzzDecodeRequest: the decoder and the native validation never panic;
// every rejection is an error the API can answer with a status and,
// for values, the field; an accepted request re-encodes and decodes to
// the same request.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"workload":"countdown","mode":"goroutines","workers":2,"params":{"count":1000},"gomaxprocs":2,"timeout_ms":5000}`,
		`{"workload":"sleep","mode":"sequential","params":{"tasks":3,"unit":1,"pattern":"2,3"}}`,
		`{"workload":"countdown","params":{"count":1e3}}`,
		`{"workload":"countdown","params":{"count":"12"}}`,
		`{"workload":"countdown","params":{"count":null}}`,
		`{"workload":"countdown","workers":2.5}`,
		`{"workload":"countdown","mode":"workers"}`,
		`{"workload":"countdown","extra":1}`,
		`{"workload":"countdown"} {"workload":"countdown"}`,
		`{"workload":"countdown","params":{"count":[1]}}`,
		`{"workload":"countdown","params":{"count":{"a":1}}}`,
		`{"workload":"\u0000","mode":"\ud800"}`,
		`{"params":"x"}`, `[]`, `null`, `""`, `{`, ``, ` `, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := DecodeRequest(strings.NewReader(string(b)))
		if err != nil {
			e := asAPIError(err)
			if e.Status != http.StatusBadRequest {
				t.Fatalf("decode error answered %d: %v", e.Status, err)
			}
			var pe *workloads.ParamError
			if errors.As(err, &pe) && pe.Field == "" {
				t.Fatalf("a field error names no field: %v", err)
			}
			return
		}
		job, err := PrepareNative(req)
		if err != nil {
			if e := asAPIError(err); e.Status != 400 && e.Status != 422 {
				t.Fatalf("validation error answered %d: %v", e.Status, err)
			}
			return
		}
		if m := job.Request.Mode; m != workloads.Sequential && m != workloads.Goroutines {
			t.Fatalf("accepted mode %q natively", m)
		}
		enc, err := encodeRequest(job.Request)
		if err != nil {
			t.Fatalf("an accepted request does not encode: %v", err)
		}
		again, err := DecodeRequest(strings.NewReader(string(enc)))
		if err != nil {
			t.Fatalf("the child could not decode %s: %v", enc, err)
		}
		job2, err := PrepareNative(again)
		if err != nil {
			t.Fatalf("the child would reject %s: %v", enc, err)
		}
		a, _ := json.Marshal(job.Request)
		b2, _ := json.Marshal(job2.Request)
		if string(a) != string(b2) {
			t.Fatalf("round trip changed the request:\n%s\n%s", a, b2)
		}
	})
}

// Field names match exactly and each key is given once (issue: the
// decoder took {"Workload": "sleep", "WORKERS": 3}, and ran
// "workers": 70, "workers": 2 with 2).
func TestDecodeRequestStrictKeys(t *testing.T) {
	for _, tc := range []struct{ body, field, msg string }{
		{`{"Workload": "sleep", "mode": "goroutines"}`, "Workload", `case-sensitive (write "workload")`},
		{`{"workload": "sleep", "WORKERS": 3}`, "WORKERS", `case-sensitive (write "workers")`},
		{`{"workload": "sleep", "Timeout_MS": 3}`, "Timeout_MS", `write "timeout_ms"`},
		{`{"workload": "sleep", "workers": 70, "workers": 2}`, "workers", `"workers" appears twice`},
		{`{"workload": "sleep", "params": {"tasks": 3, "unit": 1, "tasks": 4}}`, "tasks", `"tasks" appears twice`},
		{`{"workload": "sleep", "params": {"pattern": [{"a": 1, "a": 2}]}}`, "a", `"a" appears twice`},
	} {
		_, err := DecodeRequest(strings.NewReader(tc.body))
		var pe *workloads.ParamError
		if !errors.As(err, &pe) || pe.Field != tc.field || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("%s: got %v, want an error on %q saying %q", tc.body, err, tc.field, tc.msg)
		}
	}
	// The same keys in different objects, and in arrays, are fine.
	for _, body := range []string{
		`{"workload": "sleep", "mode": "goroutines", "workers": 2, "params": {"tasks": 3, "unit": 1}}`,
		`{"workload": "sleep", "params": {"pattern": [{"workload": 1}, {"workload": 2}]}}`,
		`{"workload": "sleep", "params": {}} `,
	} {
		if _, err := DecodeRequest(strings.NewReader(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}
