// Package settle waits for a JavaScript engine's timings to settle: it
// repeats a calibration round until the last few rounds take about as
// long as each other, no sooner than a minimum time, or a cap passes.
//
// Browsers compile a function several times as it runs (V8's Liftoff and
// TurboFan, SpiderMonkey's baseline and Ion, JavaScriptCore's IPInt, BBQ
// and OMG), and some go on compiling in the background for seconds after
// a page loads: a run timed then is slower than the same run a little
// later. Rounds that agree are the sign the engine has stopped changing
// the code under the timings; but a slow tier can run steadily for a
// while before the fast one replaces it, so agreement counts only over
// several rounds and after a minimum time. The package has no
// JavaScript: the clock and the round are the caller's.
package settle

import (
	"context"
	"errors"
	"time"
)

// Defaults of an Options field left zero.
const (
	DefaultTolerance = 0.10 // rounds agree within 10 %
	DefaultAgree     = 3    // that many consecutive rounds must agree
	DefaultMinRound  = 25 * time.Millisecond
	DefaultCap       = 10 * time.Second // settling gives up after this long
)

// Options tune Until. The zero value uses the defaults above.
type Options struct {
	// Tolerance is how far apart the agreeing rounds may be, as a
	// fraction of the slowest of them.
	Tolerance float64
	// Agree is how many consecutive rounds must agree (at least 2).
	Agree int
	// MinRound is the shortest round: a round repeats the calibration
	// pass until it lasts this long, and what counts is the mean time of
	// a pass in it, so that a round is long enough for a coarse clock
	// (browsers round performance.now() to 0.1-1 ms on pages that are
	// not cross-origin isolated) however fast the pass becomes as the
	// engine optimises it.
	MinRound time.Duration
	// MinTime is the least time settling takes: rounds that agree
	// sooner do not end it. It gives an engine that compiles a faster
	// tier in the background the time to finish.
	MinTime time.Duration
	// Cap bounds the whole settling, the first round included.
	Cap time.Duration
	// Between, if set, is called between rounds, untimed: on a page's
	// own thread it lets the browser handle events (a wait for a timer).
	Between func()
}

func (o *Options) defaults() {
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.Agree < 2 {
		o.Agree = DefaultAgree
	}
	if o.MinRound <= 0 {
		o.MinRound = DefaultMinRound
	}
	if o.Cap <= 0 {
		o.Cap = DefaultCap
	}
	o.MinTime = min(o.MinTime, o.Cap)
}

// Report is how settling went.
type Report struct {
	// Settled says the last rounds agreed before the cap.
	Settled bool
	// PassNS is, per round in order, the mean time of a pass in it, in
	// ns (the first round, which pays for compiling the code, included).
	PassNS []int64
	// Passes is the number of calibration passes made in all.
	Passes int
	// Took is how long settling took.
	Took time.Duration
}

// ErrNoPass is the error of a calibration pass that returned without doing
// anything measurable (every round took no time at all).
var ErrNoPass = errors.New("settle: the calibration pass takes no measurable time")

// maxPasses bounds the passes of one round: a pass that takes no
// measurable time at all would otherwise hold the thread until the cap.
const maxPasses = 1 << 20

// Until runs pass in rounds until o.Agree consecutive rounds agree within
// o.Tolerance (their mean times of a pass) at least o.MinTime after it
// began, the cap passes, or ctx is done. now is a clock in µs. A pass's
// error ends settling with that error; ctx's end with ctx's error.
// Running out of time is not an error: the report says Settled false.
func Until(ctx context.Context, now func() int64, pass func() error, o Options) (Report, error) {
	o.defaults()
	t0 := now()
	capUS, minUS, roundUS := o.Cap.Microseconds(), o.MinTime.Microseconds(), o.MinRound.Microseconds()
	rep := Report{}
	done := func(err error) (Report, error) {
		rep.Took = time.Duration(now()-t0) * time.Microsecond
		return rep, err
	}
	for now()-t0 < capUS {
		if len(rep.PassNS) > 0 && o.Between != nil {
			o.Between()
		}
		r0, n := now(), 0
		for n == 0 || now()-r0 < roundUS {
			if err := ctx.Err(); err != nil {
				return done(err)
			}
			if err := pass(); err != nil {
				return done(err)
			}
			if n++; n >= maxPasses {
				return done(ErrNoPass)
			}
		}
		rep.Passes += n
		rep.PassNS = append(rep.PassNS, (now()-r0)*1000/int64(n))
		if now()-t0 >= minUS && Agree(lastN(rep.PassNS, o.Agree), o.Tolerance) {
			rep.Settled = true
			break
		}
	}
	return done(nil)
}

// lastN returns the last n of rs, or nil when there are fewer.
func lastN[T any](rs []T, n int) []T {
	if len(rs) < n {
		return nil
	}
	return rs[len(rs)-n:]
}

// Agree says whether the timings are within tol of each other, as a
// fraction of the largest; fewer than two timings do not agree.
func Agree(ts []int64, tol float64) bool {
	if len(ts) < 2 {
		return false
	}
	hi, lo := ts[0], ts[0]
	for _, t := range ts[1:] {
		hi, lo = max(hi, t), min(lo, t)
	}
	if hi <= 0 {
		return false
	}
	return float64(hi-lo) <= tol*float64(hi)
}
