//go:build !js

package workloads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// Spawn implements Spawner: it starts e.Exe with the arguments "child" and
// opt.Args as a new process, its stdout a pipe, its stderr kept (the last
// MaxStderr bytes). Cancelling ctx kills the process. With no Exe it
// returns ErrNoSpawn.
func (e NativeEnv) Spawn(ctx context.Context, opt SpawnOptions) (Child, error) {
	if e.Exe == "" {
		return nil, ErrNoSpawn
	}
	c := &processChild{ctx: ctx}
	cmd := exec.CommandContext(ctx, e.Exe, append([]string{"child"}, opt.Args...)...)
	cmd.Env = append(append(os.Environ(), ChildEnv+"=1"), opt.Env...)
	cmd.Stderr = &c.stderr
	// Once the process is gone, Wait must not hang on a pipe some
	// grandchild might still hold.
	cmd.WaitDelay = time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start child %s: %w", e.Exe, err)
	}
	c.cmd, c.out = cmd, out
	return c, nil
}

type processChild struct {
	ctx    context.Context
	cmd    *exec.Cmd
	out    io.Reader
	stderr tailBuffer
}

func (c *processChild) Name() string      { return fmt.Sprintf("process %d", c.cmd.Process.Pid) }
func (c *processChild) Stdout() io.Reader { return c.out }

func (c *processChild) Wait() (Exit, error) {
	err := c.cmd.Wait()
	e := Exit{Code: -1, Stderr: c.stderr.String()}
	if st := c.cmd.ProcessState; st != nil {
		e.Code = st.ExitCode()
	}
	if c.ctx.Err() != nil && (err != nil || e.Code == -1) {
		return e, context.Cause(c.ctx)
	}
	var xe *exec.ExitError
	if err != nil && !(errors.As(err, &xe) && e.Code >= 0) {
		return e, err
	}
	return e, nil
}
