//go:build !wasm

package server

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"conlab/app/internal/site"
)

// labPages serves the lab's pages (index.html, app.js, app.css, the web
// manifest) and its service worker as `conlab static` writes them (see
// package site): the same service worker and update prompt, so a reader
// of the server gets the lab offline after one visit and is offered a
// new version only when the files served have changed.
//
// A version is named by the files of the web root (public/web, and the
// download lesson's pages the server answers when they are not there);
// when one changes (a rebuild while the server runs), the next check of
// the service worker finds a new script, which installs beside the version
// in use and waits for the reader to accept it.
type labPages struct {
	dir string // the web root
	log *slog.Logger

	mu    sync.Mutex
	sums  map[string]statSum // by path from the lab's root: "web/app.wasm"
	build *labBuild          // the pages of the last version seen
}

// statSum is a file's digest and the size and time it was taken at.
type statSum struct {
	size int64
	mod  time.Time
	sum  site.Digest
}

// labBuild is one version's pages.
type labBuild struct {
	version string
	files   map[string]site.Digest // every file but the pages
	pages   map[string][]byte
	etags   map[string]string
}

func newLabPages(dir string, log *slog.Logger) *labPages {
	return &labPages{dir: dir, log: log, sums: map[string]statSum{}}
}

// has reports whether path is one of the lab's pages.
func (p *labPages) has(path string) bool {
	switch path {
	case "/", "/index.html", "/" + site.SWName:
		return true
	}
	for _, name := range site.PageNames {
		if path == "/"+name {
			return true
		}
	}
	return false
}

// current returns the pages of the version the web root holds now.
func (p *labPages) current() (*labBuild, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	files := map[string]site.Digest{}
	seen := map[string]bool{}
	err := filepath.WalkDir(p.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == p.dir && os.IsNotExist(err) {
				return fs.SkipAll // not built yet: a lab of pages only
			}
			return err
		}
		rel, err := filepath.Rel(p.dir, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !site.Ships(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		name := "web/" + rel
		seen[name] = true
		if s, ok := p.sums[name]; ok && s.size == fi.Size() && s.mod.Equal(fi.ModTime()) {
			files[name] = s.sum
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil // removed meanwhile
		}
		s := statSum{size: fi.Size(), mod: fi.ModTime(), sum: site.Sum(b)}
		p.sums[name] = s
		files[name] = s.sum
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the web root %s: %w", p.dir, err)
	}
	for name := range p.sums {
		if !seen[name] {
			delete(p.sums, name)
		}
	}
	// The download lesson's pages, answered from memory when the web
	// root does not hold them (see route).
	for name, b := range pageFiles() {
		if _, ok := files[name]; !ok {
			files[name] = site.Sum(b)
		}
	}
	version := site.Version(files)
	if p.build != nil && p.build.version == version {
		return p.build, nil
	}
	pages, err := site.Pages(version, true)
	if err != nil {
		return nil, err
	}
	b := &labBuild{version: version, files: files, pages: pages, etags: map[string]string{}}
	for name, body := range pages {
		sum := site.Sum(body)
		b.etags[name] = `"` + hex.EncodeToString(sum[:8]) + `"`
	}
	if p.build != nil {
		p.log.Info("the lab's files changed: readers are offered the new version", "version", version, "was", p.build.version)
	}
	p.build = b
	return b, nil
}

// ServeHTTP serves one of the lab's pages (see has).
func (p *labPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	b, err := p.current()
	if err != nil {
		p.log.Error("making the lab's pages", "err", err)
		http.Error(w, "the lab's pages could not be made: "+err.Error(), http.StatusInternalServerError)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "" {
		name = "index.html"
	}
	var body []byte
	var etag string
	switch name {
	case "index.html":
		body = b.index(r)
		sum := site.Sum(body)
		etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	case site.SWName:
		body, err = b.serviceWorker(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		sum := site.Sum(body)
		etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	default:
		body, etag = b.pages[name], b.etags[name]
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}

// index is index.html for the origin r reached: its Open Graph URLs are
// absolute on it.
func (b *labBuild) index(r *http.Request) []byte {
	return absoluteOG(b.pages["index.html"], r)
}

// serviceWorker is app-worker.js for the origin r reached: the hash of
// index.html is of the page that origin gets.
func (b *labBuild) serviceWorker(r *http.Request) ([]byte, error) {
	files := make(map[string]site.Digest, len(b.files)+len(b.pages))
	for name, d := range b.files {
		files[name] = d
	}
	for name, body := range b.pages {
		files[name] = site.Sum(body)
	}
	files["index.html"] = site.Sum(b.index(r))
	return site.ServiceWorker(b.version, files)
}
