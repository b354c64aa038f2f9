//go:build !wasm

package server

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/proctest"
)

// On shutdown, a run that outlives the grace is killed; quick requests
// finish; nothing is left behind.
func TestListenAndServeShutdown(t *testing.T) {
	logs := &logBuffer{}
	s, err := New(Config{
		Public: t.TempDir(), Spawner: testSpawner("conlab"), ShutdownGrace: 300 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	url := <-urls

	status := make(chan int, 1)
	go func() {
		resp, err := http.Post(url+"/api/run", "application/json", strings.NewReader(`{"workload":"countdown","mode":"sequential","params":{"count":20000000000}}`))
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(proctest.Children(os.Getpid())) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	kids := proctest.Children(os.Getpid())
	if len(kids) == 0 {
		t.Fatal("the run's child never started")
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown hangs")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown took %v with a grace of 300ms", took)
	}
	for _, pid := range kids {
		if proctest.Alive(pid) {
			t.Errorf("child %d survived the shutdown", pid)
		}
	}
	// The client got an answer or a closed connection, not a hang.
	select {
	case <-status:
	case <-time.After(5 * time.Second):
		t.Error("the in-flight request never ended")
	}
	if len(logs.lines("shutting down")) != 1 {
		t.Error("no shutdown log line")
	}
	checkNoChildren(t)
}
