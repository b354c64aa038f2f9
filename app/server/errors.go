//go:build !wasm

package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"conlab/workloads"
)

// apiError is an API error: the message, the request field it is about
// (empty when none), and the HTTP status it is answered with.
type apiError struct {
	Status int
	Field  string
	Msg    string
	// RetryAfter, in seconds, is sent with 429 and 503 answers.
	RetryAfter int
	// Result is a partial run result to send along (a run past its deadline).
	Result json.RawMessage
}

func (e *apiError) Error() string { return e.Msg }

// errorBody is the JSON form of every API error.
type errorBody struct {
	Error  string          `json:"error"`
	Field  string          `json:"field,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
}

func errorf(status int, field, format string, args ...any) *apiError {
	return &apiError{Status: status, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// asAPIError maps the engine's validation errors to their statuses: a bad
// parameter is the client's mistake (400); a mode the workload cannot run
// in is a well-formed request the lab refuses, with a reason (422).
func asAPIError(err error) *apiError {
	var ae *apiError
	var pe *workloads.ParamError
	var ue *workloads.UnsupportedError
	var mb *http.MaxBytesError
	var oom *errOutOfMemory
	switch {
	case errors.As(err, &ae):
		return ae
	case outOfFiles(err):
		return &apiError{Status: http.StatusServiceUnavailable, RetryAfter: 5,
			Msg: "the server has run out of file descriptors (too many connections or processes open); try again shortly"}
	case errors.As(err, &oom):
		return &apiError{Status: http.StatusInternalServerError, Field: "memory", Msg: oom.Error()}
	case errors.Is(err, errClosed):
		return &apiError{Status: http.StatusServiceUnavailable, Msg: err.Error()}
	case errors.As(err, &mb):
		return errorf(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", mb.Limit)
	case errors.As(err, &pe):
		return &apiError{Status: http.StatusBadRequest, Field: pe.Field, Msg: pe.Msg}
	case errors.As(err, &ue):
		return &apiError{Status: http.StatusUnprocessableEntity, Field: "mode", Msg: ue.Error()}
	default:
		return &apiError{Status: http.StatusInternalServerError, Msg: err.Error()}
	}
}

func writeError(w http.ResponseWriter, err error) {
	e := asAPIError(err)
	if n, ok := w.(interface{ noteError(string) }); ok {
		n.noteError(e.Msg)
	}
	if (e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, e.Status, errorBody{Error: e.Msg, Field: e.Field, Result: e.Result})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Error: "encoding the answer failed: " + err.Error()})
	}
	writeRawJSON(w, status, b)
}

func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte{'\n'})
}
