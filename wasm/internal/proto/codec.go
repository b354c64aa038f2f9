package proto

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"sync"
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
