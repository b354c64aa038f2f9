//go:build !js

package workloads

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDelayHandler(t *testing.T) {
	h := DelayHandler()
	get := func(method, target string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
		return w
	}
	w := get("GET", "/api/delay?ms=0&id=7&run=x")
	if w.Code != 200 || w.Body.String() != string(PageBody(7)) {
		t.Errorf("good request: %d %q", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("headers %v", w.Header())
	}
	if w := get("HEAD", "/api/delay?ms=0&id=7"); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	for target, field := range map[string]string{
		"/api/delay?ms=9999&id=1": "ms",
		"/api/delay?ms=1":         "id",
		"/api/delay?ms=1&id=abc":  "id",
	} {
		w := get("GET", target)
		var e struct{ Error, Field string }
		if err := json.Unmarshal(w.Body.Bytes(), &e); w.Code != 400 || err != nil || e.Field != field || e.Error == "" {
			t.Errorf("%s: %d %q, want 400 naming %s", target, w.Code, w.Body, field)
		}
		if w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: error responses must not be cached either", target)
		}
	}
	if w := get("POST", "/api/delay?ms=0&id=1"); w.Code != 405 || w.Header().Get("Allow") == "" {
		t.Errorf("POST: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

// The delay is real, and a client that goes away frees the handler at once.
func TestDelayHandlerWaitsAndCancels(t *testing.T) {
	t0 := time.Now()
	w := httptest.NewRecorder()
	DelayHandler().ServeHTTP(w, httptest.NewRequest("GET", "/api/delay?ms=60&id=1", nil))
	if d := time.Since(t0); d < 60*time.Millisecond || w.Code != 200 {
		t.Errorf("answered %d after %v, want 200 after 60 ms", w.Code, d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	t0 = time.Now()
	DelayHandler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/delay?ms=5000&id=1", nil).WithContext(ctx))
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("a cancelled request held the handler for %v", d)
	}
}

// Every request of a run, and of the next run, has its own URL, so the
// browser can neither merge nor cache them.
func TestDownloadURLsUnique(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	mux := pageMux()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.String()]++
		mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()
	for _, source := range []string{"api", "static", "api", "static"} {
		res, err := Run(context.Background(), Request{Workload: "download", Mode: Goroutines, Workers: 3,
			Params: map[string]any{"pages": 5, "delay": 0, "source": source}}, Options{Env: NativeEnv{BaseURL: srv.URL}})
		if err != nil || !res.Check.OK {
			t.Fatalf("%s: %v %+v", source, err, res)
		}
	}
	if len(seen) != 20 {
		t.Errorf("%d distinct URLs for 20 requests: %v", len(seen), seen)
	}
}

// A server that answers the wrong page or an error fails the task with a
// message that says so.
func TestDownloadBadServer(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"answered page": func(w http.ResponseWriter, r *http.Request) { w.Write(PageBody(99)) },
		"not a conlab page": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<html>captive portal</html>"))
		},
		"404": http.NotFound,
	}
	for want, h := range cases {
		srv := httptest.NewServer(h)
		res, err := Run(context.Background(), Request{Workload: "download", Params: map[string]any{"pages": 2, "delay": 0}},
			Options{Env: NativeEnv{BaseURL: srv.URL}})
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), want) || res == nil || res.Error == "" {
			t.Errorf("%s: got %v", want, err)
		}
	}
}
