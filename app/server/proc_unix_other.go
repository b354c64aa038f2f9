//go:build !wasm && unix && !linux

package server

import "syscall"

// setDeathSignal does nothing where there is no parent-death signal; a
// graceful shutdown still kills every child's group.
func setDeathSignal(*syscall.SysProcAttr) {}
