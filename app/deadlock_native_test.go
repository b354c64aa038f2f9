package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"conlab/workloads"
)

// conlab built as make builds it (without cgo) shows Go's runtime's own
// verdict on the deadlock lesson natively: its child program starts before
// any signal handler, so the runtime can declare the deadlock, and the
// result carries "fatal error: all goroutines are asleep - deadlock!" beside
// the watchdog's report.
func TestDeadlockRuntimeVerdictNatively(t *testing.T) {
	if testing.Short() {
		t.Skip("builds conlab without cgo; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "conlab")
	build := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin, "run", "-workload", "deadlock", "-mode", "goroutines", "-workers", "2", "-json")
	cmd.Env = os.Environ()
	out, _ := cmd.Output() // a deadlock is a failed run: exit code 1
	var res workloads.Result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !strings.HasPrefix(res.Error, "deadlock") {
		t.Errorf("no watchdog report: %q", res.Error)
	}
	for _, sp := range res.Spans {
		if e, why, ok := workloads.RuntimeVerdict(sp.Label); ok {
			if why != "" || e.Code != 2 || !strings.Contains(e.Stderr, "fatal error: all goroutines are asleep - deadlock!") {
				t.Errorf("the runtime's verdict: %q %+v", why, e)
			}
			return
		}
	}
	t.Errorf("no verdict of Go's runtime among the spans")
}
