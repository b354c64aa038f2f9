//go:build !wasm

// Command conlab runs the lab's experiments natively and serves the lab.
//
//	conlab list
//	conlab run -workload ID -mode MODE -workers N [-param k=v ...] [-json] [-gomaxprocs N]
//	conlab serve [-addr 127.0.0.1:8080]
//	conlab baseline -o FILE
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "conlab:", err)
		os.Exit(exitCode(err))
	}
}
