//go:build js && wasm

package jsenv

import "github.com/hack-pad/safejs"

// Isolated reports whether the page (or worker) is cross-origin isolated
// (crossOriginIsolated), which SharedArrayBuffer needs.
func Isolated() bool {
	v, err := Get(Global(), "crossOriginIsolated")
	if err != nil {
		return false
	}
	b, err := v.Bool()
	return err == nil && b
}

// HardwareConcurrency returns navigator.hardwareConcurrency, or 1 when the
// browser does not say. Browsers may round it or report more cores than
// they run at once: Cores measures.
func HardwareConcurrency() int {
	v, err := Get(Global(), "navigator", "hardwareConcurrency")
	if err != nil || v.Type() != safejs.TypeNumber {
		return 1
	}
	n, err := v.Int()
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// BaseURL is what relative fetches resolve against: the document's base
// URI, or in a worker its location; "" when neither can be read.
func BaseURL() string {
	for _, path := range [][]string{{"document", "baseURI"}, {"location", "href"}} {
		if v, err := Get(Global(), path...); err == nil && v.Type() == safejs.TypeString {
			s, _ := v.String()
			return s
		}
	}
	return ""
}
