//go:build !js

package workloads

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// DelayHandler serves the download workload's endpoint, mounted by the
// server at /api/delay: GET /api/delay?ms=D&id=I[&run=R] waits D
// milliseconds (0 to MaxDelayMS) and answers PageBody(I) as plain text,
// never cached. A bad query gets 400 with {"error": ..., "field": ...};
// a method other than GET or HEAD gets 405. When the client goes away the
// wait ends at once, so abandoned requests hold nothing.
func DelayHandler() http.Handler {
	return http.HandlerFunc(serveDelay)
}

func serveDelay(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		delayError(w, http.StatusMethodNotAllowed, "", "method "+r.Method+" is not allowed; use GET")
		return
	}
	ms, id, err := ParseDelayQuery(r.URL.Query())
	if err != nil {
		field := ""
		var pe *ParamError
		if errors.As(err, &pe) {
			field = pe.Field
		}
		delayError(w, http.StatusBadRequest, field, err.Error())
		return
	}
	if ms > 0 {
		tm := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer tm.Stop()
		select {
		case <-tm.C:
		case <-r.Context().Done():
			return
		}
	}
	body := PageBody(id)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

func delayError(w http.ResponseWriter, status int, field, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Error string `json:"error"`
		Field string `json:"field,omitempty"`
	}{msg, field})
}
