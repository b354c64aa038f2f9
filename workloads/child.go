package workloads

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
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
// and SpawnOptions.Args). In the browser the engine starts a Web Worker
// running the worker module, which calls ChildMain with the arguments and
// posts what it writes back to the page.
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

// Limits of the child's flags.
const (
	maxChildLines   = 100_000
	maxChildEveryMS = 10_000
	maxChildWork    = 1_000_000_000
	maxChildExit    = 125
)

// ChildMain is the child program: what `conlab child ARGS` runs natively
// and what a child Web Worker runs in the browser. It writes "ready" as
// its first line, then:
//
//	-lines N    N lines "line K/N from child ID" (K from 1), with
//	-every MS   milliseconds between two lines;
//	-work W     computes the sum of i*i for i < W twice, printing
//	            "cold VALUE MICROSECONDS" after the first, unoptimised call
//	            and "warm VALUE MICROSECONDS" after the second; VALUE is
//	            that sum plus ID;
//	-id ID      the child's number, in its lines and answers;
//	-exit CODE  exits with CODE (0 to 125), writing why to stderr when
//	            it is not 0.
//
// It returns the exit code: CODE, 2 for bad arguments (explained on
// stderr), 1 when stdout fails (the parent closed the pipe).
func ChildMain(args []string, stdout, stderr io.Writer) int {
	return childMain(context.Background(), args, stdout, stderr)
}

// childKilled is the code of a child stopped by its context.
const childKilled = -1

func childMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conlab child", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lines := fs.Int("lines", 0, "lines to print")
	every := fs.Int("every", 0, "milliseconds between lines")
	work := fs.Int64("work", 0, "squares to sum, twice (cold and warm)")
	id := fs.Int("id", 0, "the child's number")
	code := fs.Int("exit", 0, "exit code")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "conlab child: "+format+"\n", a...)
		return 2
	}
	switch {
	case fs.NArg() > 0:
		return bad("unexpected argument %q", fs.Arg(0))
	case *lines < 0 || *lines > maxChildLines:
		return bad("-lines %d: allowed 0 to %d", *lines, maxChildLines)
	case *every < 0 || *every > maxChildEveryMS:
		return bad("-every %d: allowed 0 to %d", *every, maxChildEveryMS)
	case *work < 0 || *work > maxChildWork:
		return bad("-work %d: allowed 0 to %d", *work, maxChildWork)
	case *code < 0 || *code > maxChildExit:
		return bad("-exit %d: allowed 0 to %d", *code, maxChildExit)
	}
	say := func(format string, a ...any) bool {
		if _, err := fmt.Fprintf(stdout, format+"\n", a...); err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(stderr, "conlab child %d: writing to the parent: %v\n", *id, err)
			}
			return false
		}
		return true
	}
	stopped := func() int {
		if ctx.Err() != nil {
			return childKilled
		}
		return 1
	}
	if !say("ready") {
		return stopped()
	}
	for k := 1; k <= *lines; k++ {
		if k > 1 && *every > 0 {
			if sleep(ctx, time.Duration(*every)*time.Millisecond) != nil {
				return childKilled
			}
		}
		if !say("line %d/%d from child %d", k, *lines, *id) {
			return stopped()
		}
	}
	if *work > 0 {
		for _, call := range []string{"cold", "warm"} {
			t0 := time.Now()
			v, ok := childSquares(ctx, uint64(*work))
			if !ok {
				return childKilled
			}
			if !say("%s %d %d", call, v+uint64(*id), time.Since(t0).Microseconds()) {
				return stopped()
			}
		}
	}
	if *code != 0 {
		fmt.Fprintf(stderr, "child %d: failing on purpose with exit code %d\n", *id, *code)
	}
	return *code
}

// childSquares sums i*i for i < n (with wrap-around), stopping early with
// false when ctx is done.
func childSquares(ctx context.Context, n uint64) (uint64, bool) {
	var s uint64
	for lo := uint64(0); lo < n; lo += 1 << 20 {
		for i := lo; i < min(lo+1<<20, n); i++ {
			s += i * i
		}
		if ctx.Err() != nil {
			return s, false
		}
	}
	return s, true
}

// childAnswer is the VALUE a child with the given id and work answers.
func childAnswer(id int, work int64) uint64 {
	return sumSquaresBelow(uint64(work)) + uint64(id)
}

// sumSquaresBelow is the sum of i*i for i < n, modulo 2^64, in closed
// form: (n-1)n(2n-1)/6, dividing exactly before multiplying.
func sumSquaresBelow(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	a, b, c := n-1, n, 2*n-1
	if a%2 == 0 {
		a /= 2
	} else {
		b /= 2
	}
	switch {
	case a%3 == 0:
		a /= 3
	case b%3 == 0:
		b /= 3
	default:
		c /= 3
	}
	return a * b * c
}

