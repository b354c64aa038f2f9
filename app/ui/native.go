package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"conlab/workloads"
)

// nativeSource says where the native baseline comes from.
type nativeSource int

const (
	nativeUnknown  nativeSource = iota // not probed yet
	nativeNone                         // no server, no recorded file
	nativeLive                         // conlab serve runs it now
	nativeRecorded                     // the recorded file shipped with the site
)

// machine describes the computer native runs ran on.
type machine struct {
	CPU       string `json:"cpu,omitempty"`
	NumCPU    int    `json:"numcpu,omitempty"`
	GOOS      string `json:"goos,omitempty"`
	GOARCH    string `json:"goarch,omitempty"`
	GoVersion string `json:"go_version,omitempty"`
}

func (m machine) String() string {
	var parts []string
	if m.CPU != "" {
		parts = append(parts, m.CPU)
	}
	if m.NumCPU > 0 {
		parts = append(parts, fmt.Sprintf("%d cores", m.NumCPU))
	}
	if m.GOOS != "" {
		parts = append(parts, m.GOOS+"/"+m.GOARCH)
	}
	if m.GoVersion != "" {
		parts = append(parts, m.GoVersion)
	}
	if len(parts) == 0 {
		return "unknown machine"
	}
	return strings.Join(parts, ", ")
}

// nativeInfo is what the UI knows of the native baseline.
type nativeInfo struct {
	Source  nativeSource
	Why     string // for nativeNone: what was looked for
	URL     string // the recorded file's URL
	Machine machine
	Date    string             // when the recorded baseline was taken
	Quick   bool               // recorded with the quick parameters, not the defaults
	Results []workloads.Result // the recorded runs
}

// baselineFile is the recorded baseline as `conlab baseline` writes it: the
// machine's facts, the date, and one result per run. Decoding is lenient
// about the facts (all optional) and strict about the results (each must
// name its workload), so a damaged file is reported, not half-shown.
type baselineFile struct {
	Format   int                `json:"format"`
	Quick    bool               `json:"quick"`
	Machine  machine            `json:"machine"`
	Date     string             `json:"date"`
	Recorded string             `json:"recorded"`
	Results  []workloads.Result `json:"results"`
}

func decodeBaseline(b []byte) (nativeInfo, error) {
	var f baselineFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nativeInfo{}, fmt.Errorf("the baseline file is not valid JSON: %w", err)
	}
	if f.Format > baselineFormat {
		return nativeInfo{}, fmt.Errorf("the baseline file has format %d, newer than this lab reads (%d)", f.Format, baselineFormat)
	}
	if len(f.Results) == 0 {
		return nativeInfo{}, errors.New("the baseline file holds no results")
	}
	for i, r := range f.Results {
		if r.Workload == "" || r.WallUS < 0 {
			return nativeInfo{}, fmt.Errorf("the baseline file's result %d has no workload or a negative time", i)
		}
	}
	date := f.Date
	if date == "" {
		date = f.Recorded
	}
	m := f.Machine
	if m.NumCPU == 0 && len(f.Results) > 0 {
		// Older files carry the facts only in each result.
		fx := f.Results[0].Facts
		m = machine{CPU: fx.CPU, NumCPU: fx.NumCPU, GOOS: fx.GOOS, GOARCH: fx.GOARCH, GoVersion: fx.GoVersion}
	}
	return nativeInfo{Source: nativeRecorded, Machine: m, Date: readableDate(date), Quick: f.Quick, Results: f.Results}, nil
}

// baselineFormat is the newest baseline file format this UI reads (the
// format of conlab baseline's file, app/server.BaselineFormat).
const baselineFormat = 1

// readableDate shortens an RFC 3339 time to its day; anything else is
// shown as written.
func readableDate(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format("2 January 2006")
	}
	return s
}

// nativeClient talks to the native engine: `conlab serve`'s API when the
// page is served by it, else the recorded baseline file of the site.
type nativeClient struct {
	// API is the absolute URL the API paths are appended to: the page's
	// origin and the site's prefix ("http://127.0.0.1:8080" or
	// "https://school.example/course/lab").
	API string
	// Files are the recorded baseline's URLs, tried in order.
	Files []string
	HTTP  *http.Client
}

func (c *nativeClient) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// probe finds the native baseline: live when /api/health answers like
// conlab serve, else the first recorded file that decodes, else none, with
// a sentence saying what was looked for.
func (c *nativeClient) probe(ctx context.Context) nativeInfo {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var h struct {
		OK        bool   `json:"ok"`
		GoVersion string `json:"go_version"`
		GOOS      string `json:"goos"`
		GOARCH    string `json:"goarch"`
		NumCPU    int    `json:"numcpu"`
		CPU       string `json:"cpu"`
	}
	// A static host may answer any path with its index page: only a JSON
	// health report that says ok counts as a live server.
	if b, err := c.get(ctx, c.API+"/api/health"); err == nil && json.Unmarshal(b, &h) == nil && h.OK {
		return nativeInfo{Source: nativeLive, Machine: machine{CPU: h.CPU, NumCPU: h.NumCPU, GOOS: h.GOOS, GOARCH: h.GOARCH, GoVersion: h.GoVersion}}
	}
	var problems []string
	for _, u := range c.Files {
		b, err := c.get(ctx, u)
		if err != nil {
			continue
		}
		info, err := decodeBaseline(b)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		info.URL = u
		return info
	}
	why := "This page is not served by conlab serve (it has no /api/health), and the site ships no recorded baseline (web/data/baseline.json)."
	if len(problems) > 0 {
		why = "This page is not served by conlab serve, and its recorded baseline could not be used: " + strings.Join(problems, "; ") + "."
	}
	return nativeInfo{Source: nativeNone, Why: why}
}

func (c *nativeClient) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
		return nil, fmt.Errorf("%s: not JSON (%s)", u, ct)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 32<<20))
}

// run runs req on the server. A failed run that still produced a result
// (a run past its deadline) returns both.
func (c *nativeClient) run(ctx context.Context, req workloads.Request) (*workloads.Result, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.API+"/api/run", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.client().Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("the native server did not answer: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the native result: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		var res workloads.Result
		if err := json.Unmarshal(b, &res); err != nil {
			return nil, fmt.Errorf("the native result is not valid JSON: %w", err)
		}
		if res.Error != "" {
			return &res, errors.New(res.Error)
		}
		return &res, nil
	}
	var e struct {
		Error  string            `json:"error"`
		Field  string            `json:"field"`
		Result *workloads.Result `json:"result"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		return nil, fmt.Errorf("the native server answered %s", resp.Status)
	}
	msg := e.Error
	if resp.StatusCode == http.StatusTooManyRequests {
		msg = "the server is busy with other native runs"
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			msg += "; try again in " + ra + " s"
		}
	}
	if e.Field != "" {
		return e.Result, &workloads.ParamError{Field: e.Field, Msg: msg}
	}
	return e.Result, errors.New(msg)
}
