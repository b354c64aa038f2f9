//go:build !wasm && !race

package server

const raceEnabled = false
