//go:build !wasm

package main

import (
	"context"
	"errors"
	"io"
)

// run is the testable body of the command (filled by the CLI work).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}

func exitCode(error) int { return 1 }
