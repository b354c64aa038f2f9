package workloads

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseSchedule(t *testing.T) {
	for _, c := range []struct {
		in      string
		choices []int
		then    Rule
		seed    uint64
		out     string
	}{
		{"0.1.1.0", []int{0, 1, 1, 0}, RuleFirst, 0, "0.1.1.0"},
		{"0,1,1,0", []int{0, 1, 1, 0}, RuleFirst, 0, "0.1.1.0"},
		{"0.1*3.0", []int{0, 1, 1, 1, 0}, RuleFirst, 0, "0.1*3.0"},
		{"1.1.1.1", []int{1, 1, 1, 1}, RuleFirst, 0, "1*4"},
		{"2~stop", []int{2}, RuleStop, 0, "2~stop"},
		{"~first", nil, RuleFirst, 0, "~first"},
		{"0.1~first", []int{0, 1}, RuleFirst, 0, "0.1"},
		{"~rr", nil, RuleRR, 0, "~rr"},
		{"3~random:42", []int{3}, RuleRandom, 42, "3~random:42"},
		{"63*2", []int{63, 63}, RuleFirst, 0, "63.63"},
	} {
		s, err := ParseSchedule(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !slices.Equal(s.Choices, c.choices) || s.Then != c.then || s.Seed != c.seed {
			t.Errorf("%q: got %+v", c.in, s)
		}
		if got := s.String(); got != c.out {
			t.Errorf("%q: String() = %q, want %q", c.in, got, c.out)
		}
	}
}

func TestParseScheduleErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":             "empty",
		"0.x.1":        `item 2 ("x") is not a goroutine number`,
		"0.-1":         `item 2 ("-1")`,
		"64":           "from 0 to 63",
		"1*0":          "count after *",
		"1*99999999":   "count after *",
		"1*20000.0":    "more than 20,000 steps",
		"0~later":      `unknown rule "later"`,
		"0~random":     "needs a seed",
		"0~random:-3":  `the seed "-3"`,
		"0~stop:1":     "takes no argument",
		"..":           "lists no goroutine",
		"0.1~rr~first": "unknown rule",
	} {
		_, err := ParseSchedule(in)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != "schedule" {
			t.Errorf("%q: got %v, want a ParamError naming schedule", in, err)
			continue
		}
		if !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "schedule: ") {
			t.Errorf("%q: error %q does not say %q", in, err, want)
		}
	}
}

// FuzzParseSchedule: no input panics; a rejection names the field; an
// accepted schedule's text form reads back as the same schedule.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0.1.1.0", "0,1*3,0", "~stop", "1~random:7", "~rr", "0*", "*", "~", "1.~", "0*20000", "9.9*9~first"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSchedule(in)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Field != "schedule" {
				t.Fatalf("%q: untyped error %v", in, err)
			}
			return
		}
		if len(s.Choices) > MaxSteps {
			t.Fatalf("%q: %d choices", in, len(s.Choices))
		}
		back, err := ParseSchedule(s.String())
		if err != nil {
			t.Fatalf("%q -> %q: %v", in, s.String(), err)
		}
		if !slices.Equal(back.Choices, s.Choices) || back.Then != s.Then || back.Seed != s.Seed {
			t.Fatalf("%q -> %q -> %+v, want %+v", in, s.String(), back, s)
		}
	})
}
