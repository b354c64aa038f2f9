//go:build js && wasm

package main

import (
	"testing"

	"conlab/wasm/internal/proto"

	"github.com/hack-pad/safejs"
)

func object(t *testing.T, fields map[string]any) safejs.Value {
	t.Helper()
	v, err := safejs.ValueOf(fields)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The floor speaks the protocol the pool checks every message against.
func TestMessagesDecode(t *testing.T) {
	if version != proto.Version {
		t.Fatalf("version %d, proto.Version %d", version, proto.Version)
	}
	boot := object(t, map[string]any{"body": `{"worker":3}`, "instantiate_ms": 2.5, "time_origin": 1.7e12, "boot_ms": 40.0, "instantiated_ms": 42.5, "script_ms": 30.0, "compile_ms": 0})
	for _, c := range []struct {
		kind   proto.Kind
		fields map[string]any
	}{
		{proto.KReady, ready(safejs.Global(), boot, 3)},
		{proto.KWarmed, warmed(9)},
	} {
		text, err := encode(c.fields)
		if err != nil {
			t.Fatal(err)
		}
		b, err := proto.Decode(proto.ToPage, proto.Version, string(c.kind), text)
		if err != nil {
			t.Fatalf("%s %s: %v", c.kind, text, err)
		}
		switch b := b.(type) {
		case *proto.Ready:
			if b.Worker != 3 || b.InstantiateMS != 2.5 || b.TimeOriginMS != 1.7e12 || b.InstantiatedMS != 42.5 || b.GoStartMS <= 0 || b.GoVersion == "" {
				t.Errorf("ready: %+v", b)
			}
		case *proto.Warmed:
			if b.ID != 9 || len(b.Kernels) != 0 || b.Error != "" {
				t.Errorf("warmed: %+v", b)
			}
		}
	}
}

// It reads what the pool sends, and rejects what is not the protocol.
func TestRead(t *testing.T) {
	_, warm, err := proto.Encode(&proto.Warm{ID: 12, Workloads: []string{"countdown"}, MinMS: 15})
	if err != nil {
		t.Fatal(err)
	}
	event := func(m map[string]any) safejs.Value { return object(t, map[string]any{"data": m}) }
	kind, id, err := read(event(map[string]any{"v": proto.Version, "kind": "warm", "body": warm}))
	if err != nil || kind != "warm" || id != 12 {
		t.Errorf("warm: %q %v %v", kind, id, err)
	}
	for name, m := range map[string]map[string]any{
		"old version":  {"v": 1, "kind": "warm", "body": warm},
		"no kind":      {"v": proto.Version, "body": warm},
		"body not str": {"v": proto.Version, "kind": "warm", "body": 3},
		"not JSON":     {"v": proto.Version, "kind": "warm", "body": "{"},
		"no id":        {"v": proto.Version, "kind": "ping", "body": "{}"},
	} {
		if _, _, err := read(event(m)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, _, err := read(object(t, map[string]any{"data": "text"})); err == nil {
		t.Error("a string message: accepted")
	}
}
