package workloads

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// rawDuration matches Go's own duration text ("250ms", "1.5s", "999µs"):
// a number glued to its unit, where a student should read "250 ms". The
// number starts a word, so an id such as "bajler4m" is not a duration.
var rawDuration = regexp.MustCompile(`\b[0-9]+(\.[0-9]+)?(ns|µs|us|ms|s|m|h)([0-9]+(\.[0-9]+)?(ns|µs|us|ms|s|m|h))*\b`)

// Every text a lesson shows a student (its task labels, the spans of its
// timeline, the steps of a stepped run, its check and its errors) writes
// durations as plain English with a spaced unit, never as Go prints them,
// and counts grouped in threes (rawCount); the check's value and expected
// value may be plain numbers, which the page groups.
func TestLabelsReadAsPlainEnglish(t *testing.T) {
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
		if _, err := strconv.ParseUint(text, 10, 64); err != nil && rawCount(text) {
			t.Errorf("%s: an ungrouped count in %q", where, text)
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

// rawCount reports a count of four digits or more written without its
// groups ("8454856", "250000000"): a student reads "8,454,856". A number
// within a word ("run=10g0649u") or an address ("/api/delay?ms=1000"),
// and a process id, are not counts.
func rawCount(text string) bool {
	return ungrouped.MatchString(notCounts.ReplaceAllString(text, "_"))
}

var (
	ungrouped = regexp.MustCompile(`(^|[^0-9A-Za-z.,_])[0-9]{4,}($|[^0-9A-Za-z.,_])`)
	notCounts = regexp.MustCompile(`process [0-9]+|/\S*`)
)

// The pattern of an ungrouped count reads texts right, and a lost
// update's note at the classic lesson's size is grouped while the check's
// value and expected value stay plain numbers for the exports.
func TestCountsAreGrouped(t *testing.T) {
	for text, raw := range map[string]bool{
		"count down 250000000": true, "count down 250,000,000": false, "8454856 of 10000000 updates lost": true,
		"0.1234 s": false, "task 12": false, "1,545,144 of 10,000,000": false, "read lines from process 8050": false,
		"fetch /api/delay?ms=1000&id=0&run=10g0649u5dm4": false, "run 10g0649u": false, "×100000": true, "4999²": true,
	} {
		if rawCount(text) != raw {
			t.Errorf("the pattern misreads %q (raw count: %v)", text, raw)
		}
	}
	c := counterCheck(Outputs{Values: []uint64{5_000_000, 5_000_000}, Finals: []uint64{8_454_856}}, 10_000_000, false)
	if c.Note != "1,545,144 of 10,000,000 updates lost: tasks overwrote each other's writes" || c.Value != "8454856" || c.Expected != "10000000" {
		t.Errorf("lost updates: %+v", c)
	}
}

func ExampleGroupDigits() {
	fmt.Println(GroupDigits(8_454_856), GroupDigits(999), GroupDigits(-12_345))
	// Output: 8,454,856 999 -12,345
}
