package workloads

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// The lesson ids are a public interface: exactly these, in this order.
func TestCatalogIsComplete(t *testing.T) {
	var got []string
	for _, w := range All() {
		got = append(got, w.ID)
	}
	if strings.Join(got, " ") != strings.Join(Order, " ") {
		t.Errorf("catalog = %v\nwant %v", got, Order)
	}
}

func TestCatalogDeclarations(t *testing.T) {
	for _, w := range All() {
		if !strings.Contains(w.Source, "package workloads") || !strings.Contains(w.Source, `"`+w.ID+`"`) {
			t.Errorf("%s: Source is not the workload's own Go file", w.ID)
		}
		if len(w.Python) < 100 || !strings.Contains(w.Python, "import") {
			t.Errorf("%s: Python program missing", w.ID)
		}
		if w.Mapping == "" || w.Kind == "" || len(w.Summary) < 100 {
			t.Errorf("%s: mapping, kind or summary missing", w.ID)
		}
		for need, why := range map[string]string{"one memory": w.Needs.OneMemory, "own program": w.Needs.OwnProgram} {
			if why != "" && len(why) < 20 {
				t.Errorf("%s: the need for %s needs a reason a student understands (%q)", w.ID, need, why)
			}
		}
		if _, err := w.Args(w.Quick); err != nil {
			t.Errorf("%s: Quick params: %v", w.ID, err)
		}
		for _, p := range w.Params {
			if p.Label == "" || p.Help == "" {
				t.Errorf("%s.%s: label and help are needed for the form", w.ID, p.Name)
			}
			if p.Type == Int && p.Min > p.Max {
				t.Errorf("%s.%s: min > max", w.ID, p.Name)
			}
		}
		if _, err := json.Marshal(w); err != nil {
			t.Errorf("%s: %v", w.ID, err)
		}
	}
}

// Every workload's quick run checks out in every engine mode (each meets
// every need) and lane count, with one lane per goroutine at most.
func TestQuickRunsCheckOut(t *testing.T) {
	for _, w := range All() {
		for _, mode := range Modes {
			for _, n := range []int{1, 2, 3, 8} {
				res, err := Run(context.Background(), Request{Workload: w.ID, Mode: mode, Workers: n, Params: w.Quick}, Options{Env: testEnv(t)})
				if err != nil {
					t.Errorf("%s/%s/%d: %v", w.ID, mode, n, err)
					continue
				}
				if !res.Check.OK {
					t.Errorf("%s/%s/%d: check failed: %+v", w.ID, mode, n, res.Check)
				}
				lanes := 1
				if mode == Goroutines {
					lanes = n
				}
				for _, s := range res.Spans {
					if s.Lane < 0 || s.Lane >= lanes || s.End < s.Start || s.Start < 0 {
						t.Errorf("%s/%s/%d: bad span %+v", w.ID, mode, n, s)
						break
					}
				}
			}
		}
	}
}

// The lessons whose tasks share a lock, a channel or a value say why they
// need one memory, in the words a mode without one shows; the others need
// none.
func TestNeedsOneMemory(t *testing.T) {
	want := map[string]string{"dbupdate": "own memory", "deadlock": "own memory", "queue": "message", "semaphore": "one memory"}
	for _, w := range All() {
		why := w.Needs.OneMemory
		if phrase, ok := want[w.ID]; ok != (why != "") || !strings.Contains(why, phrase) {
			t.Errorf("%s needs one memory because %q; want a reason saying %q", w.ID, why, phrase)
		}
	}
}
