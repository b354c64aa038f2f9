//go:build !wasm

package site

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// ErrUsage is what the errors of a bad command line given to Command
// match (errors.Is); their text says what was wrong.
var ErrUsage = errors.New("bad command line")

type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

// DefaultDir is where `conlab static` writes the site unless told.
const DefaultDir = "dist/site"

// Command is `conlab static`: it parses args (without the command's
// name), generates the site and prints where it is. Errors of the command
// line wrap ErrUsage; -h prints the flags and returns flag.ErrHelp.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("static", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opt Options
	fs.StringVar(&opt.Dir, "o", DefaultDir, "the folder to write the site to (replaced whole if an earlier site is there)")
	fs.StringVar(&opt.Public, "public", "public", "the folder holding web/ (styles, icons, worker.js, the wasm binaries)")
	fs.StringVar(&opt.AppWasm, "app", "", "the UI's wasm binary (default PUBLIC/web/app.wasm)")
	fs.StringVar(&opt.WorkerWasm, "worker", "", "the workers' wasm binary (default PUBLIC/web/worker.wasm)")
	fs.StringVar(&opt.WasmExec, "wasm-exec", "", "the toolchain's wasm_exec.js (default PUBLIC/web/wasm_exec.js, else $(go env GOROOT)/lib/wasm/wasm_exec.js)")
	fs.StringVar(&opt.Baseline, "baseline", "", "the recorded native baseline to ship (default PUBLIC/web/data/baseline.json if present; none for none)")
	fs.StringVar(&opt.Version, "version", "", "the site's version (default: a hash of its contents)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: conlab static [-o DIR] [flags]\n\nWrites the lab as a static site any plain static file server can serve at any sub-path.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{"static: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("static: unexpected argument %q; use -o DIR", fs.Arg(0))}
	}
	s, err := Generate(ctx, opt)
	if err != nil {
		return err
	}
	baseline := "no recorded native baseline"
	if s.Baseline {
		baseline = "with the recorded native baseline"
	}
	fmt.Fprintf(stdout, "conlab: static site written to %s (%d files, %.1f MB, version %s, %s)\n", s.Dir, s.Files, float64(s.Bytes)/1e6, s.Version, baseline)
	fmt.Fprintln(stdout, "conlab: publish the folder with any static file server, at any path ending in /")
	return nil
}
