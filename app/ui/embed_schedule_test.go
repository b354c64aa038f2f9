package ui

import (
	"errors"
	"strings"
	"testing"

	"conlab/wasm"
	"conlab/workloads"
)

// lab:run takes a schedule: the request runs step by step.
func TestParseHostMessageSchedule(t *testing.T) {
	m := ParseHostMessage([]byte(`{"type":"lab:run","id":3,"workload":"dbupdate","mode":"cooperative","workers":2,"schedule":"0.1"}`))
	if m.Err != nil || m.Run == nil || m.Run.Schedule != "0.1" || m.Run.Mode != wasm.Cooperative {
		t.Fatalf("%+v", m)
	}
	for msg, want := range map[string]string{
		`{"type":"lab:run","id":3,"workload":"dbupdate","mode":"cooperative","workers":2,"schedule":"0.x"}`: `item 2 ("x")`,
		`{"type":"lab:run","id":3,"workload":"dbupdate","mode":"cooperative","schedule":"0.1"}`:             "names goroutine 1, but this run has 1",
		`{"type":"lab:run","id":3,"workload":"dbupdate","mode":"workers","workers":2,"schedule":"0.1"}`:     "cannot run step by step",
	} {
		m := ParseHostMessage([]byte(msg))
		var pe *workloads.ParamError
		if m.Run != nil || !errors.As(m.Err, &pe) || pe.Field != "schedule" || !strings.Contains(m.Err.Error(), want) {
			t.Errorf("%s: %+v", msg, m)
		}
	}
}
