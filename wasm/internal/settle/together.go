package settle

import (
	"context"
	"slices"
	"time"
)

// A Gauge is one measurement of threads running together: a calibration
// pass timed on one thread alone (Solo, ns a pass), then on several
// threads at once (Together, ns a pass on each).
type Gauge struct {
	Solo     int64
	Together []int64
}

// Running is how many threads ran at once in g: the sum over the threads
// of Solo over their time together (each thread that kept its own core
// counts 1, two threads sharing one core ½ each). It is 0 when g has no
// solo time or a thread took no time.
func (g Gauge) Running() float64 {
	if g.Solo <= 0 {
		return 0
	}
	var r float64
	for _, t := range g.Together {
		if t <= 0 {
			return 0
		}
		r += float64(g.Solo) / float64(t)
	}
	return r
}

// TogetherReport is how settling together went.
type TogetherReport struct {
	// Settled says the gauges saw the threads wanted running at once
	// (Want) before the cap.
	Settled bool
	// Running is, per gauge in order, the threads it saw running at once
	// (Gauge.Running).
	Running []float64
	// Took is how long it took.
	Took time.Duration
}

// Best is the most threads a gauge saw running at once, at most
// threads (more had a slowed solo timing), 0 with none.
func (r TogetherReport) Best(threads int) float64 {
	best := 0.0
	for _, x := range r.Running {
		if x <= (1+DefaultTolerance)*float64(threads) {
			best = max(best, x)
		}
	}
	return best
}

// Want is what Together waits for.
type Want struct {
	// Threads is how many threads should run at once: the threads
	// gauged, at most as many as the machine reports cores. A gauge that
	// sees them all (within the tolerance) ends the wait at once.
	Threads int
	// Found is the least that counts otherwise: the cores measured on
	// this machine before. Once gauges have gone on for MinTime, and
	// the last Agree of them agree within the tolerance (the machine
	// runs steadily that many threads at once: it reports more cores
	// than it has, or something else holds one), they end the wait if
	// they see at least Found.
	Found float64
	// Tolerance is how far short of Threads or Found a gauge may be, as
	// a fraction (0: DefaultTolerance); Agree how many gauges must agree
	// (less than 2: DefaultAgree).
	Tolerance float64
	Agree     int
	MinTime   time.Duration
}

// Together gauges threads running at once until the gauges see what w
// wants (a gauge that sees more threads at once than w.Threads, beyond
// the tolerance, had its solo timing slowed: it does not count), capLeft passes or ctx is done. now is a clock in µs; gauge
// makes one measurement. A gauge's error ends it with that error, ctx's
// end with ctx's error. Running out of time is not an error: the report
// says Settled false. A gauge always runs once, however little time is
// left: the report then says how many threads ran at once.
func Together(ctx context.Context, now func() int64, gauge func() (Gauge, error), w Want, capLeft time.Duration) (TogetherReport, error) {
	if w.Tolerance <= 0 {
		w.Tolerance = DefaultTolerance
	}
	if w.Agree < 2 {
		w.Agree = DefaultAgree
	}
	t0 := now()
	var rep TogetherReport
	done := func(err error) (TogetherReport, error) {
		rep.Took = time.Duration(now()-t0) * time.Microsecond
		return rep, err
	}
	enough := func(r, want float64) bool { return r >= (1-w.Tolerance)*want }
	for len(rep.Running) == 0 || now()-t0 < capLeft.Microseconds() {
		if err := ctx.Err(); err != nil {
			return done(err)
		}
		g, err := gauge()
		if err != nil {
			return done(err)
		}
		r := g.Running()
		rep.Running = append(rep.Running, r)
		if r > (1+w.Tolerance)*float64(w.Threads) {
			// More threads at once than ran: the solo timing was slowed
			// by something else, and this gauge says nothing.
			continue
		}
		if enough(r, float64(w.Threads)) {
			rep.Settled = true
			break
		}
		if last := lastN(rep.Running, w.Agree); now()-t0 >= w.MinTime.Microseconds() && last != nil &&
			agreeF(last, w.Tolerance) && enough(slices.Min(last), w.Found) {
			rep.Settled = true
			break
		}
	}
	return done(nil)
}

// agreeF is Agree for threads running at once.
func agreeF(rs []float64, tol float64) bool {
	ts := make([]int64, len(rs))
	for i, r := range rs {
		ts[i] = int64(r * 1e6)
	}
	return Agree(ts, tol)
}
