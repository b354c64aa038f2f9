//go:build !wasm

package site

import (
	"slices"
	"testing"
)

func TestRemoteURLs(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"a.js", "// see https://go.dev/issue/1\nfetch(\"https://cdn.example/x.js\");", []string{"https://cdn.example/x.js"}},
		{"a.js", "x = 1; // https://ok.example/in/a/comment", nil},
		{"a.js", "/* a block\n   https://ok.example/\n*/ load('http://bad.example/')", []string{"http://bad.example/"}},
		{"a.js", `const u = "http://bad.example/"; // http://ok.example/`, []string{"http://bad.example/"}},
		{"a.js", `const glob = "web/*.js"; fetch("https://bad.example/")`, []string{"https://bad.example/"}},
		{"a.css", "@import url(https://fonts.example/css);", []string{"https://fonts.example/css"}},
		{"i.svg", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image href="https://bad.example/i.png"/></svg>`, []string{"https://bad.example/i.png"}},
		{"index.html", `<a href="https://elsewhere.example/">x</a> <!-- https://also.example/ -->`, []string{"https://elsewhere.example/", "https://also.example/"}},
		{"page-001.txt", "conlab download page 1\n", nil},
	} {
		var got []string
		for _, r := range RemoteURLs(tc.name, []byte(tc.text)) {
			got = append(got, r.URL)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("RemoteURLs(%s, %q) = %v, want %v", tc.name, tc.text, got, tc.want)
		}
	}
}
