package workloads

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary be the child program of the subprocess
// and spawn workloads, as `conlab child` is for the real command: the
// classic helper-process pattern.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "child" && os.Getenv(ChildEnv) == "1" {
		os.Exit(ChildMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	// A child built with -race would otherwise linger a second at exit
	// (the race runtime's default), a second per child of every test.
	if _, set := os.LookupEnv("GORACE"); !set {
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	os.Exit(m.Run())
}

func TestChildMain(t *testing.T) {
	var out, errb strings.Builder
	code := ChildMain([]string{"-lines", "3", "-id", "4", "-exit", "5", "-work", "10"}, &out, &errb)
	want := "ready\nline 1/3 from child 4\nline 2/3 from child 4\nline 3/3 from child 4\n"
	if code != 5 || !strings.HasPrefix(out.String(), want) {
		t.Errorf("code %d, stdout %q", code, out.String())
	}
	if !strings.Contains(errb.String(), "exit code 5") {
		t.Errorf("stderr %q does not say why", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, prefix := range []string{"cold ", "warm "} {
		line := lines[4+i]
		v, _, err := parseAnswer(line)
		if !strings.HasPrefix(line, prefix) || err != nil || v != childAnswer(4, 10) {
			t.Errorf("answer %q: %d, %v; want %s%d", line, v, err, prefix, childAnswer(4, 10))
		}
	}
	for _, args := range [][]string{{"-lines", "-1"}, {"-exit", "126"}, {"-nope"}, {"extra"}, {"-work", "x"}, {"-deadlock", "1"}, {"-deadlock", "9"}, {"-hold", "-1"}} {
		out.Reset()
		errb.Reset()
		if code := ChildMain(args, &out, &errb); code != 2 || errb.Len() == 0 || out.Len() != 0 {
			t.Errorf("%v: code %d, stdout %q, stderr %q; want 2 with a message", args, code, out.String(), errb.String())
		}
	}
}

// The in-process child keeps the contract: lines through the pipe, then the
// code and stderr from Wait; cancelling stops it with the context's error.
func TestInProcessChild(t *testing.T) {
	c, err := InProcess.Spawn(context.Background(), SpawnOptions{Args: []string{"-lines", "2", "-exit", "9"}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(c.Stdout())
	ex, err := c.Wait()
	if string(out) != "ready\nline 1/2 from child 0\nline 2/2 from child 0\n" || ex.Code != 9 || err != nil || !strings.Contains(ex.Stderr, "9") {
		t.Errorf("got %q, %+v, %v", out, ex, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	c, _ = InProcess.Spawn(ctx, SpawnOptions{Args: []string{"-lines", "1000", "-every", "1000"}})
	r := newChildReader(c)
	if _, err := r.expect("ready"); err != nil {
		t.Fatal(err)
	}
	cancel()
	drainChild(r)
	if ex, err := c.Wait(); !errors.Is(err, context.Canceled) || ex.Code != -1 {
		t.Errorf("cancelled child: %+v, %v", ex, err)
	}
}

func TestTailBuffer(t *testing.T) {
	var b tailBuffer
	b.Write([]byte(strings.Repeat("a", MaxStderr)))
	b.Write([]byte("the end"))
	if s := b.String(); len(s) != MaxStderr || !strings.HasSuffix(s, "the end") {
		t.Errorf("kept %d bytes ending %q", len(s), s[len(s)-10:])
	}
}

// Without a process spawner (wasm under Node, or a NativeEnv with no Exe)
// the children run in process, and the timeline and the check say so.
func TestChildFallback(t *testing.T) {
	params := map[string]map[string]any{
		"subprocess": {"children": 2, "lines": 2, "every": 0},
		"spawn":      {"children": 2, "work": 100, "kind": childKindProcess},
	}
	for id, p := range params {
		res, err := Run(context.Background(), Request{Workload: id, Mode: Goroutines, Workers: 2, Params: p}, Options{Env: defaultEnv()})
		if err != nil || !res.Check.OK {
			t.Fatalf("%s: %v %+v", id, err, res)
		}
		if !strings.Contains(res.Check.Note, "in-process") {
			t.Errorf("%s: note %q does not say the children ran in process", id, res.Check.Note)
		}
		labelled := false
		for _, s := range res.Spans {
			labelled = labelled || strings.Contains(s.Label, "in-process child (no process spawner here)")
		}
		if !labelled {
			t.Errorf("%s: no span says in-process child: %+v", id, res.Spans)
		}
	}
}

// A child that exits with a code nobody asked for fails the run too, and
// the note says the code was not the one asked for.
func TestSubprocessUnexpectedExit(t *testing.T) {
	out := "ready\nline 1/1 from child 0\n"
	env := fakeSpawner{Env: defaultEnv(), out: out, opts: make(chan SpawnOptions, 1), exit: Exit{Code: 5, Stderr: "out of disk"}}
	res, err := Run(context.Background(), Request{Workload: "subprocess", Params: map[string]any{"children": 1, "lines": 1}}, Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Check; c.OK || c.Value != "1 line; exit codes [5]" ||
		!strings.Contains(c.Note, "child 0 exited with code 5, but the run asked for code 0") || !strings.Contains(c.Note, "out of disk") {
		t.Errorf("check %+v", c)
	}
}

func TestSubprocessFailingChild(t *testing.T) {
	res, err := Run(context.Background(), Request{Workload: "subprocess", Mode: Goroutines, Workers: 3,
		Params: map[string]any{"children": 3, "lines": 4, "every": 1, "fail": 1, "exit": 7}}, Options{Env: testEnv(t)})
	if err != nil {
		t.Fatal(err)
	}
	// The failing child fails the run, never ✓, with its code and stderr.
	c := res.Check
	if c.OK || c.Value != "12 lines; exit codes [0 7 0]" || c.Expected != "12 lines; exit codes [0 0 0]" ||
		!strings.Contains(c.Note, "child 1 exited with code 7, as the run asked") || !strings.Contains(c.Note, "failing on purpose") {
		t.Errorf("check %+v", c)
	}
	_, err = Run(context.Background(), Request{Workload: "subprocess", Params: map[string]any{"children": 2, "fail": 2}}, Options{})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Field != "fail" {
		t.Errorf("fail out of range: %v", err)
	}
}

// fakeSpawner starts children whose output is given: a child that lies.
// Its children exit with exit, or with code 0 and "fake stderr" when
// exit is the zero Exit.
type fakeSpawner struct {
	Env
	out  string
	opts chan SpawnOptions
	exit Exit
}

func (f fakeSpawner) Spawn(ctx context.Context, opt SpawnOptions) (Child, error) {
	f.opts <- opt
	e := f.exit
	if e == (Exit{}) {
		e.Stderr = "fake stderr"
	}
	return fakeChild{strings.NewReader(f.out), e}, nil
}

type fakeChild struct {
	io.Reader
	exit Exit
}

func (c fakeChild) Name() string        { return "fake" }
func (c fakeChild) Stdout() io.Reader   { return c.Reader }
func (c fakeChild) Wait() (Exit, error) { return c.exit, nil }

// The parent trusts nothing a child says: a wrong answer, a wrong line or a
// child that stops early fails its task, naming the child and its stderr.
func TestChildLies(t *testing.T) {
	params := map[string]map[string]any{
		"spawn":      {"children": 1, "work": 10, "compile": "each"},
		"subprocess": {"children": 1, "lines": 3},
	}
	cases := []struct{ workload, out, want string }{
		{"spawn", "ready\ncold 1 5\n", "answered 1, want"},
		{"spawn", "ready\n", "ended before"},
		{"spawn", "ready\ncold x\n", "malformed answer"},
		{"subprocess", "hello\n", `the child said "hello"`},
		{"subprocess", "ready\nline 1/3 from child 0\nline 3/3 from child 0\n", "line 2/3"},
		{"subprocess", "ready\nline 1/3 from child 0\nline 2/3 from child 0\nline 3/3 from child 0\nmore\n", "unexpected output"},
	}
	for _, c := range cases {
		env := fakeSpawner{Env: defaultEnv(), out: c.out, opts: make(chan SpawnOptions, 1)}
		_, err := Run(context.Background(), Request{Workload: c.workload, Params: params[c.workload]}, Options{Env: env})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "fake stderr") ||
			!strings.Contains(err.Error(), "child 0 (fake)") {
			t.Errorf("%s told %q: got %v, want an error with %q", c.workload, c.out, err, c.want)
		}
		if opt := <-env.opts; opt.Fresh != (c.workload == "spawn") {
			t.Errorf("%s: Fresh = %v", c.workload, opt.Fresh)
		}
	}
}

func ExampleChildMain() {
	code := ChildMain([]string{"-lines", "2", "-id", "1", "-exit", "3"}, os.Stdout, os.Stdout)
	fmt.Println("exit code", code)
	// Output:
	// ready
	// line 1/2 from child 1
	// line 2/2 from child 1
	// child 1: failing on purpose with exit code 3
	// exit code 3
}

// A parent reads its child's lines as they come, then its exit.
func ExampleSpawner() {
	var sp Spawner = InProcess // natively: NativeEnv{Exe: "conlab"}; in the browser: the worker pool
	c, err := sp.Spawn(context.Background(), SpawnOptions{Args: []string{"-lines", "2", "-exit", "4"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	lines := bufio.NewScanner(c.Stdout())
	for lines.Scan() {
		fmt.Println("got:", lines.Text())
	}
	ex, err := c.Wait()
	fmt.Printf("%s exited with code %d (%v): %s", c.Name(), ex.Code, err, ex.Stderr)
	// Output:
	// got: ready
	// got: line 1/2 from child 0
	// got: line 2/2 from child 0
	// in-process child exited with code 4 (<nil>): child 0: failing on purpose with exit code 4
}

// benchChild starts a child with sp, reads it to the end and waits: one op
// is the whole life of a child that does nothing but say it is ready.
func benchChild(b *testing.B, sp Spawner) {
	for b.Loop() {
		c, err := sp.Spawn(context.Background(), SpawnOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, c.Stdout()); err != nil {
			b.Fatal(err)
		}
		if ex, err := c.Wait(); err != nil || ex.Code != 0 {
			b.Fatal(ex, err)
		}
	}
}

func BenchmarkChildInProcess(b *testing.B) { benchChild(b, InProcess) }

func TestChildReportRoundTrip(t *testing.T) {
	for _, r := range []childReport{
		{},
		{Child: "Web Worker (fresh) é", FellBack: true, Lines: 3, Exit: Exit{Code: -1, Stderr: strings.Repeat("x", MaxStderr)}, StartupUS: 1 << 40, ColdUS: 5, WarmUS: 6},
		{Child: "process", Exit: Exit{Code: 255}},
	} {
		b := r.append(nil)
		var got childReport
		if err := got.parse(b); err != nil || got != r {
			t.Errorf("parse(append(%+v)) = %+v, %v", r, got, err)
		}
		// Cut anywhere, or with a byte more, or altered in its tag, it is
		// refused, not misread.
		for i := range len(b) {
			if err := got.parse(b[:i]); err == nil {
				t.Errorf("%+v cut to %d bytes was accepted as %+v", r, i, got)
			}
		}
		if err := got.parse(append(b, 0)); err == nil {
			t.Errorf("%+v with a byte more was accepted", r)
		}
		b[0] ^= 1
		if err := got.parse(b); err == nil {
			t.Errorf("%+v with another tag was accepted", r)
		}
	}
	bad := (&childReport{Child: "x"}).append(nil)
	bad[len(childReportTag)+2] = 4 // FellBack neither 0 nor 1
	if err := new(childReport).parse(bad); err == nil {
		t.Errorf("a report with fell_back 2 was accepted")
	}
	if _, err := childReports(Outputs{Data: [][]byte{[]byte(`{"child":"x"}`)}}, 1); err == nil || !strings.Contains(err.Error(), "child 0") {
		t.Errorf("childReports of JSON: %v", err)
	}
}

// Where Go's runtime cannot see a deadlock (a build with cgo, as this test
// binary natively; wasm under Node), the -deadlock child starts none: it
// says why and exits with ChildNoVerdict instead of hanging.
func TestChildDeadlockRefusesWhereTheRuntimeCannotTell(t *testing.T) {
	if noDeadlockVerdict() == "" {
		t.Skip("this binary would deadlock for real: TestDeadlockRuntimeVerdict runs such a child")
	}
	var out, errb bytes.Buffer
	if code := ChildMain([]string{"-deadlock", "2", "-hold", "1"}, &out, &errb); code != ChildNoVerdict ||
		!strings.Contains(errb.String(), "cannot see a deadlock") || out.String() != "ready\n" {
		t.Errorf("code %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// hangingSpawner starts children that write out, then nothing more
// until they are stopped: their stdout ends, and Wait reports the cause.
type hangingSpawner struct {
	Env
	out string
}

func (h hangingSpawner) Spawn(ctx context.Context, opt SpawnOptions) (Child, error) {
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, h.out)
		<-ctx.Done()
		pw.Close()
	}()
	return hangingChild{ctx, pr}, nil
}

type hangingChild struct {
	ctx context.Context
	out io.Reader
}

func (c hangingChild) Name() string      { return "hanging" }
func (c hangingChild) Stdout() io.Reader { return c.out }
func (c hangingChild) Wait() (Exit, error) {
	<-c.ctx.Done()
	return Exit{Code: -1}, context.Cause(c.ctx)
}

// A child that stops talking is stopped after ChildStartLimit or
// ChildQuietLimit, and its task fails saying what the parent waited
// for: it never holds its run until the run's deadline.
func TestSilentChildIsStopped(t *testing.T) {
	defer func(start, quiet time.Duration) { ChildStartLimit, ChildQuietLimit = start, quiet }(ChildStartLimit, ChildQuietLimit)
	ChildStartLimit, ChildQuietLimit = 200*time.Millisecond, 100*time.Millisecond
	cases := []struct{ workload, out, want string }{
		{"subprocess", "", `waited for its first line, "ready"`},
		{"subprocess", "ready\nline 1/3 from child 0\n", "waited for line 2/3"},
		{"subprocess", "ready\nline 1/3 from child 0\nline 2/3 from child 0\nline 3/3 from child 0\n", "waited for the end of its output"},
		{"spawn", "ready\ncold 285 5\n", "waited for its second call (warm)"},
	}
	params := map[string]map[string]any{
		"spawn":      {"children": 1, "work": 10},
		"subprocess": {"children": 1, "lines": 3, "every": 0},
	}
	for _, c := range cases {
		start := time.Now()
		_, err := Run(context.Background(), Request{Workload: c.workload, Params: params[c.workload]},
			Options{Env: hangingSpawner{Env: defaultEnv(), out: c.out}})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "child 0 (hanging): the child said nothing for") {
			t.Errorf("%s saying %q then nothing: %v; want an error saying it %s", c.workload, c.out, err, c.want)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%s: the silent child held its run %s", c.workload, took)
		}
	}
}
