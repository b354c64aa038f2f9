package workloads

import (
	"context"
	"fmt"
)

// Outcomes Find can look for.
var FindOutcomes = []string{OutcomeLostUpdate, OutcomeDeadlock, OutcomeAllFinish}

// DefaultFindRuns is how many schedules Find checks at most by default.
const DefaultFindRuns = 5000

// maxPending bounds the schedules Find keeps waiting to be checked.
const maxPending = 200_000

// FindOptions tune Find. The zero value is ready to use.
type FindOptions struct {
	// MaxRuns bounds the schedules checked; 0 means DefaultFindRuns. The
	// search checks every schedule, shortest first, while that takes at
	// most half of them, and tries seeded random schedules with the rest.
	MaxRuns int
	// Seed seeds the random schedules.
	Seed uint64
}

// Found reports a search for an outcome.
type Found struct {
	Outcome string `json:"outcome"`
	Found   bool   `json:"found"`
	// Schedule is the shortest schedule found that reaches the outcome:
	// the fewest choices, the steps after them taken by the rule "first".
	// Result is its run, with every step.
	Schedule string  `json:"schedule,omitempty"`
	Result   *Result `json:"result,omitempty"`
	// Checked counts the schedules run; Exhaustive says they were all the
	// schedules there are, so when nothing was found, none exists.
	Checked    int  `json:"checked"`
	Exhaustive bool `json:"exhaustive"`
}

// Find searches the schedules of req (run step by step, see [Schedule];
// req.Schedule is ignored) for one that ends in outcome, one of
// FindOutcomes. Each schedule checked is a different interleaving: the
// search starts from the one the rule "first" gives and, shortest first,
// branches wherever another goroutine could have gone. A request that
// does not validate, or an unknown outcome, is a *ParamError; a run that
// fails (a task's error, a timeout) ends the search with its error.
func Find(ctx context.Context, req Request, outcome string, f FindOptions, opt Options) (*Found, error) {
	if err := checkOutcome(outcome); err != nil {
		return nil, err
	}
	req.Schedule = "~first"
	job, err := Prepare(req)
	if err != nil {
		return nil, err
	}
	return FindWith(ctx, outcome, f, func(ctx context.Context, schedule string) (*Result, error) {
		s, err := ParseSchedule(schedule)
		if err != nil {
			return nil, err
		}
		return job.runControlled(ctx, opt, s.chooser())
	})
}

// ScheduleRunner runs the request a search is about with a schedule, in
// its text form, and returns the result (whose steps say which goroutines
// could have gone at each step).
type ScheduleRunner func(ctx context.Context, schedule string) (*Result, error)

// FindWith is [Find] with any engine: run runs the request searched, for
// example in the browser's worker pool.
func FindWith(ctx context.Context, outcome string, f FindOptions, run ScheduleRunner) (*Found, error) {
	if err := checkOutcome(outcome); err != nil {
		return nil, err
	}
	runs := f.MaxRuns
	if runs <= 0 {
		runs = DefaultFindRuns
	}
	found := &Found{Outcome: outcome}
	check := func(schedule string) (*Result, error) {
		res, err := run(ctx, schedule)
		if res == nil || res.Outcome == "" || res.Outcome == OutcomeFailed {
			if err == nil {
				err = fmt.Errorf("schedule %s: the run ended without an outcome", schedule)
			}
			return nil, err
		}
		found.Checked++
		return res, nil
	}
	text := func(prefix []int) string { return Schedule{Choices: prefix, Then: RuleFirst}.String() }
	done := func(prefix []int, res *Result) *Found {
		found.Found, found.Result, found.Schedule = true, res, text(prefix)
		return found
	}

	// Every interleaving is a path through the tree of choices. A run with
	// a prefix then the rule "first" is the path that leaves the rule's
	// way last at the prefix's end; its branches are the other goroutines
	// that could have gone at each step after. Taking prefixes by length
	// checks every path once, the shortest prefix first.
	byLen := [][][]int{{nil}}
	pending, dropped := 1, false
	for l := 0; l < len(byLen); l++ {
		for len(byLen[l]) > 0 {
			if found.Checked >= runs/2 {
				goto random
			}
			prefix := byLen[l][0]
			byLen[l] = byLen[l][1:]
			pending--
			res, err := check(text(prefix))
			if err != nil {
				return nil, err
			}
			if res.Outcome == outcome {
				return done(prefix, res), nil
			}
			for d := len(prefix); d < len(res.Steps); d++ {
				for _, g := range res.Steps[d].Could {
					if g == res.Steps[d].Lane {
						continue
					}
					if pending >= maxPending {
						dropped = true
						continue
					}
					p := make([]int, d+1)
					for k := range d {
						p[k] = res.Steps[k].Lane
					}
					p[d] = g
					for len(byLen) <= d+1 {
						byLen = append(byLen, nil)
					}
					byLen[d+1] = append(byLen[d+1], p)
					pending++
				}
			}
		}
		byLen[l] = nil
	}
	found.Exhaustive = !dropped
	return found, nil

random:
	for k := uint64(0); found.Checked < runs; k++ {
		res, err := check(Schedule{Then: RuleRandom, Seed: f.Seed + k}.String())
		if err != nil {
			return nil, err
		}
		if res.Outcome != outcome {
			continue
		}
		// The shortest prefix that gives this run: up to its last choice
		// that the rule "first" would not have made. Its replay is the
		// same run.
		last := -1
		for d, s := range res.Steps {
			if len(s.Could) > 0 && s.Lane != s.Could[0] {
				last = d
			}
		}
		prefix := make([]int, last+1)
		for d := range prefix {
			prefix[d] = res.Steps[d].Lane
		}
		again, err := run(ctx, text(prefix))
		if again == nil {
			return nil, err
		}
		if again.Outcome != outcome || again.Schedule != res.Schedule {
			return nil, fmt.Errorf("the schedule %s did not replay the same steps (%s, not %s): the workload is not deterministic step by step",
				text(prefix), again.Schedule, res.Schedule)
		}
		return done(prefix, again), nil
	}
	return found, nil
}

func checkOutcome(outcome string) error {
	for _, o := range FindOutcomes {
		if o == outcome {
			return nil
		}
	}
	return &ParamError{Field: "outcome", Msg: fmt.Sprintf("outcome: %q is not one to look for (want %s, %s or %s)",
		outcome, FindOutcomes[0], FindOutcomes[1], FindOutcomes[2])}
}
