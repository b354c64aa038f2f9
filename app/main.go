//go:build !wasm

// Command conlab runs the lab's experiments natively and serves the lab.
//
//	conlab list [-json]
//	conlab run -workload ID -mode MODE -workers N [-param k=v ...] [-json] [-gomaxprocs N] [-timeout D] [-compare]
//	conlab serve [-addr 127.0.0.1:8080] [-isolate] [-public DIR]
//	conlab baseline -o FILE
//
// Exit codes: 0 success, 1 a run or the server failed, 2 a bad command
// line, request or parameter.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr)) }

// realMain runs the command until it ends or SIGINT/SIGTERM cancels it
// (serve then shuts down gracefully, a run stops), and returns the exit
// code. The hidden child command runs without a signal handler.
func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "child" {
		// The child program runs before any signal handler exists: the
		// goroutine that delivers signals would keep Go's runtime from
		// ever declaring a deadlock in it (the deadlock lesson's
		// -deadlock child). A child ends with its parent's pipe.
		return finish(run(context.Background(), args, stdout, stderr), stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return finish(run(ctx, args, stdout, stderr), stderr)
}
