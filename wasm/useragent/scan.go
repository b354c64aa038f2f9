package useragent

import "strings"

// tokens are a user agent string's product tokens and comments.
type tokens struct {
	products []product
	comments []string // the text between each pair of parentheses
}

// product is a token "Name/Version" (or a bare word, with no version).
type product struct{ name, version string }

// scan splits ua into product tokens and comments. Unbalanced
// parentheses end the comment at the end of the string.
func scan(ua string) tokens {
	var t tokens
	for i := 0; i < len(ua); {
		switch c := ua[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			depth, j := 0, i
			for ; j < len(ua); j++ {
				if ua[j] == '(' {
					depth++
				} else if ua[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			t.comments = append(t.comments, ua[i+1:min(j, len(ua))])
			i = j + 1
		default:
			j := i
			for j < len(ua) && ua[j] != ' ' && ua[j] != '\t' && ua[j] != '(' {
				j++
			}
			name, version, _ := strings.Cut(ua[i:j], "/")
			t.products = append(t.products, product{name, version})
			i = j
		}
	}
	return t
}

// has reports whether any of names is a product token with a version
// ("Firefox/153.0"; a bare word "Firefox" is not one).
func (t tokens) has(names ...string) bool {
	for _, p := range t.products {
		for _, n := range names {
			if p.name == n && p.version != "" {
				return true
			}
		}
	}
	return false
}

// version is the version of the first product token named name, cleaned
// (see clean).
func (t tokens) version(name string) string {
	for _, p := range t.products {
		if p.name == name && p.version != "" {
			return clean(p.version)
		}
	}
	return ""
}

// major is the major version of the first of names that is a product
// token: Chromium's and Firefox's further parts are always zero.
func (t tokens) major(names ...string) string {
	for _, n := range names {
		if t.has(n) {
			v, _, _ := strings.Cut(t.version(n), ".")
			return v
		}
	}
	return ""
}

// clean keeps the leading digits and dots of v (at most 20 bytes) and
// drops trailing ".0" parts: "17.4.0" is "17.4", "153.0" is "153".
func clean(v string) string {
	n := 0
	for n < len(v) && n < 20 && (v[n] >= '0' && v[n] <= '9' || v[n] == '.') {
		n++
	}
	v = strings.Trim(v[:n], ".")
	for strings.HasSuffix(v, ".0") {
		v = strings.TrimSuffix(v, ".0")
	}
	return v
}

// fields are the parts of the comments, split at ';' and trimmed.
func (t tokens) fields() []string {
	var out []string
	for _, c := range t.comments {
		for f := range strings.SplitSeq(c, ";") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// commentHas reports whether a comment has any of words as one of its
// ';'-separated parts.
func (t tokens) commentHas(words ...string) bool {
	for _, f := range t.fields() {
		for _, w := range words {
			if f == w {
				return true
			}
		}
	}
	return false
}

// commentPrefix reports whether a part of a comment starts with prefix.
func (t tokens) commentPrefix(prefix string) bool {
	for _, f := range t.fields() {
		if strings.HasPrefix(f, prefix) {
			return true
		}
	}
	return false
}

// platform reads the platform from the comments.
func (t tokens) platform() string {
	for _, f := range t.fields() {
		switch {
		case f == "iPad" || strings.HasPrefix(f, "iPad"):
			return "iPad"
		case f == "iPhone" || strings.HasPrefix(f, "iPhone"):
			return "iPhone"
		case f == "iPod" || strings.HasPrefix(f, "iPod"):
			return "iPod"
		}
	}
	for _, f := range t.fields() {
		switch {
		case strings.HasPrefix(f, "Android"):
			return "Android"
		case strings.HasPrefix(f, "CrOS"):
			return "ChromeOS"
		case strings.HasPrefix(f, "Windows"):
			return "Windows"
		case f == "Macintosh" || strings.HasPrefix(f, "Intel Mac OS X") || strings.HasPrefix(f, "PPC Mac OS X"):
			return "macOS"
		}
	}
	for _, f := range t.fields() {
		if strings.HasPrefix(f, "Linux") {
			return "Linux"
		}
	}
	return ""
}
