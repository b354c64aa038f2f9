//go:build !wasm && !linux

package server

import "os"

// limitData does nothing where there is no prlimit: GOMEMLIMIT alone then
// bounds a child's heap (softly).
func limitData(pid int, bytes int64) error { return nil }

const memoryCapped = false

// maxRSS is not measured here.
func maxRSS(*os.ProcessState) int64 { return 0 }

// groupRSS is not measured here.
func groupRSS(int) int64 { return 0 }

// eachProcStat has no processes to read here.
func eachProcStat(func(pid int, f [][]byte)) {}
