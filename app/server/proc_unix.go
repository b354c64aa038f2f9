//go:build !wasm && unix

package server

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup puts the child in a process group of its own, so that killing
// the group also kills what the child started (the subprocess workload's
// own children).
func ownGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setDeathSignal(cmd.SysProcAttr)
}

// killGroup kills the process group led by p. A group that is already
// gone is not an error.
func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if err == syscall.ESRCH {
		return nil
	}
	return err
}

// defaultMaxConns is 1024 connections, or a quarter of the files this
// process may open when that is less: the rest stay for native runs.
func defaultMaxConns() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 1024
	}
	return int(max(min(rl.Cur/4, 1024), 16))
}
