//go:build !wasm

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"conlab/workloads"
)

// Spawner starts native runs as child processes of a conlab executable:
// Exe Args... run -json -request -, the request on the child's stdin and
// its result on the child's stdout. The zero value is not usable; set Exe.
type Spawner struct {
	// Exe is the conlab executable; Args come before "run" (tests use the
	// test binary itself with an environment switch).
	Exe  string
	Args []string
	// Env is added to the server's environment for each child.
	Env []string
	// KillGrace is how long past the request's own deadline a child may
	// take to report its timeout before its process group is killed.
	// 0 means 2 seconds.
	KillGrace time.Duration
	// MaxOutput bounds the result a child may print; 0 means 64 MiB.
	MaxOutput int

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // children alive
}

// errClosed is the error of a Run after Close.
var errClosed = errors.New("the server is shutting down: no new native runs")

// ChildResult is what one child process did.
type ChildResult struct {
	// Result is the run's result; nil when the child printed none.
	Result *workloads.Result
	// Raw is the result's JSON as the child printed it.
	Raw    []byte
	PID    int
	Exit   int    // the exit code; -1 when killed by a signal
	Stderr string // the end of what it wrote to stderr
	Took   time.Duration
	// PeakBytes is the most memory the run held: the child's own peak
	// resident size, or with Limits.Watch the largest sum sampled over
	// its process group, whichever is larger. 0 where not measured.
	PeakBytes int64
	// OutOfMemory is set when the child died for going over its memory cap.
	OutOfMemory bool
}

// Limits bound one child run.
type Limits struct {
	// Bytes caps the memory the child and each process it starts may map
	// privately, where the OS allows it (Linux's RLIMIT_DATA). That is
	// address space, not resident memory: it counts each thread's stack
	// (8 MB) and the Go runtime's reservations whole. 0 means no cap.
	Bytes int64
	// GoMemLimit is the child's GOMEMLIMIT: its collector works to keep
	// the memory it uses below it. 0 means none.
	GoMemLimit int64
	// Watch samples the memory of the child's whole process group while
	// it runs (for runs with child processes of their own).
	Watch bool
}

// errOutOfMemory is the error of a run stopped at its memory cap.
type errOutOfMemory struct {
	limit, peak int64
	stderr      string
}

func (e *errOutOfMemory) Error() string {
	return fmt.Sprintf("the run was stopped for using more memory than its cap of %d MB (peak seen: %d MB)%s", e.limit>>20, e.peak>>20, detail(e.stderr))
}

// Run runs job's request in a child process and blocks until the child is
// gone. The child is killed, with every process it started, when ctx is
// done or at the request's deadline plus KillGrace. An error means there
// is no result: the child could not start, was killed, or printed none.
// A run that failed inside the child (a deadlock, a timeout it reported
// itself) is a ChildResult whose Result.Error is set, with a nil error.
func (s *Spawner) Run(ctx context.Context, req workloads.Request) (*ChildResult, error) {
	return s.RunWithin(ctx, req, Limits{})
}

