// Command browserbench measures the lab's browser engine against the
// native one, in each browser engine it can drive (package browsertest:
// headless Chromium, Firefox ESR, WebKitGTK; one not installed is
// skipped, saying so): each CPU kernel runs sequentially, cooperatively
// and on 1, 2 and 4 Web Workers, in rounds after the pool settled;
// natively the same requests run in this process at GOMAXPROCS 1 and N.
// It prints a table per engine and a summary of the targets per engine
// (the first round's error against the steady state, workers ×1 over
// sequential, mergesort's speed-up at 2 workers), and writes a JSON
// report, whose path it prints:
// wasm/native single-lane ratio per kernel, speed-up and parallel
// efficiency per N, cooperative/sequential ratio, the pool's cold start
// (compile, per-worker start and instantiate, warm-up) and the warm
// per-run overhead. Every figure is a median of several runs.
//
//	go run ./app/internal/browserbench [-o out/browserbench.json] [-reps 5] [-quick]
//	    [-engines chromium,firefox,webkit] [-loads 1] [-kernels countdown,...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	out := flag.String("o", "out/browserbench.json", "the JSON report to write")
	reps := flag.Int("reps", 5, "runs of each measurement (the median is reported)")
	quick := flag.Bool("quick", false, "small kernels: check that the benchmark works, in seconds")
	browser := flag.String("browser", "", "Chromium's path (default: chromium on PATH)")
	only := flag.String("kernels", "", "comma-separated workload ids to measure (default: every CPU kernel)")
	gowasm := flag.String("gowasm", "", "GOWASM features to build worker.wasm with (e.g. satconv,signext)")
	engines := flag.String("engines", "chromium,firefox,webkit", "comma-separated browser engines to measure in (one not installed is skipped)")
	loads := flag.Int("loads", 1, "fresh page loads per engine: each one's first round is another sample of the first round's error")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, options{out: *out, reps: *reps, quick: *quick, browser: *browser, only: *only, gowasm: *gowasm, engines: *engines, loads: *loads}); err != nil {
		fmt.Fprintln(os.Stderr, "browserbench:", err)
		os.Exit(1)
	}
}

type options struct {
	out           string
	reps          int
	quick         bool
	browser, only string
	gowasm        string
	engines       string
	loads         int
}
