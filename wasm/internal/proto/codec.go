package proto

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The bodies' JSON is written and read by this codec, not by
// encoding/json, whose reflection costs a quarter of a short run's
// overhead in a worker (about 0.4 ms of 1.5), and whose first use in a
// fresh worker (typeFields, and the browser compiling all that code on its
// first call) about 40% of the Go program's start. The wire form is the
// one encoding/json gives the same struct tags; the tests hold the two to
// each other.
//
// Each body type lists its fields once, in a walk method that serves both
// directions: encoding appends every field, decoding stores the one field
// whose name matches the key being read. A body's fields thus cannot
// differ between the two sides of the codec. The walks are generated from
// the struct types (walk_gen.go, by go generate), so they cannot differ
// from the types either.

// maxDepth bounds the nesting of a body, as encoding/json does: deeper
// input is rejected instead of growing the stack without bound.
const maxDepth = 10000

// walker encodes (enc) or decodes one body.
type walker struct {
	enc   bool
	buf   []byte // encoding: the output so far
	comma bool   // encoding: a field was written in the current object
	err   error  // the first error; once set, the rest is skipped

	// Decoding: the input, the read position, the key being read in the
	// current object, whether a field took it, and the nesting depth.
	in    string
	pos   int
	key   string
	found bool
	depth int
}

// opt says whether a field is left out of the JSON when empty, as the
// struct tag option omitempty does.
type opt bool

const (
	always    opt = false
	omitEmpty opt = true
)

// walkable is a body or a struct inside one.
type walkable interface{ walk(w *walker) }

func (w *walker) fail(format string, a ...any) {
	if w.err == nil {
		w.err = fmt.Errorf(format, a...)
	}
}

// encodeJSON returns v's JSON object.
func encodeJSON(v walkable) (string, error) {
	w := encoders.Get().(*walker)
	defer func() {
		if cap(w.buf) > 1<<20 {
			w.buf = nil // a rare big body's buffer is not kept
		}
		encoders.Put(w)
	}()
	w.buf, w.comma, w.err = w.buf[:0], false, nil
	object(w, v)
	if w.err != nil {
		return "", w.err
	}
	if len(w.buf) > MaxBody {
		return "", fmt.Errorf("message of %d bytes exceeds %d", len(w.buf), MaxBody)
	}
	return string(w.buf), nil
}

// encoders keep their buffers: a body is copied out as a string anyway.
var encoders = sync.Pool{New: func() any { return &walker{enc: true, buf: make([]byte, 0, 1024)} }}

// decodeJSON reads one JSON object, and nothing after it, into v.
func decodeJSON(s string, v walkable) error {
	w := &walker{in: s}
	w.space()
	if w.pos >= len(s) || s[w.pos] != '{' {
		return errors.New("not a JSON object")
	}
	object(w, v)
	if w.err == nil {
		if w.space(); w.pos < len(s) {
			w.fail("data after the JSON value at offset %d", w.pos)
		}
	}
	return w.err
}

// field starts one field of the object being walked and says whether its
// value is to be written or read now: when encoding, unless it is empty
// and omitted (empty: as the omitempty option has it); when decoding, if
// name is the key being read and its value is not null (a null leaves
// the field as it was, as with encoding/json).
func (w *walker) field(name string, o opt, empty bool) bool {
	if w.err != nil {
		return false
	}
	if w.enc {
		if o == omitEmpty && empty {
			return false
		}
		if w.comma {
			w.buf = append(w.buf, ',')
		}
		w.comma = true
		// Field names are this file's constants: nothing to escape.
		w.buf = append(w.buf, '"')
		w.buf = append(w.buf, name...)
		w.buf = append(w.buf, '"', ':')
		return true
	}
	if w.found || w.key != name {
		return false
	}
	w.found = true
	return !w.null()
}

// object writes or reads a JSON object: v's fields.
func object(w *walker, v walkable) {
	if w.enc {
		outer := w.comma
		w.buf = append(w.buf, '{')
		w.comma = false
		v.walk(w)
		w.buf = append(w.buf, '}')
		w.comma = outer
		return
	}
	key, found := w.key, w.found
	w.members('{', '}', func() {
		k := w.readString()
		if w.err != nil {
			return
		}
		w.expect(':')
		w.key, w.found = k, false
		v.walk(w)
		if !w.found && w.err == nil {
			w.fail("unknown field %q", truncate(k, 64))
		}
	})
	w.key, w.found = key, found
}

// The fields' values, one method a type, which the walks call directly:
// they are the hot path, and in wasm every call costs. A slice field goes
// through the generic list, with its element's walk as a function value.

func (w *walker) str(name string, p *string, o opt) {
	if w.field(name, o, *p == "") {
		w.strValue(p)
	}
}

func (w *walker) strValue(p *string) {
	if w.enc {
		w.buf = appendString(w.buf, *p)
		return
	}
	*p = w.readString()
}

func (w *walker) int(name string, p *int, o opt) {
	if w.field(name, o, *p == 0) {
		w.intValue(p)
	}
}

func (w *walker) intValue(p *int) {
	n := int64(*p)
	w.int64Value(&n)
	if int64(int(n)) != n { // int is 32 bits on some platforms
		w.fail("number %d is out of range for field %q", n, w.key)
	}
	*p = int(n)
}

