package workloads

import (
	"fmt"
	"strconv"
	"strings"
)

// Schedule drives a controlled run: which goroutine takes each step.
//
// A controlled run advances its tasks one synchronisation point at a time
// (a shared read or write, a lock, a sleep, a channel operation, a yield).
// At each point the scheduler picks one goroutine that can go: the first
// len(Choices) picks are the Choices, and the ones after follow Then. When
// every task has a goroutine of its own (workers at least the number of
// tasks), a goroutine's number is its task's number.
//
// Text form, short enough for a URL: the choices separated by dots, a run
// of the same choice written once with its count after a star, then
// optionally a tilde and the rule for the steps after the choices:
//
//	0.1.1.1.0       goroutine 0, then 1 three times, then 0; then "first"
//	0.1*3.0         the same
//	1~stop          goroutine 1, then pause: the result lists the next steps
//	~random:7       every step chosen at random, seed 7
//
// Commas may stand for dots (0,1,1,0). The rules are "first" (the
// lowest-numbered goroutine that can go: the default), "rr" (round robin:
// the next goroutine after the last one that went), "random:SEED" (seeded,
// the same choices for the same seed), and "stop" (pause after the choices).
type Schedule struct {
	Choices []int
	Then    Rule
	Seed    uint64 // the seed of the random rule
}

// Rule chooses the steps after a schedule's choices.
type Rule string

// The rules of a schedule's remaining steps.
const (
	RuleFirst  Rule = "first"
	RuleRR     Rule = "rr"
	RuleRandom Rule = "random"
	RuleStop   Rule = "stop"
)

// MaxSteps bounds the steps of a controlled run, and so the length of a
// schedule: a controlled run is for watching a few tasks closely.
const MaxSteps = 20_000

// ParseSchedule reads a schedule's text form. Its errors are *ParamError
// with Field "schedule" and say which item is wrong.
func ParseSchedule(s string) (Schedule, error) {
	var sc Schedule
	fail := func(format string, a ...any) (Schedule, error) {
		return Schedule{}, &ParamError{Field: "schedule", Msg: "schedule: " + fmt.Sprintf(format, a...)}
	}
	if strings.TrimSpace(s) == "" {
		return fail("empty: list the goroutines that go, e.g. 0.1.1.0, or give a rule, e.g. ~first")
	}
	choices, rule, hasRule := strings.Cut(s, "~")
	sc.Then = RuleFirst
	if hasRule {
		name, arg, hasArg := strings.Cut(rule, ":")
		switch Rule(name) {
		case RuleFirst, RuleRR, RuleStop:
			if hasArg {
				return fail("the rule %q takes no argument (got %q)", name, arg)
			}
		case RuleRandom:
			if !hasArg {
				return fail("the rule random needs a seed, e.g. ~random:7")
			}
			seed, err := strconv.ParseUint(arg, 10, 64)
			if err != nil {
				return fail("the seed %q of the rule random is not a whole number from 0 to %d", arg, uint64(1<<64-1))
			}
			sc.Seed = seed
		default:
			return fail("unknown rule %q after ~ (want first, rr, random:SEED or stop)", rule)
		}
		sc.Then = Rule(name)
	}
	if choices == "" {
		return sc, nil
	}
	for n, item := range strings.FieldsFunc(choices, func(r rune) bool { return r == '.' || r == ',' }) {
		id, count, hasCount := strings.Cut(item, "*")
		g, err := strconv.Atoi(id)
		if err != nil || g < 0 || g >= MaxWorkers {
			return fail("item %d (%q) is not a goroutine number from 0 to %d", n+1, item, MaxWorkers-1)
		}
		k := 1
		if hasCount {
			k, err = strconv.Atoi(count)
			if err != nil || k < 1 || k > MaxSteps {
				return fail("item %d (%q): the count after * must be a whole number from 1 to %s", n+1, item, GroupDigits(MaxSteps))
			}
		}
		if len(sc.Choices)+k > MaxSteps {
			return fail("more than %s steps", GroupDigits(MaxSteps))
		}
		for range k {
			sc.Choices = append(sc.Choices, g)
		}
	}
	if len(sc.Choices) == 0 {
		return fail("%q lists no goroutine", choices)
	}
	return sc, nil
}

// String returns the text form: runs of three or more written with a
// star, and the rule only when it is not the default.
func (s Schedule) String() string {
	var b strings.Builder
	b.WriteString(FormatChoices(s.Choices))
	switch s.Then {
	case RuleFirst, "":
		if len(s.Choices) == 0 {
			b.WriteString("~first")
		}
	case RuleRandom:
		fmt.Fprintf(&b, "~random:%d", s.Seed)
	default:
		b.WriteString("~" + string(s.Then))
	}
	return b.String()
}

// FormatChoices writes choices in the schedule's text form, with no rule.
func FormatChoices(choices []int) string {
	var b strings.Builder
	for i := 0; i < len(choices); {
		j := i
		for j < len(choices) && choices[j] == choices[i] {
			j++
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(choices[i]))
		switch n := j - i; {
		case n >= 3:
			b.WriteString("*" + strconv.Itoa(n))
		case n == 2:
			b.WriteString("." + strconv.Itoa(choices[i]))
		}
		i = j
	}
	return b.String()
}
