package workloads

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzPrepare feeds arbitrary JSON to the request decoder and validator:
// nothing may panic, and every rejection must be a typed error that names
// a field, so the UI and the API can point at it.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{
		`{"workload":"countdown","mode":"goroutines","workers":2,"params":{"count":1000}}`,
		`{"workload":"countdown","workers":65}`,
		`{"workload":"countdown","params":{"count":-1}}`,
		`{"workload":"countdown","params":{"count":"12"}}`,
		`{"workload":"countdown","params":{"count":1e300}}`,
		`{"workload":"countdown","params":{"count":null}}`,
		`{"workload":"nope"}`,
		`{"workload":"countdown","mode":"warp"}`,
		`{"workload":"countdown","timeout_ms":-1}`,
		`{"workload":"sleep","params":{"unit":[1,2]}}`,
		`{}`, `[]`, `null`, `{"params":"x"}`,
		`{"workload":"counter","mode":"goroutines","workers":2,"schedule":"0.1*3~stop"}`,
		`{"workload":"counter","mode":"goroutines","workers":2,"schedule":"0.7"}`,
		`{"workload":"counter","mode":"workers","schedule":"0"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var req Request
		if json.Unmarshal(b, &req) != nil {
			return
		}
		job, err := Prepare(req)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if pe.Field == "" {
				t.Fatalf("error names no field: %v", err)
			}
			return
		}
		if job.Request.Workers < 1 || job.Request.Workers > MaxWorkers || len(job.Plan.Tasks) == 0 {
			t.Fatalf("accepted an invalid request: %+v", job.Request)
		}
	})
}

// FuzzParams checks parameter parsing from strings (URLs, flags) for
// every workload's parameters.
func FuzzParams(f *testing.F) {
	for _, s := range []string{"0", "1", "-1", "1_000", " 7 ", "true", "maybe", "9223372036854775808", "mutex", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range All() {
			for _, p := range w.Params {
				v, err := p.Parse(s)
				if err != nil {
					continue
				}
				if _, err := w.Args(map[string]any{p.Name: v}); err != nil {
					t.Fatalf("%s.%s: parsed %q to %v but Args rejects it: %v", w.ID, p.Name, s, v, err)
				}
			}
		}
	})
}

// A request decoded from JSON runs the same as one built in Go.
func TestRequestJSONRoundTrip(t *testing.T) {
	req := Request{Workload: "countdown", Mode: Goroutines, Workers: 3, Params: map[string]any{"count": 12345}}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var back Request
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), back, Options{})
	if err != nil || res.Check.Value != "12345" || res.Workers != 3 {
		t.Fatalf("%v %+v", err, res)
	}
}