func (w *walker) int64(name string, p *int64, o opt) {
	if w.field(name, o, *p == 0) {
		w.int64Value(p)
	}
}

func (w *walker) int64Value(p *int64) {
	if w.enc {
		w.buf = strconv.AppendInt(w.buf, *p, 10)
		return
	}
	readNumber(w, p, "a whole number", func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) })
}

func (w *walker) uint64(name string, p *uint64, o opt) {
	if w.field(name, o, *p == 0) {
		w.uint64Value(p)
	}
}

func (w *walker) uint64Value(p *uint64) {
	if w.enc {
		w.buf = strconv.AppendUint(w.buf, *p, 10)
		return
	}
	readNumber(w, p, "an unsigned 64-bit number", func(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) })
}

func (w *walker) float(name string, p *float64, o opt) {
	if w.field(name, o, *p == 0) {
		w.floatValue(p)
	}
}

func (w *walker) floatValue(p *float64) {
	if w.enc {
		w.buf = appendFloat(w, w.buf, *p)
		return
	}
	readNumber(w, p, "a 64-bit float", func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
}

// readNumber reads the next JSON number into p with parse; want says what
// the field takes, for the error.
func readNumber[N any](w *walker, p *N, want string, parse func(string) (N, error)) {
	lit := w.number()
	n, err := parse(lit)
	if err != nil {
		w.fail("number %s is not %s for field %q", truncate(lit, 32), want, w.key)
		return
	}
	*p = n
}

func (w *walker) bool(name string, p *bool, o opt) {
	if w.field(name, o, !*p) {
		w.boolValue(p)
	}
}

func (w *walker) boolValue(p *bool) {
	switch {
	case w.enc:
		w.buf = strconv.AppendBool(w.buf, *p)
	case w.literal("true"):
		*p = true
	case w.literal("false"):
		*p = false
	default:
		w.fail("field %q is not a boolean", w.key)
	}
}

// bytes is a []byte field, in base64 as encoding/json writes it.
func (w *walker) bytes(name string, p *[]byte, o opt) {
	if !w.field(name, o, len(*p) == 0) {
		return
	}
	if w.enc {
		w.buf = appendString(w.buf, base64.StdEncoding.EncodeToString(*p))
		return
	}
	b, err := base64.StdEncoding.DecodeString(w.readString())
	if err != nil && w.err == nil {
		w.fail("field %q: %v", w.key, err)
	}
	*p = b
}

// params is a request's parameters: JSON numbers are read as json.Number,
// as encoding/json's UseNumber does, and checked by the engine's Prepare.
func (w *walker) params(name string, p *map[string]any, o opt) {
	if !w.field(name, o, len(*p) == 0) {
		return
	}
	if w.enc {
		w.buf = appendAny(w, w.buf, *p)
		return
	}
	m, _ := w.anyValue().(map[string]any)
	if w.err == nil && m == nil {
		w.fail("field %q is not an object", w.key)
	}
	*p = m
}

// object is a field holding a struct that lists its own fields.
func (w *walker) object(name string, v walkable) {
	if w.field(name, always, false) {
		object(w, v)
	}
}

// list is a field holding a slice, each element written or read by elem.
// A null element is the zero value, as with encoding/json.
func list[T any](w *walker, name string, o opt, p *[]T, elem func(*T)) {
	if !w.field(name, o, len(*p) == 0) {
		return
	}
	if w.enc {
		if *p == nil {
			w.buf = append(w.buf, "null"...)
			return
		}
		w.buf = append(w.buf, '[')
		for i := range *p {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			elem(&(*p)[i])
		}
		w.buf = append(w.buf, ']')
		return
	}
	s := []T{}
	w.members('[', ']', func() {
		var v T
		if !w.null() {
			elem(&v)
		}
		s = append(s, v)
	})
	*p = s
}

// Encoding.

// appendString writes s as a JSON string. Bytes that are not UTF-8
// become U+FFFD, as with encoding/json.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += n
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendFloat writes f as encoding/json does; NaN and infinities have no
// JSON form.
func appendFloat(w *walker, b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.fail("unsupported value: %v", f)
		return b
	}
	fmtc := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		fmtc = 'e'
	}
	b = strconv.AppendFloat(b, f, fmtc, -1, 64)
	if fmtc == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendAny writes a parameter value: the types encoding/json reads into
// an interface, and Go's integers.
func appendAny(w *walker, b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case string:
		return appendString(b, v)
	case json.Number:
		if r := (&walker{in: string(v)}); r.number() != string(v) || r.err != nil {
			w.fail("invalid number literal %q", truncate(string(v), 32))
			return b
		}
		return append(b, v...)
	case float64:
		return appendFloat(w, b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int8:
		return strconv.AppendInt(b, int64(v), 10)
	case int16:
		return strconv.AppendInt(b, int64(v), 10)
	case int32:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case uint:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(b, v, 10)
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAny(w, b, e)
		}
		return append(b, ']')
	case map[string]any:
		if v == nil {
			return append(b, "null"...)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendAny(w, b, v[k])
		}
		return append(b, '}')
	}
	// Nothing else comes out of JSON or a form; the engine's Prepare
	// would refuse it anyway.
	w.fail("unsupported parameter value of type %T", v)
	return b
}

// Decoding.

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
