// Command rawdeadlock calls workloads.RawDeadlock: built without cgo, it
// dies with the Go runtime's "all goroutines are asleep - deadlock!".
// With the arguments "child ..." it is the lab's child program instead
// (workloads.ChildMain), as conlab is. TestRawDeadlock and
// TestDeadlockRuntimeVerdict build and run it.
package main

import (
	"os"

	"conlab/workloads"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		os.Exit(workloads.ChildMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	workloads.RawDeadlock()
}