// RunWithin is Run with the child's memory capped and measured by lim.
// A child that dies at its cap is an error saying so (with
// ChildResult.OutOfMemory set).
func (s *Spawner) RunWithin(ctx context.Context, req workloads.Request, lim Limits) (*ChildResult, error) {
	in, err := encodeRequest(req)
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(req.TimeoutMS) * time.Millisecond
	if req.TimeoutMS <= 0 {
		timeout = workloads.DefaultTimeoutMS * time.Millisecond
	}
	grace := s.KillGrace
	if grace <= 0 {
		grace = 2 * time.Second
	}
	maxOut := s.MaxOutput
	if maxOut <= 0 {
		maxOut = 64 << 20
	}
	hard, cancel := context.WithTimeout(ctx, timeout+grace)
	defer cancel()

	args := append(append([]string(nil), s.Args...), "run", "-json", "-request", "-")
	cmd := exec.CommandContext(hard, s.Exe, args...)
	cmd.Env = append(os.Environ(), s.Env...)
	if lim.GoMemLimit > 0 {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+strconv.FormatInt(lim.GoMemLimit, 10))
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out := &capped{max: maxOut}
	errb := &capped{max: 8 << 10, tail: true}
	oom := &oomWatch{}
	cmd.Stdout, cmd.Stderr = out, io.MultiWriter(errb, oom)
	ownGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	// Grandchildren holding the pipes open must not keep Wait waiting.
	cmd.WaitDelay = time.Second

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the native run: %w", err)
	}
	cr := &ChildResult{PID: cmd.Process.Pid}
	// The child reads its request before it allocates anything for the
	// run: the cap is in place before the work starts.
	if lim.Bytes > 0 {
		if err := limitData(cmd.Process.Pid, lim.Bytes); err != nil {
			killGroup(cmd.Process)
			cmd.Wait()
			return nil, fmt.Errorf("capping the native run's memory: %w", err)
		}
	}
	go func() {
		stdin.Write(in)
		stdin.Close()
	}()
	var sampled atomic.Int64
	stopWatch := make(chan struct{})
	watched := make(chan struct{})
	if lim.Watch {
		go func() {
			defer close(watched)
			t := time.NewTicker(25 * time.Millisecond)
			defer t.Stop()
			for {
				if m := groupRSS(cr.PID); m > sampled.Load() {
					sampled.Store(m)
				}
				select {
				case <-stopWatch:
					return
				case <-t.C:
				}
			}
		}()
	} else {
		close(watched)
	}
	werr := cmd.Wait()
	close(stopWatch)
	<-watched
	// The child has exited; anything it left behind in its group goes too.
	killGroup(cmd.Process)
	cr.Took = time.Since(start)
	cr.Exit = cmd.ProcessState.ExitCode()
	cr.Stderr = strings.TrimSpace(errb.String())
	cr.PeakBytes = max(maxRSS(cmd.ProcessState), sampled.Load())
	if lim.Bytes > 0 && oom.line != "" {
		cr.OutOfMemory = true
		return cr, &errOutOfMemory{limit: lim.Bytes, peak: cr.PeakBytes, stderr: oom.line}
	}
	if lim.Bytes > 0 && werr != nil && ctx.Err() == nil && hard.Err() == nil && cr.PeakBytes >= lim.Bytes/2 && len(bytes.TrimSpace(out.buf.Bytes())) == 0 {
		// A crash with no result and no words about memory, by a run
		// that had come near its cap: most likely the cap again (a
		// failed mapping can surface as a signal).
		cr.OutOfMemory = true
		return cr, &errOutOfMemory{limit: lim.Bytes, peak: cr.PeakBytes, stderr: firstLine(cr.Stderr)}
	}

	switch {
	case ctx.Err() != nil:
		return cr, ctx.Err()
	case hard.Err() != nil:
		return cr, &apiError{Status: http.StatusGatewayTimeout, Field: "timeout_ms",
			Msg: fmt.Sprintf("the run did not stop at its deadline (%d ms) and was killed%s", req.TimeoutMS, detail(cr.Stderr))}
	case out.over:
		return cr, fmt.Errorf("the run's result is larger than %d bytes", maxOut)
	}
	var res workloads.Result
	raw := bytes.TrimSpace(out.buf.Bytes())
	if len(raw) == 0 || json.Unmarshal(raw, &res) != nil {
		why := "exited without a result"
		if werr != nil {
			why = werr.Error()
		}
		return cr, fmt.Errorf("the native run failed: %s%s", why, detail(cr.Stderr))
	}
	cr.Result, cr.Raw = &res, raw
	return cr, nil
}

// Close makes later Runs fail and blocks until every child started by Run
// is gone. It does not kill them: cancel their contexts for that.
func (s *Spawner) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
}

// oomWatch finds the line where the Go runtime (or a child program)
// reports running out of memory, however long the crash report after it:
// the stderr kept for errors is only its end.
type oomWatch struct {
	partial []byte
	line    string
}

func (o *oomWatch) Write(p []byte) (int, error) {
	if o.line != "" {
		return len(p), nil
	}
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		if l := string(o.partial[:i]); outOfMemoryLine(l) {
			o.line = strings.TrimSpace(l)
			o.partial = nil
			return len(p), nil
		}
		o.partial = o.partial[i+1:]
	}
	if len(o.partial) > 4096 {
		o.partial = o.partial[len(o.partial)-4096:]
	}
	return len(p), nil
}

// outOfMemoryLine reports whether a line of a crash report says the
// process could not get memory: the Go runtime's own words, or a thread
// it could not start (its stack is memory too; errno 12 is ENOMEM).
func outOfMemoryLine(l string) bool {
	for _, s := range []string{"out of memory", "cannot allocate memory", "errno=12", "pthread_create failed", "failed to create new OS thread"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func detail(stderr string) string {
	if stderr == "" {
		return ""
	}
	return ": " + stderr
}

// capped is an io.Writer that keeps at most max bytes: the first ones, or
// with tail the last ones. It never fails, so a chatty child is not
// blocked on a full pipe.
type capped struct {
	max  int
	tail bool
	buf  bytes.Buffer
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if c.tail {
		c.buf.Write(p)
		if extra := c.buf.Len() - c.max; extra > 0 {
			c.over = true
			b := append([]byte(nil), c.buf.Bytes()[extra:]...)
			c.buf.Reset()
			c.buf.Write(b)
		}
		return n, nil
	}
	if room := c.max - c.buf.Len(); room < len(p) {
		c.over = true
		p = p[:max(room, 0)]
	}
	c.buf.Write(p)
	return n, nil
}

func (c *capped) String() string {
	if c.tail && c.over {
		return "…" + c.buf.String()
	}
	return c.buf.String()
}

// isTimeout reports whether a result's error is the engine's deadline.
func isTimeout(res *workloads.Result) bool {
	return res != nil && strings.HasPrefix(res.Error, workloads.ErrTimeout.Error())
}

// firstLine is the first line of a crash report: its reason.
func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimPrefix(s, "…"), "\n")
	return strings.TrimSpace(l)
}
