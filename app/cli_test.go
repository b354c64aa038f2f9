//go:build !wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/webdriver"
	"conlab/app/server"
	"conlab/workloads"
)

// The test binary doubles as conlab for the child processes of baseline
// and serve (the helper-process pattern): with helperEnv set, it is the
// command.
const helperEnv = "CONLAB_MAIN_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	// Children inherit the switch, and skip the second a -race binary
	// sleeps at exit for late reports.
	os.Setenv(helperEnv, "1")
	os.Setenv("GORACE", "atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	os.Exit(m.Run())
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = finish(run(context.Background(), args, &o, &e), &e)
	return o.String(), e.String(), code
}

func TestList(t *testing.T) {
	out, _, code := runCLI(t, "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(workloads.All())+1 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("list:\n%s", out)
	}
	if !regexp.MustCompile(`^countdown\s+CPU\s+Count down`).MatchString(lines[1]) {
		t.Errorf("first row %q", lines[1])
	}
	out, _, code = runCLI(t, "list", "-json")
	var cat []struct {
		workloads.Workload
		Unsupported map[string]string `json:"unsupported"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &cat) != nil || len(cat) != len(workloads.All()) || len(cat[0].Params) == 0 {
		t.Fatalf("list -json: exit %d, %d workloads", code, len(cat))
	}
	// The catalog names the browser modes a lesson cannot run in, as the
	// server's does.
	for _, w := range cat {
		if w.ID == "dbupdate" && !strings.Contains(w.Unsupported["workers"], "own memory") || w.ID == "countdown" && w.Unsupported != nil {
			t.Errorf("list -json: %s unsupported %q", w.ID, w.Unsupported)
		}
	}
}

func TestRunTable(t *testing.T) {
	out, errOut, code := runCLI(t, "run", "-workload", "countdown", "-mode", "goroutines", "-workers", "2", "-gomaxprocs", "2", "-param", "count=2000000", "-compare")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^workload\s+countdown: Count down`),
		regexp.MustCompile(`(?m)^mode\s+goroutines, 2 workers, GOMAXPROCS 2 `),
		regexp.MustCompile(`(?m)^params\s+count=2000000$`),
		regexp.MustCompile(`(?m)^wall\s+[0-9.]+ (ms|s)$`),
		regexp.MustCompile(`(?m)^check\s+ok: value 2000000, expected 2000000$`),
		regexp.MustCompile(`(?m)^speed-up\s+[0-9.]+x vs sequential \([0-9.]+ (ms|s)\)$`),
		regexp.MustCompile(`(?m)^\s+lane\s+tasks\s+running\s+waiting\s+blocked`),
	} {
		if !want.MatchString(out) {
			t.Errorf("missing %v in:\n%s", want, out)
		}
	}
	// One row per lane that ran tasks; the two tasks are spread over
	// them as the goroutines took them.
	tasks := 0
	for _, m := range regexp.MustCompile(`(?m)^\s+([01])\s+([12])\s+[0-9.]+ ms\s+0\s+0\s`).FindAllStringSubmatch(out, -1) {
		tasks += int(m[2][0] - '0')
	}
	if tasks != 2 {
		t.Errorf("lane rows do not account for the 2 tasks:\n%s", out)
	}
}

func TestRunJSONRoundTrips(t *testing.T) {
	out, errOut, code := runCLI(t, "run", "-workload", "sleep", "-mode", "goroutines", "-workers", "3", "-param", "tasks=3", "-param", "unit=2", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res workloads.Result
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("not a Result: %v\n%s", err, out)
	}
	if res.Workload != "sleep" || res.Mode != workloads.Goroutines || res.Workers != 3 || !res.Check.OK || len(res.Spans) == 0 || res.Facts.Engine != "native" {
		t.Errorf("result %+v", res)
	}
	// -compare -json: both results and the speed-up.
	out, _, code = runCLI(t, "run", "-workload", "countdown", "-workers", "2", "-param", "count=1000", "-compare", "-json")
	var c comparison
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil || c.Result == nil || c.Sequential == nil || c.Sequential.Mode != workloads.Sequential || c.Speedup <= 0 {
		t.Errorf("-compare -json: exit %d: %s", code, out)
	}
}

