//go:build js && wasm

// Command floorworker is the least Go program that starts as a worker of
// the lab's pool: it says ready, and answers a warm-up at once without
// running anything. The browser benchmark serves it in place of
// worker.wasm and times a pool of it from nothing, so the pool's cold
// start can be read against what starting any Go program in the same
// Web Workers costs on that machine: fetching and compiling a Go binary,
// and the Go runtime's own start in each worker.
//
// It links none of the lab's packages (the protocol's package brings the
// workloads with it): it reads and writes the protocol's messages through
// the browser's JSON, and its tests check them against package proto.
package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/hack-pad/safejs"
)

// version is proto.Version; the tests hold the two together.
const version = 5

func main() {
	if err := run(safejs.Global()); err != nil {
		post(safejs.Global(), "fatal", map[string]any{"error": "floorworker: " + err.Error()})
		os.Exit(1)
	}
	select {} // answer messages until the page terminates the worker
}

// run reads the boot worker.js left, listens for messages and says ready.
func run(self safejs.Value) error {
	boot, err := self.Get("conlabBoot")
	if err != nil || boot.Type() != safejs.TypeObject {
		return fmt.Errorf("it must be started by worker.js")
	}
	body, err := boot.Get("body")
	if err != nil {
		return err
	}
	b, err := parse(body)
	if err != nil {
		return fmt.Errorf("boot: %w", err)
	}
	worker, err := number(b, "worker")
	if err != nil {
		return fmt.Errorf("boot: %w", err)
	}
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			answer(self, args[0])
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := self.Call("addEventListener", "message", fn); err != nil {
		return err
	}
	return post(self, "ready", ready(self, boot, worker))
}

// ready is the Ready message: worker.js's times from the boot record, and
// the moment the Go program got here.
func ready(self, boot safejs.Value, worker float64) map[string]any {
	m := map[string]any{"worker": worker, "go_version": runtime.Version()}
	// The boot record's names, and the Ready message's.
	for from, to := range map[string]string{
		"instantiate_ms": "instantiate_ms", "compile_ms": "compile_ms", "time_origin": "time_origin_ms",
		"script_ms": "script_ms", "boot_ms": "boot_ms", "instantiated_ms": "instantiated_ms",
	} {
		if v, err := number(boot, from); err == nil {
			m[to] = v
		}
	}
	if perf, err := self.Get("performance"); err == nil {
		if v, err := perf.Call("now"); err == nil {
			m["go_start_ms"], _ = v.Float()
		}
	}
	return m
}

// answer serves one message: a warm-up is over as soon as it came, a ping
// gets its pong, anything else is rejected with an error, as the real
// worker rejects what it does not serve.
func answer(self safejs.Value, e safejs.Value) {
	kind, id, err := read(e)
	switch {
	case err != nil:
		post(self, "error", map[string]any{"id": 0, "error": "floorworker: message rejected: " + err.Error()})
	case kind == "warm":
		post(self, "warmed", warmed(id))
	case kind == "ping":
		post(self, "pong", map[string]any{"id": id})
	default:
		post(self, "error", map[string]any{"id": id, "error": fmt.Sprintf("floorworker: message rejected: it does not serve %q", kind)})
	}
}

// warmed is the answer to warm-up id: no kernel ran.
func warmed(id float64) map[string]any {
	return map[string]any{"id": id, "ms": 0, "kernels": []any{}}
}

// read returns a message's kind and id, checking its version.
func read(e safejs.Value) (string, float64, error) {
	m, err := e.Get("data")
	if err != nil || m.Type() != safejs.TypeObject {
		return "", 0, fmt.Errorf("not an object")
	}
	if v, err := number(m, "v"); err != nil || v != version {
		return "", 0, fmt.Errorf("not a version %d message", version)
	}
	kv, err := m.Get("kind")
	if err != nil || kv.Type() != safejs.TypeString {
		return "", 0, fmt.Errorf("no kind")
	}
	kind, _ := kv.String()
	bv, err := m.Get("body")
	if err != nil {
		return "", 0, err
	}
	body, err := parse(bv)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", kind, err)
	}
	id, err := number(body, "id")
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", kind, err)
	}
	return kind, id, nil
}

// parse reads a message body: a string holding a JSON object.
func parse(text safejs.Value) (safejs.Value, error) {
	if text.Type() != safejs.TypeString {
		return safejs.Undefined(), fmt.Errorf("the body is not a string")
	}
	j, err := safejs.Global().Get("JSON")
	if err != nil {
		return safejs.Undefined(), err
	}
	v, err := j.Call("parse", text)
	if err != nil {
		return safejs.Undefined(), fmt.Errorf("the body is not JSON")
	}
	if v.Type() != safejs.TypeObject {
		return safejs.Undefined(), fmt.Errorf("the body is not an object")
	}
	return v, nil
}

// number reads a number field of o.
func number(o safejs.Value, name string) (float64, error) {
	v, err := o.Get(name)
	if err != nil || v.Type() != safejs.TypeNumber {
		return 0, fmt.Errorf("%s is not a number", name)
	}
	return v.Float()
}

// post sends {v, kind, body} with body the JSON of fields.
func post(self safejs.Value, kind string, fields map[string]any) error {
	body, err := encode(fields)
	if err != nil {
		return err
	}
	m, err := safejs.ValueOf(map[string]any{"v": version, "kind": kind, "body": body})
	if err != nil {
		return err
	}
	_, err = self.Call("postMessage", m)
	return err
}

// encode returns the JSON of fields, written by the browser.
func encode(fields map[string]any) (string, error) {
	o, err := safejs.ValueOf(fields)
	if err != nil {
		return "", err
	}
	j, err := safejs.Global().Get("JSON")
	if err != nil {
		return "", err
	}
	s, err := j.Call("stringify", o)
	if err != nil {
		return "", err
	}
	return s.String()
}
