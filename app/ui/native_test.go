package ui

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"conlab/workloads"
)

const baselineJSON = `{"format": 1, "machine": {"cpu": "Test CPU", "numcpu": 8, "goos": "linux", "goarch": "amd64", "go_version": "go1.26"},
 "date": "2026-11-01T10:00:00Z",
 "results": [{"workload": "countdown", "mode": "sequential", "workers": 1, "params": {"count": 1000000000},
   "wall_us": 300000, "check": {"ok": true}, "facts": {"engine": "native", "gomaxprocs": 1}}]}`

func TestNativeProbeLive(t *testing.T) {
	hc := handlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/lab/api/health" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok": true, "go_version": "go1.26.8", "goos": "linux", "goarch": "amd64", "numcpu": 2, "cpu": "AMD EPYC"}`)
	}))
	c := &nativeClient{API: "http://lab.test/lab", HTTP: hc}
	info := c.probe(context.Background())
	if info.Source != nativeLive || info.Machine.NumCPU != 2 || info.Machine.String() != "AMD EPYC, 2 cores, linux/amd64, go1.26.8" {
		t.Errorf("live probe: %+v", info)
	}
}

func TestNativeProbeRecorded(t *testing.T) {
	hc := handlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/web/data/baseline.json":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, baselineJSON)
		default:
			// A static host that answers every path with its page.
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><p>hello")
		}
	}))
	c := &nativeClient{API: "http://lab.test", Files: []string{"http://lab.test/web/data/baseline.json"}, HTTP: hc}
	info := c.probe(context.Background())
	if info.Source != nativeRecorded || info.Date != "1 November 2026" || info.Machine.CPU != "Test CPU" || len(info.Results) != 1 || info.URL == "" {
		t.Errorf("recorded probe: %+v", info)
	}
}

func TestNativeProbeNone(t *testing.T) {
	hc := handlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad.json" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"results": [{"mode": "sequential"}]}`)
			return
		}
		http.NotFound(w, r)
	}))
	info := (&nativeClient{API: "http://lab.test", Files: []string{"http://lab.test/web/data/baseline.json"}, HTTP: hc}).probe(context.Background())
	if info.Source != nativeNone || !strings.Contains(info.Why, "not served by conlab serve") || !strings.Contains(info.Why, "no recorded baseline") {
		t.Errorf("none: %+v", info)
	}
	info = (&nativeClient{API: "http://lab.test", Files: []string{"http://lab.test/bad.json"}, HTTP: hc}).probe(context.Background())
	if info.Source != nativeNone || !strings.Contains(info.Why, "could not be used") || !strings.Contains(info.Why, "no workload") {
		t.Errorf("damaged file: %+v", info)
	}
	// Nothing listening at all.
	if info := (&nativeClient{API: "http://lab.test", HTTP: unreachable}).probe(context.Background()); info.Source != nativeNone {
		t.Errorf("no server: %+v", info)
	}
}

func TestDecodeBaseline(t *testing.T) {
	if _, err := decodeBaseline([]byte("nope")); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad JSON: %v", err)
	}
	if _, err := decodeBaseline([]byte(`{"results": []}`)); err == nil || !strings.Contains(err.Error(), "no results") {
		t.Errorf("empty: %v", err)
	}
	if _, err := decodeBaseline([]byte(`{"format": 2, "results": [{"workload": "countdown"}]}`)); err == nil || !strings.Contains(err.Error(), "newer than this lab reads") {
		t.Errorf("newer format: %v", err)
	}
	// Facts only in the results: taken from the first.
	info, err := decodeBaseline([]byte(`{"recorded": "yesterday", "results": [{"workload": "countdown", "wall_us": 5, "facts": {"numcpu": 4, "goos": "linux", "goarch": "arm64"}}]}`))
	if err != nil || info.Machine.NumCPU != 4 || info.Date != "yesterday" {
		t.Errorf("facts from results: %+v %v", info, err)
	}
}

func TestNativeRun(t *testing.T) {
	var got workloads.Request
	hc := handlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/run" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		w.Header().Set("Content-Type", "application/json")
		switch got.Workers {
		case 1:
			res, _ := workloads.Run(r.Context(), got, workloads.Options{Engine: "native"})
			json.NewEncoder(w).Encode(res)
		case 2:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error": "count: 0 is out of range", "field": "count"}`)
		case 3:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error": "busy"}`)
		case 4:
			w.WriteHeader(http.StatusGatewayTimeout)
			io.WriteString(w, `{"error": "the run exceeded its deadline", "result": {"workload": "countdown", "wall_us": 9, "error": "the run exceeded its deadline"}}`)
		default:
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html>proxy error</html>")
		}
	}))
	c := &nativeClient{API: "http://lab.test", HTTP: hc}
	spec := runSpec{Mode: modeNative, Workers: 1, Native: workloads.Sequential}
	res, err := c.run(context.Background(), spec.request("countdown", map[string]any{"count": int64(1000)}))
	if err != nil || !res.Check.OK || res.Facts.Engine != "native" {
		t.Fatalf("run: %+v %v", res, err)
	}
	if got.Mode != workloads.Sequential || got.GOMAXPROCS != 1 || got.Params["count"] != float64(1000) {
		t.Errorf("request sent: %+v", got)
	}
	_, err = c.run(context.Background(), workloads.Request{Workload: "countdown", Workers: 2})
	var pe *workloads.ParamError
	if !errors.As(err, &pe) || pe.Field != "count" {
		t.Errorf("field error: %v", err)
	}
	if _, err = c.run(context.Background(), workloads.Request{Workload: "countdown", Workers: 3}); err == nil || !strings.Contains(err.Error(), "busy") || !strings.Contains(err.Error(), "7 s") {
		t.Errorf("busy: %v", err)
	}
	res, err = c.run(context.Background(), workloads.Request{Workload: "countdown", Workers: 4})
	if err == nil || res == nil || res.WallUS != 9 {
		t.Errorf("deadline with partial result: %+v %v", res, err)
	}
	if _, err = c.run(context.Background(), workloads.Request{Workload: "countdown", Workers: 5}); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("non-JSON error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = c.run(ctx, workloads.Request{Workload: "countdown", Workers: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
