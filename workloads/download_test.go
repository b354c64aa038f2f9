package workloads

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestPageBodyRoundTrip(t *testing.T) {
	for _, id := range []int{0, 7, DownloadPages - 1, MaxPageID} {
		got, err := ParsePage(PageBody(id))
		if err != nil || got != id {
			t.Errorf("ParsePage(PageBody(%d)) = %d, %v", id, got, err)
		}
	}
	for _, bad := range []string{"", "hello", "conlab download page \n", "conlab download page -3\n", "conlab download page x\n"} {
		if _, err := ParsePage([]byte(bad)); err == nil {
			t.Errorf("ParsePage(%q) succeeded", bad)
		}
	}
	files := DownloadFiles()
	if len(files) != DownloadPages || string(files["web/data/page-007.txt"]) != string(PageBody(7)) {
		t.Errorf("DownloadFiles: %d files, page 7 = %q", len(files), files["web/data/page-007.txt"])
	}
}

func TestParseDelayQuery(t *testing.T) {
	ok := []struct {
		q      string
		ms, id int
	}{
		{"ms=0&id=0", 0, 0},
		{"ms=5000&id=999999&run=abc", 5000, 999999},
		{"id=3&ms=20&other=x", 20, 3},
	}
	for _, c := range ok {
		q, _ := url.ParseQuery(c.q)
		ms, id, err := ParseDelayQuery(q)
		if err != nil || ms != c.ms || id != c.id {
			t.Errorf("%s: got %d, %d, %v", c.q, ms, id, err)
		}
	}
	bad := map[string]string{
		"id=1":            "ms",
		"ms=1":            "id",
		"ms=-1&id=1":      "ms",
		"ms=5001&id=1":    "ms",
		"ms=1e3&id=1":     "ms",
		"ms=1&ms=2&id=1":  "ms",
		"ms=1&id=1000000": "id",
		"ms=1&id=":        "id",
		"ms=1&id=1&run=" + strings.Repeat("x", 65): "run",
	}
	for raw, field := range bad {
		q, _ := url.ParseQuery(raw)
		_, _, err := ParseDelayQuery(q)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != field {
			t.Errorf("%q: got %v, want a ParamError on %s", raw, err, field)
		}
	}
}

func FuzzParseDelayQuery(f *testing.F) {
	for _, s := range []string{"ms=1&id=2", "ms=5000&id=999999&run=x", "ms=&id=", "ms=99999999999999999999&id=1", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		ms, id, err := ParseDelayQuery(q)
		if err == nil && (ms < 0 || ms > MaxDelayMS || id < 0 || id > MaxPageID) {
			t.Fatalf("%q accepted out of bounds: ms=%d id=%d", raw, ms, id)
		}
	})
}

// Both sources check out in every engine mode (natively over the loopback
// server, in wasm through the in-process page env).
func TestDownloadSources(t *testing.T) {
	for _, source := range []string{"api", "static"} {
		for _, mode := range Modes {
			res, err := Run(context.Background(), Request{Workload: "download", Mode: mode, Workers: 4,
				Params: map[string]any{"pages": 9, "delay": 1, "source": source}}, Options{Env: testEnv(t)})
			if err != nil {
				t.Fatalf("%s/%s: %v", source, mode, err)
			}
			if !res.Check.OK || res.Check.Value != "45" {
				t.Errorf("%s/%s: check %+v", source, mode, res.Check)
			}
		}
	}
}

// Fetches overlap: sequential takes at least pages×delay, four lanes about a
// quarter of it.
func TestDownloadShape(t *testing.T) {
	const pages, delay = 12, 40 // ms
	run := func(mode Mode, n int) int64 {
		res, err := Run(context.Background(), Request{Workload: "download", Mode: mode, Workers: n,
			Params: map[string]any{"pages": pages, "delay": delay}}, Options{Env: testEnv(t)})
		if err != nil || !res.Check.OK {
			t.Fatalf("%s/%d: %v %+v", mode, n, err, res)
		}
		return res.WallUS
	}
	seq, par := run(Sequential, 1), run(Goroutines, 4)
	if seq < pages*delay*1000 {
		t.Errorf("sequential %d µs, less than %d pages × %d ms", seq, pages, delay)
	}
	if par < pages/4*delay*1000 || float64(seq)/float64(par) < 2 {
		t.Errorf("4 lanes %d µs vs sequential %d µs: want about 4× faster, at least 2×", par, seq)
	}
}

func ExampleDelayURL() {
	fmt.Println(DelayURL(200, 7, "k3x9"))
	fmt.Println(DownloadFile(7) + "?run=k3x9")
	fmt.Print(string(PageBody(7)))
	// Output:
	// /api/delay?ms=200&id=7&run=k3x9
	// web/data/page-007.txt?run=k3x9
	// conlab download page 7
}

// queryEscape stands in for url.QueryEscape, which workers do not link.
func TestQueryEscapeIsURLs(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{"", "k3x9", "a b+c&d=e/f?g#h%i", "é世界", string(all)} {
		if got, want := queryEscape(s), url.QueryEscape(s); got != want {
			t.Errorf("queryEscape(%q) = %q, want %q", s, got, want)
		}
	}
}
