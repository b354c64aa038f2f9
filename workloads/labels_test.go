package workloads

import (
	"context"
	"regexp"
	"testing"
	"time"
)

// rawDuration matches Go's own duration text ("250ms", "1.5s", "999µs"):
// a number glued to its unit, where a student should read "250 ms". The
// number starts a word, so an id such as "bajler4m" is not a duration.
var rawDuration = regexp.MustCompile(`\b[0-9]+(\.[0-9]+)?(ns|µs|us|ms|s|m|h)([0-9]+(\.[0-9]+)?(ns|µs|us|ms|s|m|h))*\b`)

// Every text a lesson shows a student (its task labels, the spans of its
// timeline, the steps of a stepped run, its check and its errors) writes
// durations as plain English with a spaced unit, never as Go prints them.
func TestLabelsHaveNoRawDurations(t *testing.T) {
	for text, raw := range map[string]bool{
		"task 1: busy-wait 120 ms": false, "job 0: work 250ms": true, "took 1m30s": true,
		"999µs": true, "1.5s late": true, "run bajler4m": false, "at 12:04": false,
	} {
		if rawDuration.MatchString(text) != raw {
			t.Fatalf("the pattern misreads %q (raw duration: %v)", text, raw)
		}
	}
	say := func(where, text string) {
		t.Helper()
		if rawDuration.MatchString(text) {
			t.Errorf("%s: a raw Go duration in %q", where, text)
		}
	}
	for _, w := range All() {
		// The default parameters' task labels: planning runs nothing.
		args, err := w.Args(nil)
		if err != nil {
			t.Fatalf("%s: defaults: %v", w.ID, err)
		}
		p, err := w.Plan(args, 2)
		if err != nil {
			t.Fatalf("%s: plan: %v", w.ID, err)
		}
		for _, l := range p.Tasks {
			say(w.ID+" task", l)
		}
		reqs := []Request{
			{Workload: w.ID, Mode: Goroutines, Workers: 2, Params: w.Quick},
			{Workload: w.ID, Mode: Sequential, Workers: 1, Params: w.Quick},
			// A stepped run writes each step in words.
			{Workload: w.ID, Mode: Goroutines, Workers: 2, Params: w.Quick, Schedule: "0.1~rr"},
		}
		for _, req := range reqs {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			res, err := Run(ctx, req, Options{Env: testEnv(t)})
			cancel()
			if err != nil {
				continue // a lesson without steps refuses a schedule
			}
			where := w.ID + "/" + string(req.Mode)
			if req.Schedule != "" {
				where += " stepped"
			}
			for _, sp := range res.Spans {
				say(where+" span", sp.Label)
			}
			for _, st := range append(res.Steps, res.Next...) {
				say(where+" step", st.What+" "+st.Shared)
			}
			for _, st := range res.Stuck {
				say(where+" stuck", st.Label)
			}
			say(where+" check value", res.Check.Value)
			say(where+" check expected", res.Check.Expected)
			say(where+" check note", res.Check.Note)
			say(where+" error", res.Error)
		}
	}
}
