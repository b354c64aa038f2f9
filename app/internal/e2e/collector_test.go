//go:build !wasm

package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostPage is a course page of another origin that embeds the lab and
// drives it with the embedding API (see the package doc).
//
//go:embed testdata/host.html
var hostPage []byte

// collector serves the host page and receives what it reports.
type collector struct {
	URL     string
	reports chan report
	goOn    chan struct{}
	t       *testing.T

	mu  sync.Mutex
	log []string
}

type report struct {
	Phase string          `json:"phase"`
	Error string          `json:"error"`
	Stack string          `json:"stack"`
	Raw   json.RawMessage `json:"-"`
}

func startCollector(t *testing.T) *collector {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{URL: "http://" + ln.Addr().String(), reports: make(chan report, 8), goOn: make(chan struct{}), t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /host.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(hostPage)
	})
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		var rep report
		if err == nil {
			err = json.Unmarshal(b, &rep)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rep.Raw = b
		select {
		case c.reports <- rep:
		default:
		}
	})
	mux.HandleFunc("POST /log", func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Msg string }
		if json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&m) == nil {
			c.mu.Lock()
			c.log = append(c.log, time.Now().Format("15:04:05.000")+" host: "+m.Msg)
			c.mu.Unlock()
		}
	})
	mux.HandleFunc("GET /next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-c.goOn:
			io.WriteString(w, "go")
		case <-time.After(20 * time.Second):
			io.WriteString(w, "wait")
		case <-r.Context().Done():
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return c
}

func (c *collector) hostURL(lab string) string {
	runs, _ := json.Marshal(scenario)
	return c.URL + "/host.html?" + url.Values{"lab": {lab}, "run": {string(runs)}}.Encode()
}

func (c *collector) transcript() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.log, "\n")
}

// wait returns the next report, failing on an error report or a timeout.
func (c *collector) wait(ctx context.Context, phase string) report {
	c.t.Helper()
	select {
	case rep := <-c.reports:
		if rep.Phase == "error" {
			c.t.Fatalf("the host page failed in the %s phase: %s\n%s\nhost's log:\n%s", phase, rep.Error, rep.Stack, c.transcript())
		}
		if rep.Phase != phase {
			c.t.Fatalf("got the %s report, want %s", rep.Phase, phase)
		}
		return rep
	case <-ctx.Done():
		c.t.Fatalf("no %s report from the browser: %v\nhost's log:\n%s", phase, ctx.Err(), c.transcript())
	}
	return report{}
}
