//go:build js && wasm

package main

import (
	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// runChild is the child role: ChildMain with its output posted to the
// parent as it is written.
func runChild(b *proto.Boot) int {
	self := safejs.Global()
	out := &streamWriter{self: self, stream: "stdout"}
	errw := &streamWriter{self: self, stream: "stderr"}
	return workloads.ChildMain(b.Args, out, errw)
}

type streamWriter struct {
	self   safejs.Value
	stream string
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if err := jsenv.Post(s.self, &proto.Output{Stream: s.stream}, append([]byte(nil), p...), nil); err != nil {
		return 0, err
	}
	return len(p), nil
}
