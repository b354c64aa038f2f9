//go:build !wasm && linux

package server

import "syscall"

// setDeathSignal asks Linux to kill the child if the server dies without
// cleaning up (kill -9): no orphan keeps computing. (The signal follows
// the OS thread that started the child; Go only retires threads of
// goroutines that locked them, which this package never does.)
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
