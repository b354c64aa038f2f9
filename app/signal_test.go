//go:build !wasm && linux

package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"conlab/app/internal/proctest"
)

// startServe starts `conlab serve` (this test binary) as a process and
// returns it with its URL.
func startServe(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "-addr", "127.0.0.1:0", "-public", t.TempDir()}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no URL: %v", err)
	}
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	return cmd, url
}

// startLongRun posts a run that takes seconds and returns the pid of its
// child process once it exists.
func startLongRun(t *testing.T, serve *exec.Cmd, url string) int {
	t.Helper()
	go func() {
		resp, err := http.Post(url+"/api/run", "application/json", strings.NewReader(`{"workload":"countdown","mode":"sequential","params":{"count":20000000000},"timeout_ms":60000}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if kids := proctest.Children(serve.Process.Pid); len(kids) > 0 {
			return kids[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the run's child process never appeared")
	return 0
}

// SIGTERM: serve stops within its grace and kills the run it was doing.
func TestServeSIGTERM(t *testing.T) {
	serve, url := startServe(t, "-grace", "300ms")
	child := startLongRun(t, serve, url)
	start := time.Now()
	serve.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve ignored SIGTERM")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown took %v with a grace of 300ms", took)
	}
	if !proctest.Gone(child, 2*time.Second) {
		t.Errorf("the run's process %d outlived the server", child)
	}
}

// SIGKILL gives the server no chance to clean up: the kernel's
// parent-death signal still ends its children.
func TestServeSIGKILLLeavesNoOrphan(t *testing.T) {
	serve, url := startServe(t)
	child := startLongRun(t, serve, url)
	serve.Process.Kill()
	serve.Wait()
	if !proctest.Gone(child, 2*time.Second) {
		t.Errorf("the run's process %d is an orphan", child)
	}
}
