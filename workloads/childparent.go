package workloads

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

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
	cancel context.CancelCauseFunc // cancels ctx the child was started with
}

// How long a parent waits for a child that says nothing before it stops
// the child and fails the task, saying so: a child that never answers
// (a worker that never started, a lost message) must not hold its run
// until the run's deadline. ChildStartLimit bounds the start-up, until
// "ready" (a browser worker that compiles the module itself needs
// seconds on a busy machine); ChildQuietLimit every later wait, beyond the
// pause or the work the child was asked for.
var (
	ChildStartLimit = 30 * time.Second
	ChildQuietLimit = 15 * time.Second
)

// childSilence is the cause of a child stopped for saying nothing.
type childSilence struct {
	waited time.Duration
	what   string
}

func (e *childSilence) Error() string {
	return fmt.Sprintf("the child said nothing for %s while the parent waited for %s, so the parent stopped it",
		formatDuration(e.waited), e.what)
}

// launchChild starts child i in a Startup phase labelled phase, waits for
// its "ready" line (at most ChildStartLimit) and records the start-up
// time in the report. ctx is the child's, and cancel cancels it.
func launchChild(ctx context.Context, cancel context.CancelCauseFunc, t *T, i int, phase, kind string, opt SpawnOptions) (*childRun, error) {
	start := t.Now()
	t.Phase(phase, Startup)
	c, fellBack, err := startChild(ctx, t, kind, opt)
	if err != nil {
		return nil, err
	}
	cr := &childRun{i: i, c: c, r: newChildReader(c), cancel: cancel,
		rep: childReport{Child: childName(c, fellBack), FellBack: fellBack}}
	t.Phase(cr.rep.Child+" starting", Startup)
	if _, err := cr.expect("ready", "its first line, \"ready\"", ChildStartLimit); err != nil {
		return nil, err
	}
	cr.rep.StartupUS = (t.Now() - start).Microseconds()
	return cr, nil
}

// expect reads the child's next line, which must start with prefix, as
// childReader.expect does; a child that says nothing within limit is
// stopped, and the error says what the parent waited for (what). Any
// error stops the child and names it (see fail).
func (cr *childRun) expect(prefix, what string, limit time.Duration) (string, error) {
	silence := &childSilence{waited: limit, what: what}
	timer := time.AfterFunc(limit, func() { cr.cancel(silence) })
	line, err := cr.r.expect(prefix)
	if !timer.Stop() {
		return "", cr.fail(silence)
	}
	if err != nil {
		return "", cr.fail(err)
	}
	return line, nil
}

// fail stops the child and returns err naming it, with its stderr.
func (cr *childRun) fail(err error) error {
	cr.cancel(nil)
	drainChild(cr.r)
	ex, _ := cr.c.Wait()
	if ex.Stderr != "" {
		err = fmt.Errorf("%w; its stderr: %q", err, clipText(strings.TrimSpace(ex.Stderr), 200))
	}
	return fmt.Errorf("child %d (%s): %w", cr.i, cr.rep.Child, err)
}

// finish checks that the child wrote nothing more and waits for its exit
// (at most ChildQuietLimit for each), recording the exit in the report.
func (cr *childRun) finish(t *T) error {
	silence := &childSilence{waited: ChildQuietLimit, what: "the end of its output"}
	timer := time.AfterFunc(ChildQuietLimit, func() { cr.cancel(silence) })
	line, err := cr.r.next()
	switch {
	case !timer.Stop():
		return cr.fail(silence)
	case err == nil:
		return cr.fail(fmt.Errorf("unexpected output %q", clipText(line, 60)))
	case err != io.EOF:
		return cr.fail(err)
	}
	t.Phase("wait for "+cr.rep.Child+" to exit", Waiting)
	silence = &childSilence{waited: ChildQuietLimit, what: "its exit code after its output ended"}
	timer = time.AfterFunc(ChildQuietLimit, func() { cr.cancel(silence) })
	cr.rep.Exit, err = cr.c.Wait()
	if !timer.Stop() && err != nil {
		err = silence
	}
	if err != nil {
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
