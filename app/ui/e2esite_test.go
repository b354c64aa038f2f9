//go:build !wasm && e2e

package ui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"conlab/app/internal/browsertest"
)

// The lab the end-to-end tests visit: built once per test binary into a
// temporary site folder, and served by `conlab serve` for each test.

// labSite is the lab's site folder: the conlab binary, and public/web as
// make build leaves it.
var labSite = browsertest.Once("conlab-e2e-site-", 15*time.Minute, func(ctx context.Context, dir string) (string, error) {
	lab, err := browsertest.BuildLab(ctx, dir)
	if err != nil {
		return "", err
	}
	if err := lab.CopyWeb(filepath.Join(dir, "public", "web")); err != nil {
		return "", err
	}
	// Without cgo, as make builds it: the deadlock lesson's child then
	// gets the Go runtime's own verdict.
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "conlab"), "./app")
	cmd.Dir = lab.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./app: %v\n%s", err, out)
	}
	return dir, nil
})

// TestMain removes the site the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	labSite.Remove()
	os.Exit(code)
}

// buildSite builds the lab once per test binary, and returns its folder.
func buildSite(t *testing.T) string {
	t.Helper()
	return labSite.Get(t)
}

// serve starts `conlab serve` on a free loopback port and returns its URL.
// The server is stopped when the test ends.
func serve(t *testing.T, site string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(site, "conlab"), "serve", "-addr", "127.0.0.1:0", "-public", filepath.Join(site, "public"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "conlab: serving on "); ok {
				urls <- strings.TrimSuffix(u, "/")
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("conlab serve did not say where it serves")
		return ""
	}
}
