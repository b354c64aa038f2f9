// Package settle waits for a JavaScript engine's timings to settle: it
// repeats a short calibration round until two consecutive rounds take
// about as long, or a cap passes.
//
// Browsers compile a function several times as it runs (V8's tiers,
// SpiderMonkey's baseline and Ion, JavaScriptCore's four tiers), and
// some go on compiling in the background for seconds after a page loads
// (JavaScriptCore for about 8 s): a run timed then is slower than the same
// run a little later. Two consecutive rounds that agree are the sign the
// engine has stopped changing the code under the timings. The package
// has no JavaScript: the clock and the round are the caller's.
package settle

import (
	"context"
	"errors"
	"time"
)

// Defaults of an Options field left zero.
const (
	DefaultTolerance = 0.10 // two rounds agree within 10 %
	DefaultMinRound  = 10 * time.Millisecond
	DefaultCap       = 10 * time.Second // settling gives up after this long
)

// Options tune Until. The zero value uses the defaults above.
type Options struct {
	// Tolerance is how far apart two consecutive rounds may be, as a
	// fraction of the slower one, and still agree.
	Tolerance float64
	// MinRound is the shortest round: the first round repeats the
	// calibration pass until it lasts this long, and every later round
	// runs that many passes, so rounds do the same work and are long
	// enough for a coarse clock (browsers round performance.now() to
	// 0.1-1 ms on pages that are not cross-origin isolated).
	MinRound time.Duration
	// Cap bounds the whole settling, the first round included.
	Cap time.Duration
	// Between, if set, is called between rounds, untimed: on a page's
	// own thread it lets the browser handle events (a wait for a timer).
	Between func()
}

// Report is how settling went.
type Report struct {
	// Settled says two consecutive rounds agreed before the cap.
	Settled bool
	// Rounds are the timed rounds' durations in µs, in order (the first
	// round, which also chose how many passes a round makes, included).
	Rounds []int64
	// Passes is the number of calibration passes in a round.
	Passes int
	// Took is how long settling took.
	Took time.Duration
}

// ErrNoPass is the error of a calibration pass that returned without doing
// anything measurable (every round took no time at all).
var ErrNoPass = errors.New("settle: the calibration pass takes no measurable time")

// maxPasses bounds the passes of one round.
const maxPasses = 1 << 20

// Until runs pass in rounds until two consecutive rounds agree within
// o.Tolerance, the cap passes, or ctx is done. now is a clock in µs. A
// pass's error ends settling with that error; ctx's end with ctx's error.
// Running out of time is not an error: the report says Settled false.
func Until(ctx context.Context, now func() int64, pass func() error, o Options) (Report, error) {
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.MinRound <= 0 {
		o.MinRound = DefaultMinRound
	}
	if o.Cap <= 0 {
		o.Cap = DefaultCap
	}
	t0 := now()
	capUS := o.Cap.Microseconds()
	rep := Report{}
	done := func(err error) (Report, error) {
		rep.Took = time.Duration(now()-t0) * time.Microsecond
		return rep, err
	}
	// The first round finds how many passes make a round long enough.
	for now()-t0 < o.MinRound.Microseconds() {
		if err := ctx.Err(); err != nil {
			return done(err)
		}
		if err := pass(); err != nil {
			return done(err)
		}
		rep.Passes++
		if rep.Passes >= maxPasses {
			return done(ErrNoPass)
		}
	}
	rep.Rounds = append(rep.Rounds, now()-t0)
	for now()-t0 < capUS {
		if o.Between != nil {
			o.Between()
		}
		if err := ctx.Err(); err != nil {
			return done(err)
		}
		r0 := now()
		for range rep.Passes {
			if err := pass(); err != nil {
				return done(err)
			}
		}
		d := now() - r0
		prev := rep.Rounds[len(rep.Rounds)-1]
		rep.Rounds = append(rep.Rounds, d)
		if Agree(prev, d, o.Tolerance) {
			rep.Settled = true
			break
		}
	}
	return done(nil)
}

// Agree says whether two timings are within tol of each other, as a
// fraction of the larger.
func Agree(a, b int64, tol float64) bool {
	hi, lo := max(a, b), min(a, b)
	if hi <= 0 {
		return false
	}
	return float64(hi-lo) <= tol*float64(hi)
}
