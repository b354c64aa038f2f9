//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"conlab/app/internal/site"
	"conlab/app/server"
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

func cmdList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", "[-json]", stderr)
	asJSON := fs.Bool("json", false, "print the catalog as JSON: every workload with its parameters and bounds")
	if err := parse(fs, args); err != nil {
		return err
	}
	all := server.Catalog()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tTITLE")
	for _, w := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", w.ID, w.Kind, w.Title)
	}
	return tw.Flush()
}

// params collects repeated -param name=value flags.
type params map[string]any

func (p params) String() string {
	keys := make([]string, 0, len(p))
	for k, v := range p {
		keys = append(keys, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

func (p params) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	if _, dup := p[k]; dup {
		return fmt.Errorf("parameter %s given twice", k)
	}
	// Values stay strings: the workload's declaration parses them, with
	// its bounds, exactly as it parses a URL's.
	p[k] = strings.TrimSpace(v)
	return nil
}

// comparison is the JSON of `conlab run -compare -json`.
type comparison struct {
	Result     *workloads.Result `json:"result"`
	Sequential *workloads.Result `json:"sequential"`
	Speedup    float64           `json:"speedup"` // sequential wall time / result's
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "-workload ID [flags]", stderr)
	id := fs.String("workload", "", "the workload's id (see conlab list)")
	mode := fs.String("mode", string(workloads.Goroutines), "sequential or goroutines")
	workers := fs.Int("workers", min(runtime.NumCPU(), workloads.MaxWorkers), "lanes: goroutines, and the tasks the work is split into")
	ps := params{}
	fs.Var(ps, "param", "a parameter as name=value; repeat for several")
	procs := fs.Int("gomaxprocs", 0, "GOMAXPROCS for the run (0: leave it, every core)")
	timeout := fs.Duration("timeout", workloads.DefaultTimeoutMS*time.Millisecond, "the run's deadline")
	compare := fs.Bool("compare", false, "also run it sequentially and report the speed-up")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	request := fs.String("request", "", "read the whole request as JSON from this file (- for stdin) instead of the flags above")
	schedule := fs.String("schedule", "", "run step by step, the goroutines going in this order, e.g. 0.1.1.0, 0,1*3,0 or 1~stop (see the README's step mode)")
	sf := stepFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *request != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, name := range []string{"workload", "mode", "workers", "param", "gomaxprocs", "timeout", "compare", "schedule", "find"} {
			if set[name] {
				return &usageError{fmt.Sprintf("run: -%s cannot be combined with -request (the request holds it)", name)}
			}
		}
		in := stdin
		if *request != "-" {
			f, err := os.Open(*request)
			if err != nil {
				return &usageError{fmt.Sprintf("run: %v", err)}
			}
			defer f.Close()
			in = f
		}
		if *asJSON {
			// The server's child protocol: the result is printed even
			// when the run failed.
			return server.RunJSON(ctx, in, stdout)
		}
		req, err := server.DecodeRequest(io.LimitReader(in, 1<<20))
		if err != nil {
			return err
		}
		res, err := server.Execute(ctx, req)
		if res != nil {
			printResult(stdout, res, nil)
		}
		return err
	}
	if *id == "" {
		fs.Usage()
		return &usageError{"run: -workload is required (see conlab list)"}
	}
	if *timeout < time.Millisecond {
		return &workloads.ParamError{Field: "timeout", Msg: fmt.Sprintf("timeout: %v is too short; allowed: 1ms to %v", *timeout, workloads.MaxTimeoutMS*time.Millisecond)}
	}
	req := workloads.Request{
		Workload: *id, Mode: workloads.Mode(*mode), Workers: *workers, Params: ps,
		GOMAXPROCS: *procs, TimeoutMS: timeout.Milliseconds(), Schedule: *schedule,
	}
	if req.Workers == 0 {
		// 0 means "the default" to the engine; on the command line it is
		// a mistake.
		return &workloads.ParamError{Field: "workers", Msg: fmt.Sprintf("workers: 0 is out of range; allowed: a whole number from 1 to %d", workloads.MaxWorkers)}
	}
	if *compare && (req.Schedule != "" || sf.find != "") {
		return &usageError{"run: -compare times runs; a step-by-step run (-schedule, -find) counts steps, not time"}
	}
	if sf.find != "" {
		return sf.run(ctx, req, *asJSON, stdout)
	}
	// Validate before the sequential run, so a bad flag fails at once.
	if _, err := server.PrepareNative(req); err != nil {
		return err
	}
	var seq *workloads.Result
	if *compare {
		if req.Mode == workloads.Sequential {
			return &usageError{"run: -compare compares with a sequential run; use it with -mode goroutines"}
		}
		s := req
		s.Mode = workloads.Sequential
		res, err := server.Execute(ctx, s)
		if err != nil {
			if res != nil && !*asJSON {
				printResult(stdout, res, nil)
			}
			return fmt.Errorf("the sequential run for -compare failed: %w", err)
		}
		seq = res
	}
	res, err := server.Execute(ctx, req)
	if res == nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		var v any = res
		if seq != nil {
			v = comparison{Result: res, Sequential: seq, Speedup: speedup(seq, res)}
		}
		if werr := enc.Encode(v); werr != nil && err == nil {
			err = werr
		}
		return err
	}
	printResult(stdout, res, seq)
	return err
}

