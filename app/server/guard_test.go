//go:build !wasm

package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"conlab/workloads"
)

// Another website cannot start runs: not with a "simple" request
// (text/plain, as fetch with mode no-cors or navigator.sendBeacon send),
// not from its own origin, not through a name rebound to 127.0.0.1.
func TestSameOriginProtection(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.AllowOrigins = []string{"https://school.example"} })
	u, _ := url.Parse(ts.URL)
	port := u.Port()
	body := quickBody("countdown", workloads.Sequential, 1, 1)
	for _, tc := range []struct {
		name   string
		method string
		path   string
		hdr    []string
		status int
		msg    string
	}{
		{"text/plain, as sendBeacon", "POST", "/api/run", []string{"Content-Type", "text/plain;charset=UTF-8"}, 415, "Content-Type: application/json"},
		{"form", "POST", "/api/run", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "Content-Type: application/json"},
		{"no type", "POST", "/api/run", []string{"Content-Type", ""}, 415, "got none"},
		{"another origin", "POST", "/api/run", []string{"Origin", "http://evil.example"}, 403, "not from http://evil.example"},
		{"null origin", "POST", "/api/run", []string{"Origin", "null"}, 403, "not from null"},
		{"same host, other port", "POST", "/api/run", []string{"Origin", "http://127.0.0.1:1"}, 403, "-allow-origin"},
		{"rebound name, POST", "POST", "/api/run", []string{"Host", "evil.example:" + port}, 421, "DNS rebinding"},
		{"rebound name, GET", "GET", "/api/health", []string{"Host", "evil.example:" + port}, 421, "DNS rebinding"},
		{"rebound name, page", "GET", "/", []string{"Host", "evil.example"}, 421, "DNS rebinding"},
		{"loopback name, other port", "GET", "/api/health", []string{"Host", "localhost:1"}, 421, "DNS rebinding"},
		{"same origin", "POST", "/api/run", []string{"Origin", ts.URL}, 200, ""},
		{"allowed origin", "POST", "/api/run", []string{"Origin", "https://school.example"}, 200, ""},
		{"json with charset", "POST", "/api/run", []string{"Content-Type", "application/json; charset=utf-8"}, 200, ""},
		{"localhost", "POST", "/api/run", []string{"Host", "localhost:" + port}, 200, ""},
		{"IPv6 loopback name", "GET", "/api/health", []string{"Host", "[::1]:" + port}, 200, ""},
		{"allowed origin's host (a proxy)", "GET", "/api/health", []string{"Host", "school.example"}, 200, ""},
		// GETs change nothing: another origin may read the catalog.
		{"GET from another origin", "GET", "/api/workloads", []string{"Origin", "http://evil.example"}, 200, ""},
	} {
		b := ""
		if tc.method == "POST" {
			b = body
		}
		runs := len(ts.logs.lines("native run"))
		resp, got := ts.do(t, tc.method, tc.path, b, tc.hdr...)
		if resp.StatusCode != tc.status || !strings.Contains(string(got), tc.msg) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, resp.StatusCode, got, tc.status, tc.msg)
		}
		if ran := len(ts.logs.lines("native run")) > runs; ran != (tc.status == 200 && tc.method == "POST") {
			t.Errorf("%s: a native run started: %v", tc.name, ran)
		}
	}
}

// One log line per refused request, saying why (a 429 wrote two).
func TestOneLogLinePerRefusal(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Cores = 1; c.MaxChildren = 1; c.MaxQueue = -1 })
	release := holdSlot(t, ts)
	defer release()
	for _, tc := range []struct {
		body   string
		hdr    []string
		status int
	}{
		{quickBody("countdown", workloads.Sequential, 1, 1), nil, 429},
		{`{"workload":"countdown","workers":99}`, nil, 400},
		{quickBody("countdown", workloads.Sequential, 1, 1), []string{"Origin", "http://evil.example"}, 403},
	} {
		before := ts.logs.count()
		resp, _ := ts.do(t, "POST", "/api/run", tc.body, tc.hdr...)
		if resp.StatusCode != tc.status {
			t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
		}
		time.Sleep(10 * time.Millisecond)
		if n := ts.logs.count() - before; n != 1 {
			t.Errorf("a %d answer wrote %d log lines, want 1", tc.status, n)
		}
		reqs := ts.logs.lines("request")
		if last := reqs[len(reqs)-1]; last["status"] != float64(tc.status) || last["error"] == nil || last["error"] == "" {
			t.Errorf("the %d's log line does not say why: %v", tc.status, last)
		}
	}
}

// The page's Open Graph URLs are absolute on the server's origin (they
// were "https://" and "https:///web/icon-512.png").
func TestPageOpenGraph(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/", "")
	page := string(body)
	for prop, want := range map[string]string{
		"og:url":   ts.URL + "/",
		"og:image": ts.URL + "/web/icon-512.png",
	} {
		// go-app writes a tag's attributes in any order.
		tag := regexp.MustCompile(`<meta [^>]*property="` + prop + `"[^>]*>`).FindString(page)
		if !strings.Contains(tag, `content="`+want+`"`) {
			t.Errorf("%s: %q, want content %q", prop, tag, want)
		}
	}
	if strings.Contains(page, `"https://`) {
		t.Errorf("the page still has a URL without a host:\n%s", regexp.MustCompile(`.*"https://.*`).FindAllString(page, -1))
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %d for %d bytes", resp.ContentLength, len(body))
	}
}
