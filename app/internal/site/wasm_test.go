//go:build !wasm

package site

import (
	"bytes"
	"testing"
)

// fakeImports are what the fake binaries import, and the fake
// wasm_exec.js provides.
var fakeImports = []string{"runtime.wasmExit", "runtime.wasmWrite", "syscall/js.valueGet"}

// wasmModule assembles a WebAssembly binary whose only content is a
// custom section and an import section of functions gojs.<name>.
func wasmModule(module string, names ...string) []byte {
	var sec []byte
	sec = appendULEB(sec, uint64(len(names)))
	for _, n := range names {
		sec = appendName(sec, module)
		sec = appendName(sec, n)
		sec = append(sec, 0, 0) // a function of type 0
	}
	b := []byte("\x00asm\x01\x00\x00\x00")
	custom := appendName(nil, "go:buildid")
	custom = append(custom, "xyz"...)
	b = append(b, 0)
	b = appendULEB(b, uint64(len(custom)))
	b = append(b, custom...)
	b = append(b, 2)
	b = appendULEB(b, uint64(len(sec)))
	return append(b, sec...)
}

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

func appendName(b []byte, s string) []byte { return append(appendULEB(b, uint64(len(s))), s...) }

func fakeWasmExec() []byte {
	var b bytes.Buffer
	b.WriteString("// wasm_exec.js for tests (see https://go.dev/): the import object.\n")
	for _, n := range fakeImports {
		b.WriteString(`"` + n + `": (sp) => {},` + "\n")
	}
	return b.Bytes()
}

func TestWasmImports(t *testing.T) {
	got, err := wasmImports(wasmModule("gojs", "a", "b.c"))
	if err != nil || len(got) != 2 || got[1] != (wasmImport{"gojs", "b.c"}) {
		t.Errorf("wasmImports = %v, %v", got, err)
	}
	// Cut anywhere inside its import section (after the 8-byte header and
	// the 16-byte custom section), a binary is an error, not a short list.
	good := wasmModule("gojs", "a")
	for i := 25; i < len(good); i++ {
		if got, err := wasmImports(good[:i]); err == nil {
			t.Errorf("a binary cut at %d bytes read as %v", i, got)
		}
	}
	if _, err := wasmImports(good[:7]); err == nil {
		t.Errorf("a cut header read as a binary")
	}
}

func FuzzWasmImports(f *testing.F) {
	f.Add(wasmModule("gojs", "runtime.wasmExit"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x02\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		wasmImports(b) // must not panic or hang
	})
}
