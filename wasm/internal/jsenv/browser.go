//go:build js && wasm

package jsenv

import (
	"conlab/wasm/useragent"

	"github.com/hack-pad/safejs"
)

// Browser names the browser this code runs in, from navigator.userAgent
// and, where the browser has them, the brands of
// navigator.userAgentData (Chromium's family, in secure contexts). A
// property that cannot be read counts as absent.
func Browser() useragent.Browser {
	return useragent.Parse(UserAgent(), brands()...)
}

// UserAgent returns navigator.userAgent, or "" when it cannot be read.
func UserAgent() string {
	return str(Get(Global(), "navigator", "userAgent"))
}

// brands returns the names in navigator.userAgentData.brands.
func brands() []string {
	list, err := Get(Global(), "navigator", "userAgentData", "brands")
	if err != nil || list.Type() != safejs.TypeObject {
		return nil
	}
	n, err := Get(list, "length")
	if err != nil || n.Type() != safejs.TypeNumber {
		return nil
	}
	count, err := n.Int()
	if err != nil {
		return nil
	}
	var out []string
	for i := range min(count, 16) {
		b, err := list.Index(i)
		if err != nil {
			break
		}
		if name := str(Get(b, "brand")); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// str returns v as a Go string when it is a JavaScript string.
func str(v safejs.Value, err error) string {
	if err != nil || v.Type() != safejs.TypeString {
		return ""
	}
	s, _ := v.String()
	return s
}
