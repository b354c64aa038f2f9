//go:build !wasm

package server

import (
	"bytes"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The Open Graph URLs of go-app's page: go-app writes "https://" + its
// Domain + the path, and this server has no fixed domain, so they come
// out as "https://" and "https:///web/icon-512.png". (go-app writes a
// tag's attributes in any order.)
var (
	metaTag   = regexp.MustCompile(`<meta [^>]*>`)
	ogURLProp = regexp.MustCompile(`property="og:(?:url|image)"`)
	noHostURL = regexp.MustCompile(`content="https://(/[^"]*)?"`)
)

// servePage serves what go-app's handler answers, with the page's Open
// Graph URLs made absolute on the origin the request reached.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	pw := &pageWriter{ResponseWriter: w, status: http.StatusOK}
	s.ui.ServeHTTP(pw, r)
	body := pw.buf.Bytes()
	if strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		body = absoluteOG(body, r)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(pw.status)
	w.Write(body)
}

// absoluteOG makes the Open Graph URLs of a page absolute on the origin
// r reached (its scheme and Host, which checkHost vetted on a loopback
// address).
func absoluteOG(page []byte, r *http.Request) []byte {
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	origin := html.EscapeString(scheme + r.Host)
	return metaTag.ReplaceAllFunc(page, func(tag []byte) []byte {
		if !ogURLProp.Match(tag) {
			return tag
		}
		return noHostURL.ReplaceAllFunc(tag, func(m []byte) []byte {
			path := string(noHostURL.FindSubmatch(m)[1])
			if path == "" {
				path = "/"
			}
			return []byte(`content="` + origin + path + `"`)
		})
	})
}

// pageWriter holds an answer of go-app's handler until servePage has
// fixed it.
type pageWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (p *pageWriter) WriteHeader(code int)        { p.status = code }
func (p *pageWriter) Write(b []byte) (int, error) { return p.buf.Write(b) }
