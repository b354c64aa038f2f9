//go:build !wasm

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"conlab/app/internal/site"
	"conlab/workloads"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // the run (or the server) failed
	exitUsage  = 2 // bad command line, request or parameter
)

// stdin is where `conlab run -request -` reads; a variable for tests.
var stdin io.Reader = os.Stdin

const usage = `conlab: a Go concurrency lab, natively.

Usage:
  conlab list [-json]
  conlab run -workload ID [-mode sequential|goroutines] [-workers N]
             [-param name=value ...] [-gomaxprocs N] [-timeout D] [-compare] [-json]
  conlab serve [-addr 127.0.0.1:8080] [-isolate] [-public DIR] [-baseline FILE] [-grace D]
               [-allow-origin URL ...] [-memory SIZE] [-per-client N] [-max-conns N] [-idle-timeout D]
  conlab baseline -o FILE [-n N] [-timeout D] [-workloads id,id] [-quick]
  conlab static -o DIR [flags]   (a self-contained static site)

Run "conlab COMMAND -h" for a command's flags.
`

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitError ends the command with a code and no message: what went wrong
// has been printed already.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run is the whole command, testable: args without the program name.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &exitError{exitUsage}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list":
		return cmdList(rest, stdout, stderr)
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "baseline":
		return cmdBaseline(ctx, rest, stdout, stderr)
	case "static":
		switch err := site.Command(ctx, rest, stdout, stderr); {
		case errors.Is(err, flag.ErrHelp):
			return &exitError{exitOK}
		case errors.Is(err, site.ErrUsage):
			return &usageError{err.Error()}
		default:
			return err
		}
	case "child":
		// Hidden: the child program of the subprocess and spawn workloads.
		if code := workloads.ChildMain(rest, stdout, stderr); code != 0 {
			return &exitError{code}
		}
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return &usageError{fmt.Sprintf("unknown command %q (want list, run, serve, baseline or static)", cmd)}
}

// finish prints err (unless it was printed already) and returns the exit
// code for it: 2 for usage and validation errors, 1 for failures.
func finish(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(stderr, "conlab:", err)
	return exitCode(err)
}

func exitCode(err error) int {
	var ue *usageError
	var pe *workloads.ParamError
	var un *workloads.UnsupportedError
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue), errors.As(err, &pe), errors.As(err, &un):
		return exitUsage
	}
	return exitFailed
}

// newFlags makes a flag set that reports its own errors (with the
// command's usage) on stderr.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("conlab "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: conlab %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; flag has printed any problem, so the error is silent.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &exitError{exitOK}
		}
		return &exitError{exitUsage}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}
