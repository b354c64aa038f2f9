//go:build !wasm

package server

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// static serves the files of one directory (the web root, public/web) at
// /web/: correct MIME types, pre-compressed variants (X.br, X.gz) chosen
// by Accept-Encoding, validators for revalidation, and long-lived caching
// only for URLs that carry a version. Directories are not listed and
// dotfiles are not served.
type static struct {
	dir string

	mu   sync.Mutex
	root *os.Root // opened on first use: the site may be built after start
}

// contentTypes fixes the types that matter to the lab instead of trusting
// the system's mime.types: browsers refuse to stream-compile wasm served
// as anything but application/wasm, and module scripts need a JS type.
var contentTypes = map[string]string{
	".wasm":        "application/wasm",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".css":         "text/css; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".txt":         "text/plain; charset=utf-8",
	".py":          "text/plain; charset=utf-8",
	".go":          "text/plain; charset=utf-8",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// encodings are the pre-compressed variants, in order of preference.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// hashed matches file names that carry a content hash (app.3f9a12bc.wasm).
var hashed = regexp.MustCompile(`\.[0-9a-f]{8,}\.[a-z0-9]+$`)

// versioned reports whether the URL names one version of a file forever:
// a ?v= query or a hashed name. Such URLs may be cached for a year.
func versioned(r *http.Request, name string) bool {
	return r.URL.Query().Get("v") != "" || hashed.MatchString(name)
}

func (s *static) open() (*os.Root, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.root == nil {
		r, err := os.OpenRoot(s.dir)
		if err != nil {
			return nil, err
		}
		s.root = r
	}
	return s.root, nil
}

// close releases the directory.
func (s *static) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.root != nil {
		s.root.Close()
		s.root = nil
	}
}

// ServeHTTP serves /web/NAME.
func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, strings.TrimPrefix(r.URL.Path, "/web/"))
}

// serve serves the file name (relative to the web root).
func (s *static) serve(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" || strings.HasPrefix(name, ".") || strings.Contains(name, "/.") {
		http.NotFound(w, r)
		return
	}
	root, err := s.open()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	if versioned(r, name) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}

	served, enc := name, ""
	varies := false
	accept := r.Header.Get("Accept-Encoding")
	for _, e := range encodings {
		if st, err := root.Stat(name + e.ext); err == nil && st.Mode().IsRegular() {
			varies = true
			if enc == "" && accepts(accept, e.name) {
				served, enc = name+e.ext, e.name
			}
		}
	}
	if varies {
		h.Add("Vary", "Accept-Encoding")
	}
	f, err := root.Open(served)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if enc != "" {
		h.Set("Content-Encoding", enc)
	}
	// A validator per variant: size and time change with every rebuild.
	h.Set("ETag", fmt.Sprintf(`"%x-%x%s"`, st.ModTime().UnixNano(), st.Size(), enc))
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// accepts reports whether an Accept-Encoding header allows coding: named
// (or matched by *) with a q-value above zero.
func accepts(header, coding string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if name == coding {
			return q > 0
		}
		star = q > 0
	}
	return star
}

// exists reports whether the web root has the regular file name.
func (s *static) exists(name string) bool {
	root, err := s.open()
	if err != nil {
		return false
	}
	st, err := root.Stat(name)
	return err == nil && st.Mode().IsRegular()
}
