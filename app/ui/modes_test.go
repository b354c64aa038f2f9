package ui

import (
	"slices"
	"testing"

	"conlab/wasm"
)

// The UI offers the browser engine's modes, in its order, and native.
func TestUIModesAreTheBrowsersAndNative(t *testing.T) {
	var want []Mode
	for _, m := range wasm.Modes {
		want = append(want, Mode(m))
	}
	want = append(want, modeNative)
	if !slices.Equal(uiModes, want) {
		t.Errorf("uiModes %v, want the browser's modes and native: %v", uiModes, want)
	}
	for _, m := range uiModes {
		if modeInfos[m].Label == "" || modeInfos[m].Help == "" {
			t.Errorf("mode %s has no label or help", m)
		}
	}
}
