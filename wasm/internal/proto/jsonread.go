package proto

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Reading JSON: the scanner under the walks, as strict as encoding/json.

func (w *walker) space() {
	for w.pos < len(w.in) {
		switch w.in[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// peek returns the next byte that is not white space, or 0 at the end.
func (w *walker) peek() byte {
	w.space()
	if w.pos >= len(w.in) {
		return 0
	}
	return w.in[w.pos]
}

func (w *walker) unexpected() {
	if w.pos >= len(w.in) {
		w.fail("unexpected end of JSON input")
		return
	}
	w.fail("invalid character %q at offset %d", w.in[w.pos], w.pos)
}

func (w *walker) expect(c byte) {
	if w.err != nil {
		return
	}
	if w.peek() != c {
		w.unexpected()
		return
	}
	w.pos++
}

// literal consumes word if it comes next.
func (w *walker) literal(word string) bool {
	w.space()
	if w.err != nil || len(w.in)-w.pos < len(word) || w.in[w.pos:w.pos+len(word)] != word {
		return false
	}
	w.pos += len(word)
	return true
}

// null consumes a null; encoding/json leaves the field as it was.
func (w *walker) null() bool { return w.literal("null") }

// members reads an object ('{', '}') or an array ('[', ']'), calling each
// for every member.
func (w *walker) members(open, close byte, each func()) {
	w.expect(open)
	if w.err != nil {
		return
	}
	if w.depth++; w.depth > maxDepth {
		w.fail("exceeded max depth")
		return
	}
	if w.peek() == close {
		w.pos++
		w.depth--
		return
	}
	for w.err == nil {
		each()
		if w.err != nil {
			return
		}
		switch w.peek() {
		case ',':
			w.pos++
		case close:
			w.pos++
			w.depth--
			return
		default:
			w.unexpected()
		}
	}
}

// number returns the next JSON number's literal.
func (w *walker) number() string {
	w.space()
	if w.err != nil {
		return ""
	}
	s, i := w.in, w.pos
	digits := func() bool {
		j := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		w.pos = i
		w.unexpected()
		return ""
	}
	if i < len(s) && s[i] == '.' {
		if i++; !digits() {
			w.pos = i
			w.unexpected()
			return ""
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			w.pos = i
			w.unexpected()
			return ""
		}
	}
	lit := s[w.pos:i]
	w.pos = i
	return lit
}

// readString reads a JSON string. Bytes that are not UTF-8 become U+FFFD, as
// with encoding/json.
func (w *walker) readString() string {
	if w.peek() != '"' {
		w.unexpected()
		return ""
	}
	w.pos++
	s, start := w.in, w.pos
	// The common case: no escapes, all ASCII.
	for i := start; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			w.pos = i + 1
			return s[start:i]
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
	}
	var b []byte
	i := start
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			w.pos = i + 1
			return string(b)
		case c < 0x20:
			w.pos = i
			w.fail("invalid control character in string at offset %d", i)
			return ""
		case c == '\\':
			if i+1 >= len(s) {
				w.pos = len(s)
				w.unexpected()
				return ""
			}
			i += 2
			switch e := s[i-1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(s, i)
				if !ok {
					w.fail("invalid escape in string at offset %d", i-2)
					return ""
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2, ok = hex4(s, i+2)
					}
					if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				w.fail("invalid escape in string at offset %d", i-2)
				return ""
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
		}
	}
	w.pos = len(s)
	w.unexpected()
	return ""
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	return rune(n), err == nil
}

// anyValue reads any JSON value as encoding/json does into an interface
// with UseNumber: numbers become json.Number.
func (w *walker) anyValue() any {
	switch c := w.peek(); {
	case c == '{':
		m := map[string]any{}
		w.members('{', '}', func() {
			k := w.readString()
			w.expect(':')
			if w.err == nil {
				m[k] = w.anyValue()
			}
		})
		return m
	case c == '[':
		s := []any{}
		w.members('[', ']', func() { s = append(s, w.anyValue()) })
		return s
	case c == '"':
		return w.readString()
	case c == '-' || '0' <= c && c <= '9':
		return json.Number(w.number())
	case w.literal("true"):
		return true
	case w.literal("false"):
		return false
	case w.null():
		return nil
	}
	w.unexpected()
	return nil
}