// The child protocol: the request on stdin, the result on stdout.
func TestRunRequestFromStdin(t *testing.T) {
	stdin = strings.NewReader(`{"workload":"countdown","mode":"sequential","workers":2,"params":{"count":10}}`)
	defer func() { stdin = os.Stdin }()
	out, errOut, code := runCLI(t, "run", "-json", "-request", "-")
	var res workloads.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Check.Value != "10" {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	_, errOut, code = runCLI(t, "run", "-json", "-request", "-", "-workers", "2")
	if code != 2 || !strings.Contains(errOut, "cannot be combined with -request") {
		t.Errorf("mixing -request and flags: exit %d: %s", code, errOut)
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "-workload", "countdown", "-param", "count=0"}, 2, "conlab: parameter count: 0 is out of range; allowed: a whole number from 1 to 20,000,000,000"},
		{[]string{"run", "-workload", "countdown", "-param", "count=lots"}, 2, `parameter count: "lots" is not a whole number`},
		{[]string{"run", "-workload", "countdown", "-param", "cuont=5"}, 2, `workload countdown has no parameter "cuont"`},
		{[]string{"run", "-workload", "countdown", "-param", "count"}, 2, "want name=value"},
		{[]string{"run", "-workload", "countdown", "-param", "count=1", "-param", "count=2"}, 2, "given twice"},
		{[]string{"run", "-workload", "nope"}, 2, `unknown workload "nope"`},
		{[]string{"run", "-workload", "countdown", "-mode", "workers"}, 2, "runs in the browser"},
		{[]string{"run", "-workload", "countdown", "-workers", "0"}, 2, "workers: 0 is out of range"},
		{[]string{"run", "-workload", "countdown", "-workers", "65"}, 2, "workers: 65 is out of range"},
		{[]string{"run", "-workload", "countdown", "-mode", "sequential", "-compare"}, 2, "-compare compares with a sequential run"},
		{[]string{"run", "-workload", "countdown", "-timeout", "0s"}, 2, "timeout"},
		{[]string{"run"}, 2, "-workload is required"},
		{[]string{"run", "-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"run", "-workload", "countdown", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{}, 2, "Usage:"},
		{[]string{"baseline"}, 2, "-o FILE is required"},
		{[]string{"baseline", "-o", "-", "-n", "0", "-workloads", "countdown"}, 2, "n: 0 is out of range"},
		{[]string{"child", "-exit", "3"}, 3, "exit"},
		// A run that fails: exit 1, the error printed, the partial result too.
		{[]string{"run", "-workload", "countdown", "-mode", "sequential", "-param", "count=20000000000", "-timeout", "30ms"}, 1, "conlab: the run exceeded its deadline"},
		{[]string{"run", "-workload", "deadlock", "-workers", "2"}, 1, "conlab: deadlock"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.msg)
			}
		})
	}
	if _, _, code := runCLI(t, "run", "-h"); code != 0 {
		t.Errorf("run -h: exit %d", code)
	}
}

// A deadlock prints its table with the stuck tasks, then fails.
func TestRunDeadlockTable(t *testing.T) {
	out, _, code := runCLI(t, "run", "-workload", "deadlock", "-workers", "2")
	if code != 1 || !regexp.MustCompile(`(?m)^error\s+deadlock`).MatchString(out) || !regexp.MustCompile(`(?m)^stuck\s+task \d+ on lane \d+: `).MatchString(out) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestBaselineCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "baseline.json")
	_, errOut, code := runCLI(t, "baseline", "-o", file, "-n", "2", "-quick", "-workloads", "countdown,sleep", "-timeout", "30s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var b server.Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Results) != 6 || b.Machine.NumCPU == 0 || !b.Quick {
		t.Fatalf("%d results, machine %+v", len(b.Results), b.Machine)
	}
	procs := []int{1, 1, 2, 1, 1, 2}
	for i, r := range b.Results {
		if r.Error != "" || !r.Check.OK || r.Facts.GOMAXPROCS != procs[i] || r.Workers != 2 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	if !strings.Contains(errOut, "wrote 6 runs") || strings.Count(errOut, "gomaxprocs=") != 6 {
		t.Errorf("progress: %s", errOut)
	}
}

// serve answers on the port it printed and shuts down when its context
// is done, leaving no child behind.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-public", t.TempDir()}, w, webdriver.LockedWriter(&errOut))
		w.Close()
	}()
	buf := make([]byte, 200)
	n, err := r.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(buf[:n]))
	if url == "" {
		t.Fatalf("no URL printed: %q", buf[:n])
	}
	body := post(t, url+"/api/run", `{"workload":"countdown","mode":"goroutines","workers":2,"gomaxprocs":2,"params":{"count":1000}}`)
	var res workloads.Result
	if err := json.Unmarshal(body, &res); err != nil || !res.Check.OK || res.Facts.GOMAXPROCS != 2 {
		t.Errorf("run through serve: %s", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "4GB": 4 << 30, "512MB": 512 << 20, "512 MiB": 512 << 20, "100kb": 100 << 10, "12345": 12345, "7B": 7} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1GB", "1.5GB", "GB", "99999999999GB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}
