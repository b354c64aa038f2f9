package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// sample is compressible but not trivial: words drawn at random, as a
// binary's names and tables are, with some random bytes between.
func sample(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"runtime.", "goroutine", "sync.Mutex", "\x00\x01\x02", "workloads", "chan ", "select"}
	var b bytes.Buffer
	for b.Len() < n {
		if r.IntN(8) == 0 {
			b.WriteByte(byte(r.Uint32()))
			continue
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.Bytes()[:n]
}

func decompress(t *testing.T, path string, open func(io.Reader) (io.Reader, error)) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := open(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func gunzip(r io.Reader) (io.Reader, error)   { return gzip.NewReader(r) }
func unbrotli(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }

func TestCompressRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		size    int
		quality int
	}{
		{"empty", 0, 11},
		{"small best", 10_000, 11},
		{"larger quick", 300_000, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "x.wasm")
			raw := sample(tc.size)
			if err := os.WriteFile(name, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Compress(context.Background(), name, tc.quality)
			if err != nil {
				t.Fatal(err)
			}
			if s.Raw != int64(len(raw)) {
				t.Errorf("Raw = %d, want %d", s.Raw, len(raw))
			}
			for _, c := range []struct {
				ext  string
				size int64
				open func(io.Reader) (io.Reader, error)
			}{{".gz", s.Gzip, gunzip}, {".br", s.Brotli, unbrotli}} {
				fi, err := os.Stat(name + c.ext)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Size() != c.size {
					t.Errorf("%s: reported %d bytes, wrote %d", c.ext, c.size, fi.Size())
				}
				if fi.Mode().Perm() != 0o644 {
					t.Errorf("%s: mode %v, want 0644 (a web server's user must read it)", c.ext, fi.Mode().Perm())
				}
				if got := decompress(t, name+c.ext, c.open); !bytes.Equal(got, raw) {
					t.Errorf("%s does not decompress to the file (%d bytes, want %d)", c.ext, len(got), len(raw))
				}
				if tc.size >= 10_000 && c.size >= int64(tc.size)/2 {
					t.Errorf("%s: %d bytes of %d: not compressed", c.ext, c.size, tc.size)
				}
			}
			assertNoTemp(t, dir)
		})
	}
}

// A failed compression leaves no copy at all, not even an older one: the
// server would send it for the newer file.
func TestCompressFailureRemovesStaleCopies(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "x.wasm")
	if err := os.WriteFile(name, sample(50_000), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".gz", ".br"} {
		if err := os.WriteFile(name+ext, []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compress(ctx, name, 11); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Compress with a cancelled context: err = %v, want interrupted", err)
	}
	for _, ext := range []string{".gz", ".br"} {
		if _, err := os.Stat(name + ext); !os.IsNotExist(err) {
			t.Errorf("%s is still there after a failure (%v)", ext, err)
		}
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", nil, "no file to compress"},
		{"quality too high", []string{"-q", "12", "f"}, "must be 0 to 11"},
		{"quality negative", []string{"-q", "-1", "f"}, "must be 0 to 11"},
		{"quality not a number", []string{"-q", "best", "f"}, "invalid value"},
		{"missing file", []string{filepath.Join(dir, "nope.wasm")}, "no such file"},
		{"a folder", []string{dir}, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stderr)
			if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.want) {
				t.Fatalf("run(%q) = %v (stderr %q), want an error saying %q", tc.args, err, stderr.String(), tc.want)
			}
		})
	}
}

func TestRunVerbose(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.wasm"), filepath.Join(dir, "b.wasm")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, sample(20_000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-q", "4", "-v", a, b}, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if !strings.Contains(stderr.String(), p+": 20000 bytes, gzip ") {
			t.Errorf("-v output %q does not report %s", stderr.String(), p)
		}
		for _, ext := range []string{".gz", ".br"} {
			if _, err := os.Stat(p + ext); err != nil {
				t.Error(err)
			}
		}
	}
}
