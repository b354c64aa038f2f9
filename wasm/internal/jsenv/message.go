//go:build js && wasm

package jsenv

import (
	"fmt"
	"sync"

	"conlab/wasm/internal/proto"

	"github.com/hack-pad/safejs"
)

// Message is a decoded protocol message.
type Message struct {
	Kind   proto.Kind
	Body   proto.Body // a pointer to the body type of Kind
	Data   []byte     // the payload, nil when none
	Shared safejs.Value
	// Port is the MessagePort the message carried as "port" (a Boot of
	// a child, a Spawned), undefined when none.
	Port safejs.Value
}

// Post sends body to target, a Worker or the worker's global scope, with
// an optional payload and extra fields that travel as they are (a
// SharedArrayBuffer as "shared", the compiled module as "module", a
// MessagePort as "port"). The payload's buffer is transferred, not
// cloned: it was made for this message, and the copy that counts (from Go
// memory into JavaScript and back) happens anyway. A MessagePort is
// transferred too, as it must be: the receiver takes it over.
func Post(target safejs.Value, body proto.Body, data []byte, extra map[string]safejs.Value) error {
	kind, text, err := proto.Encode(body)
	if err != nil {
		return err
	}
	if len(data) > proto.MaxData {
		return fmt.Errorf("payload of %d bytes exceeds %d", len(data), proto.MaxData)
	}
	msg, err := Object()
	if err != nil {
		return err
	}
	for k, v := range map[string]any{"v": proto.Version, "kind": string(kind), "body": text} {
		if err := msg.Set(k, v); err != nil {
			return err
		}
	}
	var transfer []any
	if data != nil {
		a, err := Uint8Array(data)
		if err != nil {
			return err
		}
		if err := msg.Set("data", a); err != nil {
			return err
		}
		buf, err := a.Get("buffer")
		if err != nil {
			return err
		}
		transfer = append(transfer, buf)
	}
	for k, v := range extra {
		if err := msg.Set(k, v); err != nil {
			return err
		}
		if isPort(v) {
			transfer = append(transfer, v)
		}
	}
	if transfer != nil {
		_, err = target.Call("postMessage", msg, transfer)
	} else {
		_, err = target.Call("postMessage", msg)
	}
	if err != nil {
		return fmt.Errorf("postMessage %s: %w", kind, err)
	}
	return nil
}

// maxKind bounds a message's kind, read before it is copied.
const maxKind = 64

// StringLength returns a JavaScript string's length in UTF-16 units, read
// in JavaScript without copying the string, or -1 when v is not a string.
func StringLength(v safejs.Value) int {
	lengthOnce.Do(func() {
		if fn, err := Get(Global(), "Function"); err == nil {
			lengthOf, _ = fn.New("s", "return typeof s === 'string' ? s.length : -1;")
		}
	})
	if lengthOf.IsUndefined() {
		return -1
	}
	n, err := lengthOf.Invoke(v)
	if err != nil {
		return -1
	}
	i, err := n.Int()
	if err != nil {
		return -1
	}
	return i
}

var (
	lengthOnce sync.Once
	lengthOf   = safejs.Undefined()
)

// Read validates and decodes a received message (a MessageEvent's data)
// travelling in direction dir. Anything that is not a well-formed message
// of this protocol version is an error wrapping proto.ErrRejected.
func Read(v safejs.Value, dir proto.Direction) (*Message, error) {
	if v.Type() != safejs.TypeObject {
		return nil, fmt.Errorf("%w: a message must be an object, got %s", proto.ErrRejected, v.Type())
	}
	field := func(name string, t safejs.Type) (safejs.Value, error) {
		f, err := v.Get(name)
		if err != nil {
			return f, fmt.Errorf("%w: reading %s: %v", proto.ErrRejected, name, err)
		}
		if f.Type() != t {
			return f, fmt.Errorf("%w: field %s must be a %s, got %s", proto.ErrRejected, name, t, f.Type())
		}
		return f, nil
	}
	vv, err := field("v", safejs.TypeNumber)
	if err != nil {
		return nil, err
	}
	version, _ := vv.Float()
	kv, err := field("kind", safejs.TypeString)
	if err != nil {
		return nil, err
	}
	if n := StringLength(kv); n < 0 || n > maxKind {
		return nil, fmt.Errorf("%w: kind of %d characters", proto.ErrRejected, n)
	}
	kind, _ := kv.String()
	bv, err := field("body", safejs.TypeString)
	if err != nil {
		return nil, err
	}
	// The size is checked before the copy into this program's memory,
	// which never shrinks: a length counts UTF-16 units, each at least a
	// byte of the copy.
	if n := StringLength(bv); n < 0 || n > proto.MaxBody {
		return nil, fmt.Errorf("%w: %s body of %d characters exceeds %d bytes", proto.ErrRejected, kind, n, proto.MaxBody)
	}
	text, err := bv.String()
	if err != nil {
		return nil, fmt.Errorf("%w: body: %v", proto.ErrRejected, err)
	}
	body, err := proto.Decode(dir, version, kind, text)
	if err != nil {
		return nil, err
	}
	m := &Message{Kind: proto.Kind(kind), Body: body, Shared: safejs.Undefined(), Port: safejs.Undefined()}
	if d, err := v.Get("data"); err == nil && !d.IsUndefined() && !d.IsNull() {
		if m.Data, err = Bytes(d, proto.MaxData); err != nil {
			return nil, fmt.Errorf("%w: data: %v", proto.ErrRejected, err)
		}
	}
	if s, err := v.Get("shared"); err == nil && !s.IsUndefined() && !s.IsNull() {
		sab, err := Get(Global(), "SharedArrayBuffer")
		if err != nil || sab.Type() != safejs.TypeFunction {
			return nil, fmt.Errorf("%w: shared memory sent to a context without SharedArrayBuffer", proto.ErrRejected)
		}
		if ok, err := s.InstanceOf(sab); err != nil || !ok {
			return nil, fmt.Errorf("%w: shared must be a SharedArrayBuffer", proto.ErrRejected)
		}
		m.Shared = s
	}
	if pv, err := v.Get("port"); err == nil && !pv.IsUndefined() && !pv.IsNull() {
		if !isPort(pv) {
			return nil, fmt.Errorf("%w: port must be a MessagePort", proto.ErrRejected)
		}
		m.Port = pv
	}
	return m, nil
}

// isPort reports whether v is a MessagePort.
func isPort(v safejs.Value) bool {
	mp, err := Get(Global(), "MessagePort")
	if err != nil || mp.Type() != safejs.TypeFunction {
		return false
	}
	ok, err := v.InstanceOf(mp)
	return err == nil && ok
}
