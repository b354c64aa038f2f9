//go:build !wasm

package server

import (
	"fmt"
	"net/http"
	"time"
)

// middleware adds the headers every answer carries, recovers panics and
// logs one line per request.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if s.cfg.Isolate {
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Embedder-Policy", "require-corp")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(p))
				if !rec.wrote {
					writeError(rec, errorf(http.StatusInternalServerError, "", "internal error"))
				}
			}
			attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
				"bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds()) / 1000}
			if rec.err != "" {
				// A refused or failed request has this one line, with why.
				attrs = append(attrs, "error", rec.err)
			}
			s.log.Info("request", attrs...)
		}()
		if s.checkHost(rec, r) {
			next.ServeHTTP(rec, r)
		}
	})
}

// recorder remembers the status and size of an answer for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
	err    string // the API error answered, for the log line
}

func (r *recorder) noteError(msg string) { r.err = msg }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
