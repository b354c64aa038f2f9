//go:build !wasm

package site

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// checkWasmExec verifies that wasm_exec.js provides every function the
// binaries import: a wasm_exec.js from another Go release fails at load
// time in the browser with an obscure LinkError, so the build fails here
// with a clear message instead.
func checkWasmExec(js []byte, bins map[string][]byte) error {
	for _, name := range sortedKeys(bins) {
		imports, err := wasmImports(bins[name])
		if err != nil {
			return fmt.Errorf("site: %s: %w", name, err)
		}
		var missing []string
		for _, im := range imports {
			if im.Module != "gojs" {
				return fmt.Errorf("site: %s imports %s.%s: not a GOOS=js GOARCH=wasm Go program", name, im.Module, im.Name)
			}
			if !bytes.Contains(js, []byte(`"`+im.Name+`"`)) {
				missing = append(missing, im.Name)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return fmt.Errorf("site: wasm_exec.js does not match the Go that built %s (it lacks %s): copy $(go env GOROOT)/lib/wasm/wasm_exec.js of that Go", name, strings.Join(missing, ", "))
		}
	}
	return nil
}

// wasmImport is one import of a WebAssembly module.
type wasmImport struct{ Module, Name string }

// wasmImports reads the import section of a WebAssembly binary.
func wasmImports(b []byte) ([]wasmImport, error) {
	r := &wasmReader{b: b}
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary")
	}
	if v := b[4:8]; !bytes.Equal(v, []byte{1, 0, 0, 0}) {
		return nil, fmt.Errorf("unknown WebAssembly version % x", v)
	}
	r.off = 8
	for r.off < len(b) {
		id := r.byte()
		size := r.uint()
		if r.err != nil {
			break
		}
		end := r.off + int(size)
		if size > uint64(len(b)) || end > len(b) {
			return nil, errors.New("truncated WebAssembly section")
		}
		if id != 2 {
			r.off = end
			continue
		}
		var out []wasmImport
		n := r.uint()
		for i := uint64(0); i < n && r.err == nil; i++ {
			im := wasmImport{Module: r.name(), Name: r.name()}
			switch kind := r.byte(); kind {
			case 0: // function: a type index
				r.uint()
			case 1: // table: a reference type and limits
				r.byte()
				r.limits()
			case 2: // memory: limits
				r.limits()
			case 3: // global: a value type and mutability
				r.byte()
				r.byte()
			case 4: // tag: an attribute and a type index
				r.byte()
				r.uint()
			default:
				return nil, fmt.Errorf("unknown import kind %d", kind)
			}
			out = append(out, im)
		}
		if r.err != nil || r.off > end {
			return nil, errors.New("malformed WebAssembly import section")
		}
		return out, nil
	}
	if r.err != nil {
		return nil, errors.New("malformed WebAssembly binary")
	}
	return nil, nil
}

type wasmReader struct {
	b   []byte
	off int
	err error
}

func (r *wasmReader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// uint reads an unsigned LEB128 number.
func (r *wasmReader) uint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("number too long")
	return 0
}

func (r *wasmReader) name() string {
	n := r.uint()
	if r.err != nil || n > uint64(len(r.b)-r.off) {
		r.err = errors.New("truncated")
		return ""
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s
}

func (r *wasmReader) limits() {
	flags := r.byte()
	r.uint()
	if flags&1 != 0 {
		r.uint()
	}
}
