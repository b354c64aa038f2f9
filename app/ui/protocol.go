package ui

import (
	"fmt"
	"math"
	"slices"

	"conlab/app/charts"
)

// The measurement protocol of Run all: every chosen configuration runs in
// R rounds, and each bar is the median of its rounds with their range as a
// whisker. One run of a configuration says little on a shared machine
// (its speed swings from second to second) or right after a page load
// (the first runs pay for compiling); rounds show both, and the rotation
// below keeps any one configuration from always paying for being first.
const (
	defaultRounds = 3
	maxRounds     = 9
)

// spreadLimit is the spread of a configuration's rounds, (slowest −
// fastest) ÷ median, beyond which its bar is flagged: the rounds disagree
// by more than the differences the lessons teach.
const spreadLimit = 0.20

// noiseFloorUS is how far apart, slowest − fastest, the rounds of any
// configuration may be on a quiet machine, in µs: a browser's coarse clock
// (1 ms in a page that is not cross-origin isolated), a garbage
// collection, a timer that wakes a few milliseconds late. Rounds of runs
// of 10 to 50 ms are often more than spreadLimit apart by less than this;
// a busy machine (another program on a core) slows a run by a good part of
// itself, which for any run this short or longer is more.
const noiseFloorUS = 10_000

// busyText is what a flagged bar says, in a student's words.
const busyText = "this machine was busy: the runs disagree"

// firstText is what a flagged bar says instead of busyText when only its
// first round disagrees (firstSlow).
const firstText = "the first round was slower than the later ones, which agree: first runs pay for warming up (code not yet optimised, memory touched for the first time)"

// shortText is what the bar of a short run whose rounds are more than
// spreadLimit apart, but by less than noiseFloorUS, says instead.
const shortText = "runs this short vary by a few milliseconds (the clock, garbage collection): not a sign of a busy machine"

// planRounds repeats plan for rounds rounds. Every round visits every
// configuration once; round k starts k/rounds of the way through the
// list, so the start moves round to round and no configuration is always
// first (with fewer configurations than rounds, starts repeat but still
// move). Each spec carries its round (1-based) and the number of rounds.
func planRounds(plan []runSpec, rounds int) []runSpec {
	n := len(plan)
	rounds = min(max(rounds, 1), maxRounds)
	out := make([]runSpec, 0, n*rounds)
	for k := range rounds {
		if n == 0 {
			break
		}
		off := k * n / rounds % n
		for i := range n {
			s := plan[(off+i)%n]
			s.Round, s.Rounds = k+1, rounds
			out = append(out, s)
		}
	}
	return out
}

// slot is what a chart draws for one configuration: its runs' median,
// range and any failures, of the rounds of its latest run set.
type slot struct {
	Median, Min, Max float64 // wall time, µs
	Runs             int
	// Failed are the notes of runs whose check failed (a lost update is
	// a result: its bar is drawn, and marked); Errored counts runs that
	// ended with an error (a deadlock, a timeout): drawn, never a
	// speed-up.
	Failed  []string
	Errored int
	// Source says where a native figure comes from: "live", shared with
	// other requests, or "recorded"; "" for the browser's.
	Source string
	// FirstSlow says the rounds disagree only because the first was the
	// slowest: the later ones agree (firstSlow).
	FirstSlow bool
}

// The sources of native figures, as the charts say them.
const (
	sourceLive     = "live"
	sourceRecorded = "recorded"
)

// summarize makes the slot of walls (µs), the runs of one configuration.
func summarize(walls []float64) slot {
	if len(walls) == 0 {
		return slot{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	return slot{Median: median(walls), Min: slices.Min(walls), Max: slices.Max(walls), Runs: len(walls)}
}

// spread is (slowest − fastest) ÷ median: 0 for a single run.
func (s slot) spread() float64 {
	if s.Runs < 2 || !(s.Median > 0) {
		return 0
	}
	return (s.Max - s.Min) / s.Median
}

// busy reports whether the slot's rounds disagree by more than
// spreadLimit and by more than noiseFloorUS.
func (s slot) busy() bool { return s.spread() > spreadLimit && s.Max-s.Min > noiseFloorUS }

// flagText is what a bar flagged busy says: firstText when only its first
// round disagrees, busyText otherwise.
func (s slot) flagText() string {
	if s.FirstSlow {
		return firstText
	}
	return busyText
}

// firstSlow reports whether the rounds walls, in the order they ran,
// disagree only by their first: of three or more, the first is the
// slowest, and the later ones alone would not be flagged busy.
func firstSlow(walls []float64) bool {
	if len(walls) < 3 {
		return false
	}
	later := summarize(walls[1:])
	return summarize(walls).busy() && walls[0] > later.Max && !later.busy()
}

// shortNoise reports whether the slot's rounds are more than spreadLimit
// apart by no more than noiseFloorUS: the noise of short runs.
func (s slot) shortNoise() bool { return s.spread() > spreadLimit && !s.busy() }

// failed reports whether some run of the slot did not check out.
func (s slot) failed() bool { return len(s.Failed) > 0 || s.Errored > 0 }

// spreadText says how far the rounds are apart, for a flag's tooltip and
// the text alternative: "1.2 s to 1.6 s over 3 runs, 33 % apart".
func (s slot) spreadText() string {
	return fmt.Sprintf("%s to %s over %d runs, %.0f %% apart", charts.FormatMicros(s.Min), charts.FormatMicros(s.Max), s.Runs, 100*s.spread())
}

// roundsText names a run's round, "" for a run outside a Run all.
func roundsText(round, rounds int) string {
	if round <= 0 || rounds <= 1 {
		return ""
	}
	return fmt.Sprintf("round %d of %d", round, rounds)
}
