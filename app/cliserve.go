//go:build !wasm

package main

// conlab serve and conlab baseline: the server and its recorded native
// baseline.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"conlab/app/server"
	"conlab/workloads"
)

// cmdServe serves the lab until ctx is done, then shuts down gracefully.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[flags]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default; port 0 picks a free one)")
	isolate := fs.Bool("isolate", false, "send COOP/COEP so the page is cross-origin isolated (SharedArrayBuffer)")
	public := fs.String("public", "public", "the site's directory: DIR/web is served at /web/")
	baseline := fs.String("baseline", "", "the recorded baseline served at /api/baseline (default DIR/web/data/baseline.json)")
	grace := fs.Duration("grace", 10*time.Second, "on SIGINT/SIGTERM, how long runs in progress may finish before they are killed")
	var memory int64
	fs.Func("memory", "the memory budget of all native runs together, e.g. 4GB or 512MB (default half of this machine's memory; 0 for none); a run estimated above it is refused with 422", func(v string) error {
		n, err := parseBytes(v)
		memory = n
		if n == 0 {
			memory = -1
		}
		return err
	})
	perClient := fs.Int("per-client", 3, "native runs one client address may have in progress or waiting (0: no bound, e.g. behind a proxy)")
	maxConns := fs.Int("max-conns", 0, "connections open at once (default 1024, or a quarter of the open-file limit)")
	idle := fs.Duration("idle-timeout", 30*time.Second, "close a connection idle this long (and one that sends no request)")
	var origins []string
	fs.Func("allow-origin", "an origin (https://school.example) besides the server's own whose pages may start runs; repeatable", func(v string) error {
		o, err := server.ParseOrigin(v)
		origins = append(origins, o)
		return err
	})
	if err := parse(fs, args); err != nil {
		return err
	}
	if *grace <= 0 {
		return &usageError{"serve: -grace must be positive"}
	}
	if *perClient < 0 || *maxConns < 0 || *idle <= 0 {
		return &usageError{"serve: -per-client and -max-conns must be 0 or more, -idle-timeout positive"}
	}
	if *perClient == 0 {
		*perClient = -1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if host, _, err := net.SplitHostPort(*addr); err == nil {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			log.Warn("listening beyond loopback: anyone who can reach this address can start native runs", "addr", *addr)
		}
	}
	srv, err := server.New(server.Config{Public: *public, Isolate: *isolate, BaselineFile: *baseline, ShutdownGrace: *grace, Logger: log,
		AllowOrigins: origins, Memory: memory, PerClient: *perClient, MaxConns: *maxConns, IdleTimeout: *idle})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx, *addr, func(url string) {
		fmt.Fprintf(stdout, "conlab: serving on %s/\n", url)
	})
}

// cmdBaseline records the native baseline: every workload in the
// native modes, each run in a process of its own.
func cmdBaseline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("baseline", "-o FILE [flags]", stderr)
	out := fs.String("o", "", "the file to write (- for stdout)")
	n := fs.Int("n", runtime.NumCPU(), "lanes, and the larger GOMAXPROCS")
	timeout := fs.Duration("timeout", workloads.DefaultTimeoutMS*time.Millisecond, "each run's deadline")
	only := fs.String("workloads", "", "comma-separated ids to record (default: every workload)")
	quick := fs.Bool("quick", false, "use each workload's quick parameters instead of its defaults (a smoke test)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return &usageError{"baseline: -o FILE is required"}
	}
	if *n < 1 || *n > workloads.MaxWorkers {
		// 0 would mean "every core" to RecordBaseline; here it is a mistake.
		return &workloads.ParamError{Field: "n", Msg: fmt.Sprintf("n: %d is out of range; allowed: 1 to %d", *n, workloads.MaxWorkers)}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the conlab executable: %w", err)
	}
	opt := server.BaselineOptions{
		Spawner: &server.Spawner{Exe: exe}, N: *n, Timeout: *timeout, Quick: *quick,
		Progress: func(r workloads.Result) {
			what := fmt.Sprintf("%s, check ok=%v", ms(r.WallUS), r.Check.OK)
			if r.Error != "" {
				what = fmt.Sprintf("%s, %s", ms(r.WallUS), r.Error)
			}
			fmt.Fprintf(stderr, "%-11s %-10s workers=%d gomaxprocs=%d  %s\n", r.Workload, r.Mode, r.Workers, r.Facts.GOMAXPROCS, what)
		},
	}
	if *only != "" {
		opt.Workloads = strings.Split(*only, ",")
	}
	b, err := server.RecordBaseline(ctx, opt)
	if err != nil {
		return err
	}
	if *out == "-" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		return enc.Encode(b)
	}
	if err := b.WriteFile(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "conlab: wrote %d runs to %s\n", len(b.Results), *out)
	return nil
}

// parseBytes reads a size: a whole number of bytes, or one with a unit
// KB, MB, GB (powers of 1024; KiB, MiB, GiB too).
func parseBytes(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if t, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(t), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (want e.g. 4GB, 512MB or a number of bytes)", v)
	}
	return n * mult, nil
}
