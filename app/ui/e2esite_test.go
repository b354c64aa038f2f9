//go:build !wasm && e2e

package ui

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"conlab/app/internal/browsertest"
)

// The lab the end-to-end tests visit: built once per test binary into a
// temporary site folder, and served by `conlab serve` for each test.

var (
	siteOnce sync.Once
	siteDir  string // holds conlab and public/web
	siteErr  error
)

// TestMain removes the site the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if siteDir != "" {
		os.RemoveAll(siteDir)
	}
	os.Exit(code)
}

// buildSite builds the lab once per test binary.
func buildSite(t *testing.T) string {
	t.Helper()
	siteOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			siteErr = err
			return
		}
		dir, err := os.MkdirTemp("", "conlab-e2e-site-")
		if err != nil {
			siteErr = err
			return
		}
		siteDir = dir
		web := filepath.Join(dir, "public", "web")
		if err := os.MkdirAll(web, 0o755); err != nil {
			siteErr = err
			return
		}
		// The hand-written assets, as the repository has them: not the
		// built binaries, nor their compressed copies (the server would
		// prefer a stale app.wasm.br from an earlier make build).
		src := filepath.Join(root, "public", "web")
		entries, err := os.ReadDir(src)
		if err != nil {
			siteErr = err
			return
		}
		for _, e := range entries {
			if e.IsDir() || strings.Contains(e.Name(), ".wasm") {
				continue
			}
			if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(web, e.Name())); err != nil {
				siteErr = err
				return
			}
		}
		goroot := strings.TrimSpace(run(root, nil, "go", "env", "GOROOT"))
		if err := copyFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"), filepath.Join(web, "wasm_exec.js")); err != nil {
			siteErr = err
			return
		}
		wasmEnv := []string{"GOOS=js", "GOARCH=wasm"}
		steps := []struct {
			env  []string
			args []string
		}{
			// Without cgo, as make builds it: the deadlock lesson's child then
			// gets the Go runtime's own verdict.
			{[]string{"CGO_ENABLED=0"}, []string{"build", "-o", filepath.Join(dir, "conlab"), "./app"}},
			{wasmEnv, []string{"build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(web, "app.wasm"), "./app"}},
			{wasmEnv, []string{"build", "-trimpath", "-ldflags=-s -w", "-tags", browsertest.WorkerTag, "-o", filepath.Join(web, "worker.wasm"), "./wasm/worker"}},
		}
		for _, s := range steps {
			cmd := exec.Command("go", s.args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), s.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				siteErr = fmt.Errorf("go %s: %v\n%s", strings.Join(s.args, " "), err, out)
				return
			}
		}
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteDir
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the conlab module")
	}
	return filepath.Dir(mod), nil
}

func run(dir string, env []string, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.Output()
	return string(out)
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
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
