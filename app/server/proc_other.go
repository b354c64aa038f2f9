//go:build !wasm && !unix

package server

import (
	"os"
	"os/exec"
)

// ownGroup does nothing where there are no Unix process groups.
func ownGroup(*exec.Cmd) {}

// killGroup kills the process itself: without process groups its own
// children cannot be reached.
func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	if err := p.Kill(); err != nil && err != os.ErrProcessDone {
		return err
	}
	return nil
}

// defaultMaxConns is 1024 connections.
func defaultMaxConns() int { return 1024 }
