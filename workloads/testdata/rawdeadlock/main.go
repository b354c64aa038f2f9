// Command rawdeadlock calls workloads.RawDeadlock: built without cgo, it
// dies with the Go runtime's "all goroutines are asleep - deadlock!".
// TestRawDeadlock builds and runs it.
package main

import "conlab/workloads"

func main() { workloads.RawDeadlock() }