// InProcess is the Spawner of last resort: the child runs ChildMain on a
// goroutine of this program, its stdout an io.Pipe. It costs almost
// nothing to start, shares this program's memory and CPU, and is labelled
// "in-process child" on the timeline so nobody mistakes it for a process.
var InProcess Spawner = inProcessSpawner{}

type inProcessSpawner struct{}

func (inProcessSpawner) Spawn(ctx context.Context, opt SpawnOptions) (Child, error) {
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	c := &inProcessChild{ctx: ctx, out: pr, done: make(chan struct{})}
	// A cancelled child's reader must end even if the child is between
	// writes: close the pipe from the parent's side.
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(io.EOF) })
	args := append([]string(nil), opt.Args...)
	go func() {
		defer close(c.done)
		defer cancel()
		defer stop()
		c.code = childMain(ctx, args, pw, &c.stderr)
		pw.Close()
	}()
	return c, nil
}

type inProcessChild struct {
	ctx    context.Context
	out    *io.PipeReader
	stderr tailBuffer
	done   chan struct{}
	code   int
}

func (c *inProcessChild) Name() string      { return "in-process child" }
func (c *inProcessChild) Stdout() io.Reader { return c.out }

func (c *inProcessChild) Wait() (Exit, error) {
	<-c.done
	c.out.Close()
	e := Exit{Code: c.code, Stderr: c.stderr.String()}
	if c.code == childKilled {
		return e, context.Cause(c.ctx)
	}
	return e, nil
}

// tailBuffer keeps the last MaxStderr bytes written to it. It is safe for
// concurrent use; the zero value is empty and ready.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - MaxStderr; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// The parent's side, shared by the subprocess and spawn workloads.

// childKindProcess and childKindGoroutine are what a workload asks for: a
// separate program (process or Web Worker), or a goroutine.
const (
	childKindProcess   = "process"
	childKindGoroutine = "goroutine"
)

// startChild starts a child of the given kind for task t. A process is
// asked of the Env; when the Env cannot start one, the child runs in
// process and fellBack is true.
func startChild(ctx context.Context, t *T, kind string, opt SpawnOptions) (c Child, fellBack bool, err error) {
	if kind == childKindProcess {
		if sp, ok := t.Env().(Spawner); ok {
			c, err := sp.Spawn(ctx, opt)
			if err == nil {
				return c, false, nil
			}
			if !errors.Is(err, ErrNoSpawn) {
				return nil, false, err
			}
		}
		fellBack = true
	}
	c, err = InProcess.Spawn(ctx, opt)
	return c, fellBack, err
}

// childReader reads a child's stdout line by line.
type childReader struct {
	sc *bufio.Scanner
}

func newChildReader(c Child) *childReader {
	sc := bufio.NewScanner(c.Stdout())
	sc.Buffer(make([]byte, 0, 256), 64<<10)
	return &childReader{sc: sc}
}

// next returns the next line, or io.EOF at the end of the output.
func (r *childReader) next() (string, error) {
	if r.sc.Scan() {
		return r.sc.Text(), nil
	}
	if err := r.sc.Err(); err != nil {
		return "", err
	}
	return "", io.EOF
}

// expect reads the next line and checks that it starts with prefix.
func (r *childReader) expect(prefix string) (string, error) {
	line, err := r.next()
	if err == io.EOF {
		return "", fmt.Errorf("the child's output ended before %q", strings.TrimSpace(prefix))
	}
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(line, prefix) {
		return "", fmt.Errorf("the child said %q, want %q…", clipText(line, 60), strings.TrimSpace(prefix))
	}
	return line, nil
}

// parseAnswer parses "cold VALUE MICROSECONDS" or "warm ...".
func parseAnswer(line string) (value uint64, us int64, err error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return 0, 0, fmt.Errorf("malformed answer %q", clipText(line, 60))
	}
	if value, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("malformed answer %q", clipText(line, 60))
	}
	if us, err = strconv.ParseInt(f[2], 10, 64); err != nil || us < 0 {
		return 0, 0, fmt.Errorf("malformed answer %q", clipText(line, 60))
	}
	return value, us, nil
}

// drainChild reads the rest of a child's output, so that Wait can follow.
// childLabels labels the tasks of a plan with one child a task.
func childLabels(n int) []string {
	labels := make([]string, n)
	for i := range labels {
		labels[i] = fmt.Sprintf("child %d", i)
	}
	return labels
}

// childRun is a child a task started and talks to, with the report it
// hands back as the task's output.
type childRun struct {
	i      int
	c      Child
	r      *childReader
	rep    childReport
	cancel context.CancelFunc // cancels ctx the child was started with
}

