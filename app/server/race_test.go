//go:build !wasm && race

package server

// raceEnabled: this test binary, and so every child it runs, is built with
// the race detector, whose shadow memory multiplies what a run holds.
const raceEnabled = true
