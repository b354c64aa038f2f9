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
	known := false
	for _, o := range FindOutcomes {
		known = known || o == outcome
	}
	if !known {
		return nil, &ParamError{Field: "outcome", Msg: fmt.Sprintf("outcome: %q is not one to look for (want %s, %s or %s)",
			outcome, FindOutcomes[0], FindOutcomes[1], FindOutcomes[2])}
	}
	req.Schedule = "~first"
	job, err := Prepare(req)
	if err != nil {
		return nil, err
	}
	runs := f.MaxRuns
	if runs <= 0 {
		runs = DefaultFindRuns
	}
	found := &Found{Outcome: outcome}
	check := func(choose chooser) (*Result, []traceStep, error) {
		res, trace, err := job.runControlled(ctx, opt, choose)
		if res == nil || res.Outcome == OutcomeFailed {
			return nil, nil, err
		}
		found.Checked++
		return res, trace, nil
	}
	done := func(prefix []int, res *Result) *Found {
		found.Found, found.Result = true, res
		found.Schedule = (&Schedule{Choices: prefix, Then: RuleFirst}).String()
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
			res, trace, err := check(prefixChooser(prefix))
			if err != nil {
				return nil, err
			}
			if res.Outcome == outcome {
				return done(prefix, res), nil
			}
			for d := len(prefix); d < len(trace); d++ {
				for _, g := range trace[d].runnable {
					if g == trace[d].chosen {
						continue
					}
					if pending >= maxPending {
						dropped = true
						continue
					}
					p := make([]int, d+1)
					for k := range d {
						p[k] = trace[k].chosen
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
		res, trace, err := check(Schedule{Then: RuleRandom, Seed: f.Seed + k}.chooser())
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
		for d, s := range trace {
			if s.chosen != s.runnable[0] {
				last = d
			}
		}
		prefix := make([]int, last+1)
		for d := range prefix {
			prefix[d] = trace[d].chosen
		}
		again, _, err := job.runControlled(ctx, opt, prefixChooser(prefix))
		if again == nil {
			return nil, err
		}
		if again.Outcome != outcome || again.Schedule != res.Schedule {
			return nil, fmt.Errorf("the schedule %s did not replay the same steps (%s, not %s): the workload is not deterministic step by step",
				res.Schedule, again.Schedule, res.Schedule)
		}
		return done(prefix, again), nil
	}
	return found, nil
}

// prefixChooser chooses prefix, then by the rule "first".
func prefixChooser(prefix []int) chooser {
	return func(n int, runnable []int, _ int) int {
		if n < len(prefix) {
			return prefix[n]
		}
		return runnable[0]
	}
}