// launchChild starts child i in a Startup phase labelled phase, waits for
// its "ready" line and records the start-up time in the report.
func launchChild(ctx context.Context, cancel context.CancelFunc, t *T, i int, phase, kind string, opt SpawnOptions) (*childRun, error) {
	start := t.Now()
	t.Phase(phase, Startup)
	c, fellBack, err := startChild(ctx, t, kind, opt)
	if err != nil {
		return nil, err
	}
	cr := &childRun{i: i, c: c, r: newChildReader(c), cancel: cancel,
		rep: childReport{Child: childName(c, fellBack), FellBack: fellBack}}
	t.Phase(cr.rep.Child+" starting", Startup)
	if _, err := cr.r.expect("ready"); err != nil {
		return nil, cr.fail(err)
	}
	cr.rep.StartupUS = (t.Now() - start).Microseconds()
	return cr, nil
}

// fail stops the child and returns err naming it, with its stderr.
func (cr *childRun) fail(err error) error {
	cr.cancel()
	drainChild(cr.r)
	ex, _ := cr.c.Wait()
	if ex.Stderr != "" {
		err = fmt.Errorf("%w; its stderr: %q", err, clipText(strings.TrimSpace(ex.Stderr), 200))
	}
	return fmt.Errorf("child %d (%s): %w", cr.i, cr.rep.Child, err)
}

// finish checks that the child wrote nothing more and waits for its exit,
// recording the exit in the report.
func (cr *childRun) finish(t *T) error {
	switch line, err := cr.r.next(); {
	case err == nil:
		return cr.fail(fmt.Errorf("unexpected output %q", clipText(line, 60)))
	case err != io.EOF:
		return cr.fail(err)
	}
	t.Phase("wait for "+cr.rep.Child+" to exit", Waiting)
	var err error
	if cr.rep.Exit, err = cr.c.Wait(); err != nil {
		return fmt.Errorf("child %d (%s): %w", cr.i, cr.rep.Child, err)
	}
	return nil
}

// report hands the child's report back as the task's output.
func (cr *childRun) report(t *T) error {
	t.SetOutput(cr.rep.append(nil))
	return nil
}

func drainChild(r *childReader) {
	for {
		if _, err := r.next(); err != nil {
			return
		}
	}
}

// childReport is what a task learnt of its child, handed to Combine as the
// task's output (it crosses to the page in the workers mode, in the
// binary form of append: encoding/json would add half a megabyte of code
// to every worker, for this alone).
type childReport struct {
	Child     string // the child's Name
	FellBack  bool   // a process was asked for, a goroutine ran
	Lines     int
	Exit      Exit
	StartupUS int64 // from asking for the child to its "ready"
	ColdUS    int64
	WarmUS    int64
}

// childReportTag starts every report, so that other bytes are not taken
// for one.
const childReportTag = "conlab-child-1"

// append appends the report's binary form: the tag, then each field in
// order as a varint, strings length first.
func (r *childReport) append(b []byte) []byte {
	b = append(b, childReportTag...)
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	num := func(n int64) { b = binary.AppendVarint(b, n) }
	str(r.Child)
	fell := int64(0)
	if r.FellBack {
		fell = 1
	}
	num(fell)
	num(int64(r.Lines))
	num(int64(r.Exit.Code))
	str(r.Exit.Stderr)
	num(r.StartupUS)
	num(r.ColdUS)
	num(r.WarmUS)
	return b
}

// parse reads a report that append wrote, and nothing after it.
func (r *childReport) parse(b []byte) error {
	bad := errors.New("not a child report")
	if !bytes.HasPrefix(b, []byte(childReportTag)) {
		return bad
	}
	b = b[len(childReportTag):]
	failed := false
	num := func() int64 {
		n, k := binary.Varint(b)
		if k <= 0 {
			failed = true
			return 0
		}
		b = b[k:]
		return n
	}
	str := func(max int) string {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(max) || n > uint64(len(b)-k) {
			failed = true
			return ""
		}
		s := string(b[k : k+int(n)])
		b = b[k+int(n):]
		return s
	}
	*r = childReport{Child: str(256)}
	fell := num()
	r.FellBack = fell == 1
	r.Lines, r.Exit.Code = int(num()), int(num())
	r.Exit.Stderr = str(MaxStderr)
	r.StartupUS, r.ColdUS, r.WarmUS = num(), num(), num()
	if failed || len(b) != 0 || fell > 1 || fell < 0 || r.StartupUS < 0 || r.ColdUS < 0 || r.WarmUS < 0 || r.Lines < 0 {
		return bad
	}
	return nil
}

// childReports decodes the tasks' reports; a missing or malformed one is
// an error naming the task.
func childReports(o Outputs, n int) ([]childReport, error) {
	reps := make([]childReport, n)
	for i := range reps {
		if i >= len(o.Data) || o.Data[i] == nil {
			return nil, fmt.Errorf("child %d reported nothing", i)
		}
		if err := reps[i].parse(o.Data[i]); err != nil {
			return nil, fmt.Errorf("child %d: malformed report: %v", i, err)
		}
	}
	return reps, nil
}

// childName is the child's name as the timeline shows it.
func childName(c Child, fellBack bool) string {
	if fellBack {
		return c.Name() + " (no process spawner here)"
	}
	return c.Name()
}
