//go:build !wasm && linux

package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"conlab/workloads"
)

// Finding 4, for real: with no file descriptor left, a run is answered
// 503 with Retry-After ("pipe2: too many open files" was a 500).
func TestOutOfFilesIs503(t *testing.T) {
	sp := testSpawner("conlab")
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	low := rl
	low.Cur = uint64(len(fds)) // every descriptor in use: the next pipe fails
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	_, err = sp.Run(context.Background(), workloads.Request{Workload: "countdown", Mode: workloads.Sequential, Workers: 1, Params: map[string]any{"count": 1}})
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	if err == nil {
		t.Fatal("a run started with no file descriptor left")
	}
	t.Logf("run with no descriptor left: %v", err)
	rec := httptest.NewRecorder()
	writeError(rec, err)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "file descriptors") {
		t.Errorf("%v answered %d %q: %s", err, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}
