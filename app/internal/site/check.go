//go:build !wasm

package site

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// swTemplate is the service worker; __VERSION__ and __FILES__ are filled
// in by ServiceWorker.
//
//go:embed sw.js
var swTemplate string

// integrity is the Subresource Integrity hash of b.
func integrity(d Digest) string {
	return "sha256-" + base64.StdEncoding.EncodeToString(d[:])
}

// textExts are the files checkSite reads as text.
var textExts = map[string]bool{".html": true, ".js": true, ".css": true, ".json": true, ".webmanifest": true, ".svg": true, ".txt": true, "": true}

// remoteURL finds absolute http(s) URLs.
var remoteURL = regexp.MustCompile(`https?://[^\s"'<>()\\]*`)

// xmlNamespace is an XML namespace name: an identifier written as a URL,
// never fetched.
var xmlNamespace = regexp.MustCompile(`xmlns(:[a-z]+)?=["']$`)

// checkSite verifies the finished site: no file still holds the
// placeholder prefix, and no text file points at another host (URLs in
// code comments and XML namespace names, which nothing loads, are
// allowed).
func checkSite(files map[string][]byte) error {
	var problems []string
	for _, name := range sortedKeys(files) {
		if !textExts[path.Ext(name)] {
			continue
		}
		b := files[name]
		if bytes.Contains(b, []byte(placeholder)) {
			problems = append(problems, name+": still holds the build's placeholder prefix "+placeholder)
		}
		for _, u := range RemoteURLs(name, b) {
			problems = append(problems, fmt.Sprintf("%s:%d: points at another host: %s", name, u.Line, u.URL))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("site: the site is not self-contained:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// A Remote is an absolute URL found in a text file.
type Remote struct {
	Line int
	URL  string
}

// RemoteURLs returns the absolute http(s) URLs of a text file named name
// that a browser could load: URLs in JavaScript or CSS comments and XML
// namespace names are left out.
func RemoteURLs(name string, b []byte) []Remote {
	text := string(b)
	var comment []bool
	if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") {
		comment = comments(text)
	}
	var out []Remote
	for _, loc := range remoteURL.FindAllStringIndex(text, -1) {
		if comment != nil && comment[loc[0]] {
			continue
		}
		lineStart := strings.LastIndexByte(text[:loc[0]], '\n') + 1
		if xmlNamespace.MatchString(text[lineStart:loc[0]]) {
			continue
		}
		out = append(out, Remote{Line: strings.Count(text[:loc[0]], "\n") + 1, URL: text[loc[0]:loc[1]]})
	}
	return out
}

// comments marks the bytes of JavaScript or CSS source that are inside a
// comment, skipping string literals so that "http://..." and "a/*b" in
// strings start none.
func comments(text string) []bool {
	in := make([]bool, len(text))
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case strings.HasPrefix(text[i:], "/*"):
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				end = len(text)
			} else {
				end += i + 4
			}
			for ; i < end; i++ {
				in[i] = true
			}
		case strings.HasPrefix(text[i:], "//"):
			for ; i < len(text) && text[i] != '\n'; i++ {
				in[i] = true
			}
		case c == '"' || c == '\'' || c == '`':
			for i++; i < len(text) && text[i] != c; i++ {
				if text[i] == '\\' {
					i++
				} else if text[i] == '\n' && c != '`' {
					break // an unterminated string ends with its line
				}
			}
			i++
		default:
			i++
		}
	}
	return in
}
