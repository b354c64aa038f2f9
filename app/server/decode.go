//go:build !wasm

package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"conlab/workloads"
)

// DecodeRequest reads one JSON [workloads.Request] from r. It is strict so
// that a typo is an error, not a silently ignored field: unknown fields,
// field names that differ from the documented ones in case only
// ("Workers"), a key given twice in one object, trailing data and values
// of the wrong type are rejected. Numbers in
// params are kept exact (json.Number). Errors are a *workloads.ParamError
// naming the field when there is one, the reader's own error (such as
// *http.MaxBytesError) when reading failed, and an error describing the
// JSON problem otherwise. DecodeRequest validates only the form; the
// values are checked by workloads.Prepare.
func DecodeRequest(r io.Reader) (workloads.Request, error) {
	var req workloads.Request
	body, err := io.ReadAll(r)
	if err != nil {
		return workloads.Request{}, err
	}
	if err := checkKeys(body); err != nil {
		return workloads.Request{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return workloads.Request{}, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return workloads.Request{}, err
		}
		return workloads.Request{}, errorf(http.StatusBadRequest, "", "bad JSON: more than one value in the request body")
	}
	return req, nil
}

// decodeError turns encoding/json's errors into messages a client can act on.
func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return err
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, "", `empty request body: send a JSON request such as {"workload": "countdown", "mode": "goroutines", "workers": 2}`)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "", "bad JSON: the request body ends too early")
	case errors.As(err, &syn):
		return errorf(http.StatusBadRequest, "", "bad JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return errorf(http.StatusBadRequest, "", "bad JSON: the request must be an object, not %s", typ.Value)
		}
		return &workloads.ParamError{Field: field, Msg: fmt.Sprintf("%s: got %s, want %s", field, typ.Value, jsonKind(typ.Type.Kind().String()))}
	}
	// DisallowUnknownFields reports `json: unknown field "name"`; there is
	// no typed error for it.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		if name == "" {
			return errorf(http.StatusBadRequest, "", "bad JSON: a request field with an empty name")
		}
		return &workloads.ParamError{Field: name, Msg: fmt.Sprintf("unknown request field %q (want workload, mode, workers, params, gomaxprocs, timeout_ms, schedule)", name)}
	}
	return errorf(http.StatusBadRequest, "", "bad JSON: %v", err)
}

// requestFields are the JSON names of workloads.Request's fields.
var requestFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[workloads.Request]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = true
	}
	return m
}()

// checkKeys finds what encoding/json lets pass: a key given twice in one
// object (encoding/json keeps the last, so `"workers": 70, "workers": 2`
// would run with 2) and a request field whose name matches only when case
// is ignored. It walks the tokens of the first JSON value in b; malformed
// JSON is left for the decoder to report.
func checkKeys(b []byte) error {
	type frame struct {
		obj     bool
		wantKey bool
		keys    map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			k, ok := tok.(string)
			if !ok { // the object's closing brace
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return nil
				}
				stack[len(stack)-1].wantKey = true
				continue
			}
			if top.keys[k] && k == "" {
				return errorf(http.StatusBadRequest, "", "bad JSON: the empty key \"\" appears twice in the same object")
			}
			if top.keys[k] {
				return &workloads.ParamError{Field: k, Msg: fmt.Sprintf("%q appears twice in the same object; give each field once", k)}
			}
			if len(stack) == 1 && !requestFields[k] {
				for f := range requestFields {
					if strings.EqualFold(f, k) {
						return &workloads.ParamError{Field: k, Msg: fmt.Sprintf("unknown request field %q: field names are case-sensitive (write %q)", k, f)}
					}
				}
			}
			top.keys[k] = true
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, wantKey: true, keys: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended.
		if len(stack) == 0 {
			return nil
		}
		if p := stack[len(stack)-1]; p.obj {
			p.wantKey = true
		}
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64":
		return "a whole number"
	case "string":
		return "a string"
	case "map":
		return "an object"
	}
	return goKind
}

// encodeRequest is the JSON a child process reads.
func encodeRequest(req workloads.Request) ([]byte, error) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(req); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
