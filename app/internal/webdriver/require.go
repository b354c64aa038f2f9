package webdriver

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing browser
// from a skipped test into a failed one, as CI sets it.
const RequireEnv = "CONLAB_REQUIRE_BROWSERS"

// Require skips t when engine e is not installed, or fails it when
// CONLAB_REQUIRE_BROWSERS=1; -short skips every browser test.
func Require(t testing.TB, e Engine) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end browser tests are skipped with -short")
	}
	if _, err := Find(e); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%v; %s=1 requires it", err, RequireEnv)
		}
		t.Skipf("%v; set %s=1 to make this a failure", err, RequireEnv)
	}
}

// Start launches a browser of engine e for t (see Require), logs which
// build it is, and closes it when t ends; on a failure it logs the
// browser's output and its pages' console errors.
func Start(t testing.TB, e Engine, opt Options) Browser {
	t.Helper()
	Require(t, e)
	log := &LogBuffer{}
	if opt.Log == nil {
		opt.Log = log
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	b, err := Launch(ctx, e, opt)
	if err != nil {
		t.Fatalf("starting %s: %v\n%s", e.Title(), err, log)
	}
	t.Logf("browser: %s (started in %v)", b.Name(), time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		if t.Failed() {
			if errs := b.Page().ConsoleErrors(); len(errs) > 0 {
				t.Logf("%s: the first page's console errors:\n%s", b.Name(), joinLines(errs))
			}
			if s := log.String(); s != "" {
				t.Logf("%s: its output:\n%s", b.Name(), s)
			}
		}
		b.Close()
	})
	return b
}

// ShotDir is where tests write screenshots: $CONLAB_E2E_SHOTS, else
// conlab-e2e in the system's temporary folder.
func ShotDir() string {
	if dir := os.Getenv("CONLAB_E2E_SHOTS"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "conlab-e2e")
}

// SaveScreenshot writes p's screenshot as NAME.png in ShotDir and logs
// where; a failure to take it, or 30 s without it, is logged, not fatal.
func SaveScreenshot(t testing.TB, ctx context.Context, p Page, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	png, err := p.Screenshot(ctx)
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	dir := ShotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
	return file
}

func joinLines(s []string) string {
	out := ""
	for _, l := range s {
		out += "  " + l + "\n"
	}
	return out
}
