//go:build !wasm

package site

import (
	"bytes"
	"strings"
	"testing"
)

// Pages serves both the static site (Open Graph tags dropped: it does
// not know its address) and the server (kept, for it to complete).
func TestPagesOpenGraph(t *testing.T) {
	dropped, err := Pages("v1", false)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := Pages("v1", true)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(dropped["index.html"], []byte("og:url")) || bytes.Contains(dropped["index.html"], []byte("og:image")) {
		t.Errorf("the static site's page keeps the Open Graph tags that need its address")
	}
	page := string(kept["index.html"])
	for _, want := range []string{`content="https:///web/icon-512.png" property="og:image"`, `property="og:url"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the server's page lacks %s", want)
		}
	}
	for name, b := range kept {
		if bytes.Contains(b, []byte(placeholder)) {
			t.Errorf("%s still holds the placeholder", name)
		}
	}
	for _, name := range []string{"app.js", "app.css", "manifest.webmanifest"} {
		if !bytes.Equal(dropped[name], kept[name]) {
			t.Errorf("%s differs with the Open Graph option", name)
		}
	}
	if !strings.Contains(string(kept["app.js"]), `"v1"`) {
		t.Errorf("app.js does not carry the version")
	}
}

func TestShips(t *testing.T) {
	for name, want := range map[string]bool{
		"app.wasm": true, "data/page-001.txt": true, "app.wasm.br": false, "app.wasm.gz": false,
		".DS_Store": false, "data/.tmp/x": false, ".app.wasm.br.123": false,
	} {
		if got := Ships(name); got != want {
			t.Errorf("Ships(%q) = %v, want %v", name, got, want)
		}
	}
}
