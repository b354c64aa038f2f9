//go:build !(js && wasm)

package proto

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// The other speakers of the protocol state its version in their own
// source, which cannot import this package: the worker's bootstrap script
// (its constant and the boot message its comment shows) and the
// benchmark's floor worker. Each says Version. The test reads their
// files, so it runs natively (a browser test has no file system).
func TestVersionsAgree(t *testing.T) {
	for _, c := range []struct{ file, pattern string }{
		{"../../../public/web/worker.js", `const VERSION = (\d+);`},
		{"../../../public/web/worker.js", `\{v: (\d+), kind: "boot"`},
		{"../floorworker/main.go", `const version = (\d+)`},
		{"proto.go", `\{v: (\d+), kind: "task"`},
	} {
		src, err := os.ReadFile(filepath.FromSlash(c.file))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(c.pattern).FindAllSubmatch(src, -1)
		if len(m) != 1 {
			t.Errorf("%s: %d matches of %q, want 1", c.file, len(m), c.pattern)
			continue
		}
		if v, _ := strconv.Atoi(string(m[0][1])); v != Version {
			t.Errorf("%s says version %d (%s), proto.Version is %d", c.file, v, m[0][0], Version)
		}
	}
}
