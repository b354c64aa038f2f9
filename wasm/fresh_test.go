//go:build js && wasm

package wasm

import (
	"encoding/json"
	"testing"
	"time"

	"conlab/wasm/internal/jsenv"
)

// A child of the spawn lesson that compiles worker.wasm itself (compile
// "each") compiles bytes no other worker compiled: worker.js appends a
// custom section of 16 random bytes, which the engine ignores, so an
// engine that keeps compiled modules by their bytes (V8) has none to hand
// back. worker.js's own functions are tested, loaded as a worker loads
// them, its worker-only globals stubbed.
func TestFreshCompileHasBytesOfItsOwn(t *testing.T) {
	probe := mustEval(t, `(async () => {
		const src = await (await fetch("/web/worker.js")).text();
		const w = new Function("self", "importScripts", "globalThis", src + "\nreturn { compile, freshSection };")(
			{ addEventListener() {} }, () => {}, { fs: { writeSync() {} } });
		const url = new URL("/web/worker.wasm", location.href).href;
		const hex = (m) => WebAssembly.Module.customSections(m, "conlab-fresh").map(
			(s) => [...new Uint8Array(s)].map((b) => b.toString(16).padStart(2, "0")).join(""));
		const a = await w.compile(url), b = await w.compile(url);
		// The section is valid wasm after any module, the smallest too.
		const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...w.freshSection()]);
		return JSON.stringify({ a: hex(a), b: hex(b), exports: WebAssembly.Module.exports(a).length,
			empty: WebAssembly.validate(empty) ? hex(new WebAssembly.Module(empty)) : null });
	})()`)
	v, err := jsenv.Await(testCtx(t, 2*time.Minute), probe)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := v.String()
	var got struct {
		A, B, Empty []string
		Exports     int
	}
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	if len(got.A) != 1 || len(got.B) != 1 || len(got.A[0]) != 32 || len(got.B[0]) != 32 {
		t.Fatalf("want one fresh section of 16 bytes in each compiled module: %s", s)
	}
	if got.A[0] == got.B[0] {
		t.Errorf("two fresh compiles had the same bytes: %s", s)
	}
	if got.Exports == 0 {
		t.Errorf("the fresh module exports nothing: %s", s)
	}
	if len(got.Empty) != 1 || len(got.Empty[0]) != 32 {
		t.Errorf("the fresh section after the smallest module: %s", s)
	}
}
