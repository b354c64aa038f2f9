package browsertest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// A Built is what a test binary builds once for all its tests (the lab's
// binaries, a site), in a temporary folder of its own that TestMain
// removes (Remove) when the tests are done.
type Built struct {
	pattern string
	build   func(ctx context.Context, dir string) (string, error)
	timeout time.Duration

	once sync.Once
	dir  string // the temporary folder
	got  string // what build returned
	err  error
}

// Once returns a Built that, on its first Get, makes a temporary folder
// named by pattern (as os.MkdirTemp) and calls build with it and a
// context of timeout; build returns what the tests use (a path in dir).
func Once(pattern string, timeout time.Duration, build func(ctx context.Context, dir string) (string, error)) *Built {
	return &Built{pattern: pattern, timeout: timeout, build: build}
}

// Get builds on its first call, and returns what was built; a build that
// failed fails every test that calls Get.
func (b *Built) Get(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		start := time.Now()
		if b.dir, b.err = os.MkdirTemp("", b.pattern); b.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		defer cancel()
		if b.got, b.err = b.build(ctx, b.dir); b.err == nil {
			t.Logf("built %s in %v", b.got, time.Since(start).Round(time.Millisecond))
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.got
}

// Remove removes the temporary folder, if Get made one.
func (b *Built) Remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}
