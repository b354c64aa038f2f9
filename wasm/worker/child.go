//go:build js && wasm

package main

import (
	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// runChild is the child role: ChildMain with its output posted to the
// parent as it is written, on the port of the channel the page linked
// the two with (worker.js keeps it as conlabPort).
func runChild(b *proto.Boot) int {
	port, err := jsenv.Get(safejs.Global(), "conlabPort")
	if err != nil || port.IsUndefined() {
		post(safejs.Global(), &proto.Fatal{Error: "a child worker needs the port to its parent in its boot message"}, nil)
		return 1
	}
	out := &streamWriter{port: port, stream: "stdout"}
	errw := &streamWriter{port: port, stream: "stderr"}
	return workloads.ChildMain(b.Args, out, errw)
}

type streamWriter struct {
	port   safejs.Value
	stream string
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if err := jsenv.Post(s.port, &proto.Output{Stream: s.stream}, append([]byte(nil), p...), nil); err != nil {
		return 0, err
	}
	return len(p), nil
}
