//go:build !wasm

package site

import (
	"bytes"
	"testing"
)

func TestRelativeAndSortAttrs(t *testing.T) {
	for in, want := range map[string]string{"": "./", "/": "./", "/web/a.css": "web/a.css", "?workload=x": "?workload=x", "#main": "#main", "/app.js": "app.js"} {
		if got := relative(in); got != want {
			t.Errorf("relative(%q) = %q, want %q", in, got, want)
		}
	}
	a := sortAttrs([]byte(`<a title="x \"y\"" href="?" class="b" hidden><img src="i" alt=""></a>`))
	b := sortAttrs([]byte(`<a hidden class="b" href="?" title="x \"y\""><img alt="" src="i"></a>`))
	if !bytes.Equal(a, b) || string(a) != `<a class="b" hidden href="?" title="x \"y\""><img alt="" src="i"></a>` {
		t.Errorf("sortAttrs: %s / %s", a, b)
	}
}
