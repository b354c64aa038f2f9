package workloads

import (
	"context"
	"errors"
	"io"
)

// A child program is what the subprocess and spawn workloads start: a
// separate program (a process natively, a Web Worker in the browser) that
// talks to its parent only through a pipe of text lines, its standard
// error and its exit code. Its code is ChildMain, the same everywhere.

// Spawner starts child programs. An Env that can start them implements
// Spawner; workloads find it with a type assertion on T.Env(), and fall
// back to InProcess when the Env is no Spawner or its Spawn returns an
// error wrapping ErrNoSpawn.
//
// Natively NativeEnv starts a process (its Exe, with the arguments "child"
// and SpawnOptions.Args). In the browser the page starts a Web Worker
// running the worker module, which calls ChildMain with the arguments and
// posts what it writes to its parent: the page, or the worker that asked
// the page for it.
type Spawner interface {
	// Spawn starts a child running ChildMain(opt.Args, ...). It returns as
	// soon as the child is on its way, without waiting for it to be ready:
	// the time until the child's first line ("ready") is its start-up,
	// which the spawn workload measures.
	//
	// Cancelling ctx kills the child: its Stdout then ends, and Wait
	// reports ctx's error. Spawn itself must not block for long; an error
	// means no child is running.
	Spawn(ctx context.Context, opt SpawnOptions) (Child, error)
}

// SpawnOptions describe the child to start.
type SpawnOptions struct {
	// Args are the arguments of ChildMain (flags such as -lines 5).
	Args []string
	// Fresh asks for a child that reuses nothing prepared earlier: in the
	// browser the worker compiles the wasm module anew instead of
	// instantiating the page's already compiled module, to show what
	// compiling costs. Natively every process is loaded afresh anyway, and
	// in-process children ignore it.
	Fresh bool
	// Env adds variables to a child process's environment ("KEY=value");
	// Web Workers and in-process children have none and ignore it.
	Env []string
}

// Child is a running child program. Its methods are called by one
// goroutine: read Stdout to its end, then call Wait (as with os/exec, Wait
// may close the pipe, so it must come last). To abandon a child early,
// cancel the context given to Spawn, then call Wait.
type Child interface {
	// Name says what the child is, for the timeline: "process 4242",
	// "Web Worker", "in-process child".
	Name() string
	// Stdout is the child's standard output: the pipe it streams lines
	// through. It ends (io.EOF) when the child exits or is killed.
	Stdout() io.Reader
	// Wait blocks until the child has exited and returns how it ended. The
	// error is non-nil only when the child did not end on its own: it was
	// killed (the context's error) or could not be waited for. A child
	// that exits with a non-zero code is no error: its Exit says so.
	Wait() (Exit, error)
}

// Exit is how a child ended.
type Exit struct {
	// Code is the exit code: 0 for success; -1 when the child was killed.
	Code int `json:"code"`
	// Stderr is what the child wrote to its standard error (at most the
	// last MaxStderr bytes).
	Stderr string `json:"stderr,omitempty"`
}

// MaxStderr bounds the standard error kept of a child.
const MaxStderr = 4096

// ErrNoSpawn is returned by a Spawner that cannot start children here
// (e.g. a NativeEnv with no Exe); workloads then use InProcess.
var ErrNoSpawn = errors.New("starting child programs is not available in this environment")

// ChildEnv is set to "1" in the environment of every child process, so a
// program that doubles as the child (a test binary) can tell.
const ChildEnv = "CONLAB_CHILD"