func speedup(seq, res *workloads.Result) float64 {
	if res.WallUS <= 0 {
		return 0
	}
	return float64(seq.WallUS) / float64(res.WallUS)
}

// ms formats microseconds as milliseconds for a table.
func ms(us int64) string {
	switch {
	case us == 0:
		return "0"
	case us < 10_000:
		return fmt.Sprintf("%.2f ms", float64(us)/1000)
	case us < 10_000_000:
		return fmt.Sprintf("%.1f ms", float64(us)/1000)
	}
	return fmt.Sprintf("%.2f s", float64(us)/1e6)
}

// printResult prints a result as a readable table; seq, if set, is the
// sequential run it is compared with.
func printResult(w io.Writer, res *workloads.Result, seq *workloads.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	title := res.Workload
	if wl, err := workloads.Lookup(res.Workload); err == nil {
		title += ": " + wl.Title
	}
	f := res.Facts
	fmt.Fprintf(tw, "workload\t%s\n", title)
	fmt.Fprintf(tw, "mode\t%s, %d workers, GOMAXPROCS %d (%d CPUs, %s/%s, %s)\n", res.Mode, res.Workers, f.GOMAXPROCS, f.NumCPU, f.GOOS, f.GOARCH, f.GoVersion)
	if f.CPU != "" {
		fmt.Fprintf(tw, "cpu\t%s\n", f.CPU)
	}
	if len(res.Params) > 0 {
		fmt.Fprintf(tw, "params\t%s\n", params(res.Params))
	}
	if res.Outcome != "" {
		fmt.Fprintf(tw, "steps\t%d (run step by step: its clock counts steps, not time)\n", len(res.Steps))
	} else {
		fmt.Fprintf(tw, "wall\t%s\n", ms(res.WallUS))
	}
	if res.Error != "" {
		fmt.Fprintf(tw, "error\t%s\n", res.Error)
		for _, s := range res.Stuck {
			fmt.Fprintf(tw, "stuck\ttask %d on lane %d: %s\n", s.Task, s.Lane, s.Label)
		}
	} else if res.Outcome != workloads.OutcomePaused {
		verdict := "ok"
		if !res.Check.OK {
			verdict = "MISMATCH"
		}
		took := ""
		if res.CheckUS >= 1000 { // worth saying: the wall time ends before it
			took = fmt.Sprintf(" (checked in %s, not part of the wall time)", ms(res.CheckUS))
		}
		fmt.Fprintf(tw, "check\t%s: value %s, expected %s%s\n", verdict, res.Check.Value, res.Check.Expected, took)
		if res.Check.Note != "" {
			fmt.Fprintf(tw, "\t%s\n", res.Check.Note)
		}
	}
	if seq != nil {
		fmt.Fprintf(tw, "speed-up\t%.2fx vs sequential (%s)\n", speedup(seq, res), ms(seq.WallUS))
	}
	tw.Flush()
	if res.Outcome != "" {
		printSteps(w, res)
		return
	}

	lanes := laneSummary(res.Spans)
	if len(lanes) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lane\ttasks\trunning\twaiting\tblocked\tfirst start\tlast end\t")
	for _, l := range lanes {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", l.lane, len(l.tasks), ms(l.by[workloads.Running]), ms(l.by[workloads.Waiting]), ms(l.by[workloads.Blocked]), ms(l.first), ms(l.last))
	}
	tw.Flush()
}

type lane struct {
	lane        int
	tasks       map[int]bool
	by          map[workloads.State]int64
	first, last int64
}

// laneSummary totals each lane's spans by state.
func laneSummary(spans []workloads.Span) []*lane {
	m := map[int]*lane{}
	for _, s := range spans {
		l := m[s.Lane]
		if l == nil {
			l = &lane{lane: s.Lane, tasks: map[int]bool{}, by: map[workloads.State]int64{}, first: s.Start, last: s.End}
			m[s.Lane] = l
		}
		if s.Task >= 0 {
			l.tasks[s.Task] = true
		}
		l.by[s.State] += s.End - s.Start
		l.first, l.last = min(l.first, s.Start), max(l.last, s.End)
	}
	out := make([]*lane, 0, len(m))
	for _, l := range m {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lane < out[j].lane })
	return out
}

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
