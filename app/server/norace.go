//go:build !wasm && !race

package server

// raceEnabled is false: a build without the race detector.
const raceEnabled = false
