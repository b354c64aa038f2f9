//go:build !wasm && race

package server

// raceEnabled: this program, and so every native run's process (the same
// executable), is built with the race detector, whose shadow memory
// multiplies what a run maps and holds.
const raceEnabled = true
