package workloads

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "subprocess",
		Title: "Subprocess: start a program, read its output through a pipe, get its exit code",
		Kind:  Processes,
		Summary: "A program can start another program, its child, and talk to it only through pipes: the " +
			"child writes lines to its standard output, the parent reads them as they come, and when the " +
			"child ends it leaves an exit code (0 means success) and, if something went wrong, a message " +
			"on its standard error. Natively the child is a real process of the lab's own program; in the " +
			"browser it is a Web Worker, and its lines travel as messages. Make one child fail to see its " +
			"code and its error message come back, and the run marked failed (✗): a parent that gets a code " +
			"other than 0 must treat it as the failure it is. Where no child program can be started, the child runs " +
			"on a goroutine instead, and the timeline says so.",
		Mapping: "`subprocess.Popen([...], stdout=PIPE, stderr=PIPE)` is Spawn; `for line in p.stdout` is " +
			"reading Child.Stdout line by line; `p.wait()` and `p.returncode` are Child.Wait and Exit.Code; " +
			"`p.stderr.read()` is Exit.Stderr. The child program itself is ChildMain.",
		Params: []Param{
			IntParam("children", "Children", "children", 2, 1, 16,
				"How many children to start."),
			IntParam("lines", "Lines", "lines", 10, 1, 1000,
				"How many lines each child writes."),
			IntParam("every", "Pause", "ms", 50, 0, 1000,
				"How long a child waits between two lines."),
			IntParam("fail", "Failing child", "child", -1, -1, 15,
				"Which child fails (counting from 0), or -1 for none."),
			IntParam("exit", "Exit code", "code", 3, 1, maxChildExit,
				"The exit code of the failing child."),
		},
		Python: subprocessPython,
		Source: subprocessSource,
		Quick:  map[string]any{"children": 2, "lines": 3, "every": 1, "fail": -1},
		Plan:   planSubprocess,
		Cost:   costSubprocess,
	})
}

func planSubprocess(a Args, n int) (*Plan, error) {
	s := subprocessInstance{
		children: int(a.Int("children")), lines: int(a.Int("lines")), every: int(a.Int("every")),
		fail: int(a.Int("fail")), exit: int(a.Int("exit")),
	}
	if s.fail >= s.children {
		return nil, &ParamError{Field: "fail", Msg: fmt.Sprintf(
			"parameter fail: child %d does not exist; allowed: -1 (none) or a child from 0 to %d", s.fail, s.children-1)}
	}
	return &Plan{
		Tasks:   childLabels(s.children),
		New:     func() Instance { return s },
		Combine: s.check,
	}, nil
}

// StdoutPrefix starts the label of the mark a line from a child's stdout
// leaves on the timeline: the rest of the label is the line.
const StdoutPrefix = "stdout: "

// ExitLabel is the label of the mark a child's exit leaves on the
// timeline: "exit code 0", or "exit code 3; stderr: …" (see ParseExitLabel).
func ExitLabel(e Exit) string {
	l := "exit code " + strconv.Itoa(e.Code)
	if s := strings.TrimSpace(e.Stderr); s != "" {
		l += "; stderr: " + clipText(s, 300)
	}
	return l
}

// ParseExitLabel reads an ExitLabel back; ok is false for any other label.
func ParseExitLabel(label string) (e Exit, ok bool) {
	rest, found := strings.CutPrefix(label, "exit code ")
	if !found {
		return Exit{}, false
	}
	code, stderr, _ := strings.Cut(rest, "; stderr: ")
	n, err := strconv.Atoi(code)
	if err != nil {
		return Exit{}, false
	}
	return Exit{Code: n, Stderr: stderr}, true
}

type subprocessInstance struct {
	children, lines, every int
	fail, exit             int
}

// pause is how long a child waits between two lines.
func (s subprocessInstance) pause() time.Duration {
	return time.Duration(s.every) * time.Millisecond
}

// code is the exit code child i is asked for.
func (s subprocessInstance) code(i int) int {
	if i == s.fail {
		return s.exit
	}
	return 0
}

// Run starts child i, reads its lines as they arrive, and waits for its
// exit code. A child that exits with a non-zero code is no error of the
// task (the task did its part: it read the child to its end): its code
// and stderr go into the report, and the run's check fails.
func (s subprocessInstance) Run(t *T, i int) (uint64, error) {
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	args := []string{"-id", strconv.Itoa(i), "-lines", strconv.Itoa(s.lines), "-every", strconv.Itoa(s.every)}
	if c := s.code(i); c != 0 {
		args = append(args, "-exit", strconv.Itoa(c))
	}
	cr, err := launchChild(ctx, cancel, t, i, "spawn", childKindProcess, SpawnOptions{Args: args})
	if err != nil {
		return 0, err
	}
	rep := &cr.rep
	t.Phase("read lines from "+rep.Child, Waiting)
	for k := 1; k <= s.lines; k++ {
		want := fmt.Sprintf("line %d/%d from child %d", k, s.lines, i)
		line, err := cr.expect(want, fmt.Sprintf("line %d/%d", k, s.lines), s.pause()+ChildQuietLimit)
		if err != nil {
			return 0, err
		}
		// Each line is a mark of its own as it arrives: the page's console
		// for this child shows it then, with its time.
		t.Phase(StdoutPrefix+line, Running)
		t.Phase("wait for the next line", Waiting)
		rep.Lines++
	}
	if err := cr.finish(t); err != nil {
		return 0, err
	}
	t.Phase(ExitLabel(rep.Exit), Running)
	return uint64(rep.Lines), cr.report(t)
}

// check compares the lines received with the ones asked for, and fails
// the run when any child exited with a code other than 0: a parent that
// gets a non-zero code back must treat it as the failure it is, as
// `subprocess.run(..., check=True)` raises CalledProcessError. The note
// tells each failing child's code and stderr, and whether that code is
// the one the run asked for (the fail parameter).
func (s subprocessInstance) check(o Outputs) Check {
	reps, err := childReports(o, s.children)
	if err != nil {
		return Check{Value: "no report", Expected: "a report per child", Note: err.Error()}
	}
	codes := make([]int, s.children)
	var notes []string
	for i, r := range reps {
		codes[i] = r.Exit.Code
		if r.Exit.Code == 0 {
			continue
		}
		asked := "as the run asked (failing child " + strconv.Itoa(i) + ")"
		if want := s.code(i); want != r.Exit.Code {
			asked = fmt.Sprintf("but the run asked for code %d", want)
		}
		notes = append(notes, fmt.Sprintf("child %d exited with code %d, %s, and wrote to stderr: %q",
			i, r.Exit.Code, asked, clipText(strings.TrimSpace(r.Exit.Stderr), 120)))
	}
	c := Check{
		Value:    fmt.Sprintf("%s; exit codes %v", plural(int(sum(o.Values)), "line"), codes),
		Expected: fmt.Sprintf("%s; exit codes %v", plural(s.children*s.lines, "line"), make([]int, s.children)),
	}
	c.OK = c.Value == c.Expected
	if len(notes) == 0 {
		notes = append(notes, "every child streamed its lines and exited with code 0")
	}
	if reps[0].FellBack {
		notes = append(notes, "no child process could be started here, so the children ran in-process, on goroutines")
	}
	c.Note = strings.Join(notes, "; ")
	return c
}
