package webdriver

import (
	"os/exec"
	"syscall"
	"time"
)

// process is a program started in a process group of its own, so that
// stopping it stops every process it started (a browser's content
// processes, MiniBrowser under WebKitWebDriver).
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startProcess(cmd *exec.Cmd) (*process, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the process group to end, waits up to grace, then kills it.
func (p *process) stop(grace time.Duration) {
	pid := p.cmd.Process.Pid
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-pid, syscall.SIGKILL)
		<-p.done
	}
	// The group's other members may outlive its leader.
	syscall.Kill(-pid, syscall.SIGKILL)
}
