//go:build !wasm

package site

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

	"conlab/app/ui"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// This file is what `conlab static` and `conlab serve` share: the pages
// go-app renders, rewritten to be relative to the lab's root, the version
// named by the files' contents, and the service worker that caches one
// version whole and offers the next (sw.js, apppatch.js). The static site
// writes them to a folder; the server answers them from memory.

// PageNames are the pages Pages renders, as served from the lab's root.
var PageNames = []string{"index.html", "app.js", "app.css", "manifest.webmanifest"}

// SWName is the service worker's name at the lab's root.
const SWName = "app-worker.js"

// Digest is the SHA-256 of a file's bytes.
type Digest [sha256.Size]byte

// Sum returns the digest of b.
func Sum(b []byte) Digest { return sha256.Sum256(b) }

var registerOnce sync.Once

// Pages renders the lab's pages for version with go-app's handler and
// makes every URL in them relative to the lab's root (see the package
// doc): the same bytes at the root of a host and under any sub-path.
//
// go-app makes index.html's Open Graph URLs absolute with a domain the
// build does not know ("https:///web/icon-512.png"). With keepOG false
// they are dropped; with keepOG true they are kept in that form, for a
// server that knows its origin to complete.
func Pages(version string, keepOG bool) (map[string][]byte, error) {
	registerOnce.Do(ui.Register)
	h := ui.Handler()
	h.Resources = app.PrefixedLocation(placeholder)
	h.Version = version
	raw := map[string][]byte{}
	for _, name := range PageNames {
		path := "/" + name
		if name == "index.html" {
			path = "/"
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			return nil, fmt.Errorf("site: go-app's handler answered %s with %d (%d bytes); go-app changed: update app/internal/site", path, rec.Code, rec.Body.Len())
		}
		raw[name] = rec.Body.Bytes()
	}
	pages := map[string][]byte{"app.css": raw["app.css"]}
	var err error
	if pages["index.html"], err = rewriteHTML(raw["index.html"], keepOG); err != nil {
		return nil, err
	}
	if pages["app.js"], err = rewriteAppJS(raw["app.js"]); err != nil {
		return nil, err
	}
	if pages["manifest.webmanifest"], err = rewriteManifest(raw["manifest.webmanifest"]); err != nil {
		return nil, err
	}
	return pages, nil
}

// Version names the build made of files (every file but the pages, which
// are made for the version, by path from the lab's root) and of this
// package's service worker and page patch: an unchanged build keeps its
// name, so readers are not offered an update that changes nothing.
func Version(files map[string]Digest) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		d := files[name]
		fmt.Fprintf(h, "%s\x00", name)
		h.Write(d[:])
	}
	h.Write([]byte(swTemplate))
	h.Write([]byte(appPatch))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ServiceWorker returns app-worker.js for a version made of files (by
// path from the lab's root, pages included): every file but the worker
// itself and the static site's marker, with its Subresource Integrity
// hash; index.html is cached as the folder ("./").
func ServiceWorker(version string, files map[string]Digest) ([]byte, error) {
	if _, ok := files["index.html"]; !ok {
		return nil, fmt.Errorf("site: nothing to cache: the lab has no index.html")
	}
	var b strings.Builder
	b.WriteString("[\n")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if name == SWName || name == marker {
			continue
		}
		url := name
		if name == "index.html" {
			url = "./"
		}
		fmt.Fprintf(&b, "  [%s, %s],\n", jsString(url), jsString(integrity(files[name])))
	}
	b.WriteString("]")
	s := strings.NewReplacer("__VERSION__", jsString(version), "__FILES__", b.String()).Replace(swTemplate)
	return []byte(s), nil
}

// Ships reports whether the file name of the web folder (a path below
// it) is part of the lab: dotfiles are not, nor the server's
// pre-compressed copies (X.br, X.gz), which a plain static server would
// serve as files of their own, stale after the next build.
func Ships(name string) bool {
	for part := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return !strings.HasSuffix(name, ".br") && !strings.HasSuffix(name, ".gz")
}
