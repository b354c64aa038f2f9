//go:build !wasm

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"conlab/app/internal/proctest"
	"conlab/workloads"
)

// The test binary doubles as the conlab executable of the child
// processes (the helper-process pattern): with helperEnv set it does what
// the mode says instead of running tests.
const helperEnv = "CONLAB_SERVER_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "conlab":
		os.Exit(helperConlab(os.Args[1:]))
	case "hang":
		helperHang()
	case "sleeper":
		signal.Ignore(syscall.SIGTERM)
		time.Sleep(time.Hour)
		os.Exit(0)
	default:
		fmt.Fprintln(os.Stderr, "unknown helper mode", os.Getenv(helperEnv))
		os.Exit(3)
	}
}

// helperConlab is the part of the conlab command that children run.
func helperConlab(args []string) int {
	switch {
	case len(args) > 0 && args[0] == "child":
		return workloads.ChildMain(args[1:], os.Stdout, os.Stderr)
	case strings.Join(args, " ") == "run -json -request -":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		if err := RunJSON(ctx, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "conlab:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "helper: unexpected arguments %q\n", args)
	return 2
}

// helperHang is a child that ignores its deadline and SIGTERM and has a
// child of its own: only killing the process group ends both.
func helperHang() {
	signal.Ignore(syscall.SIGTERM)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=sleeper")
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	fmt.Fprintf(os.Stderr, "pids %d %d\n", os.Getpid(), cmd.Process.Pid)
	time.Sleep(time.Hour)
	os.Exit(0)
}

// testSpawner runs children as this test binary in the given helper mode.
// Built with -race, a binary sleeps a second at exit for late reports;
// children skip that (a race still makes a child exit with code 66). The
// kill grace is long so that a slow start on a busy machine is not taken
// for a hang.
func testSpawner(mode string) *Spawner {
	return &Spawner{Exe: os.Args[0], Env: []string{helperEnv + "=" + mode, "GORACE=atexit_sleep_ms=0 " + os.Getenv("GORACE")}, KillGrace: 10 * time.Second}
}

// logBuffer collects a server's JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// count returns the number of log records.
func (b *logBuffer) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), "\n")
}

// lines returns the log records whose msg is msg.
func (b *logBuffer) lines(msg string) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(b.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

type testServer struct {
	*Server
	URL  string
	logs *logBuffer
	web  string // the web root
}

// newTestServer starts a server on a loopback port with a small site and
// children run by this test binary. mod adjusts the config.
func newTestServer(t *testing.T, mod func(*Config)) *testServer {
	t.Helper()
	public := t.TempDir()
	web := filepath.Join(public, "web")
	if err := os.MkdirAll(web, 0o755); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	cfg := Config{
		Public:  public,
		Spawner: testSpawner("conlab"),
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		hs.Close()
		s.Close()
		checkNoChildren(t)
	})
	return &testServer{Server: s, URL: hs.URL, logs: logs, web: web}
}

func (ts *testServer) do(t *testing.T, method, path, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		// What the lab's pages send; tests of the guard override it.
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, []byte(readAll(t, resp))
}

// readAll reads and closes resp's body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkNoChildren fails if a process started by this one is still alive:
// every child must have been killed and reaped.
func checkNoChildren(t *testing.T) {
	t.Helper()
	var left []int
	for range 50 {
		left = proctest.Children(os.Getpid())
		if len(left) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("child processes left behind: %v", left)
}

// mustPrepare decodes a request body and prepares it for a native run, as
// the server does; any error ends the test.
func mustPrepare(t *testing.T, body string) (workloads.Request, *workloads.Job) {
	t.Helper()
	req, err := DecodeRequest(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	job, err := PrepareNative(req)
	if err != nil {
		t.Fatal(err)
	}
	return req, job
}
