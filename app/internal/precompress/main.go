// Command precompress writes the compressed copies of a file that the
// server picks by Accept-Encoding: FILE.gz (gzip at its best level) and
// FILE.br (brotli at the quality asked for). It is the build's own
// compressor, in Go, so that a machine without the gzip or brotli
// commands builds the same files.
//
// Usage:
//
//	go run ./app/internal/precompress [-q QUALITY] FILE...
//
// Each copy is written beside a temporary name and renamed into place, so
// a server never sees a half-written one; a copy that fails is removed,
// never left stale beside a newer FILE.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}

// run compresses the files named in args. Options come first.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("precompress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	q := fs.Int("q", 11, "brotli quality, 0 (fastest) to 11 (smallest)")
	verbose := fs.Bool("v", false, "print each file's sizes and the time taken")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: precompress [-q QUALITY] [-v] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *q < 0 || *q > 11 {
		return fmt.Errorf("-q %d: the brotli quality must be 0 to 11", *q)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("no file to compress")
	}
	for _, name := range fs.Args() {
		start := time.Now()
		sizes, err := Compress(ctx, name, *q)
		if err != nil {
			return err
		}
		if *verbose {
			fmt.Fprintf(stderr, "%s: %d bytes, gzip %d, brotli -q %d %d, in %.1f s\n",
				name, sizes.Raw, sizes.Gzip, *q, sizes.Brotli, time.Since(start).Seconds())
		}
	}
	return nil
}
