package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"conlab/wasm"
	"conlab/workloads"
)

// Right after a page load the browser is still compiling: V8 and
// SpiderMonkey tier up a module's hot functions within a second or two,
// JavaScriptCore keeps compiling in the background for seconds. A run
// timed meanwhile is slow for reasons that are not its lesson. So before
// the first timed run of a lesson's kernel, the lab has the pool repeat a
// short calibration with that kernel, in the page and in the workers the
// run will use, until three consecutive rounds agree within 10 %, no
// sooner than the engine's least settling time: then the timings have
// settled. Then each of those workers runs the lesson twice, untimed, at
// the size the student chose, right before the timed runs
// (wasm.SettleRun), and the page's memory grows to what the run
// declares it needs: a calibration is small, and the first run of the
// real size would otherwise pay for the browser handing the program its
// memory (multiply's first round: 72 % slower than the later ones).
const (
	// settleLimit bounds the whole wait, the page's and the workers':
	// a busy machine never settles, and the student must not wait long
	// for a run that will be noisy anyway. The page gets at most
	// settlePageLimit of it: its kernel is short and tiers up at once,
	// while JavaScriptCore goes on compiling the workers' module.
	settleLimit     = 10 * time.Second
	settlePageLimit = 3 * time.Second
)

// Settling is what waiting for settled timings took.
type Settling struct {
	Where   string        // "the page", "2 workers"
	Reps    int           // calibration timings taken (0: not counted)
	Took    time.Duration // the whole wait
	Last    time.Duration // the last timing
	Settled bool          // consecutive timings agreed (else the limit passed)
	// Together is how many threads the workers ran at once in the last
	// gauge of them running together, out of Of gauged (0: not gauged).
	Together float64
	Of       int
}

// String says what the wait took, for the environment panel.
func (s Settling) String() string {
	reps := ""
	if s.Reps > 0 {
		reps = fmt.Sprintf(" (%d calibration runs)", s.Reps)
	}
	if s.Of > 1 {
		reps += fmt.Sprintf("; side by side, %d of them ran as %.1f threads at once", s.Of, s.Together)
	}
	if s.Settled {
		return fmt.Sprintf("%s: settled after %s%s", s.Where, fmtDuration(s.Took), reps)
	}
	return fmt.Sprintf("%s: still unsteady after %s%s: the machine is busy, timings may vary", s.Where, fmtDuration(s.Took), reps)
}

func fmtDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// settler remembers, for the page, how far timings have settled, per
// kernel (a lesson's workload): the page's own, and the number of workers
// calibrated so far. The lab's runs and the embedding API's share it, as
// they share the pool.
type settler struct {
	mu sync.Mutex
	// page and workers are, per kernel, the largest run (the memory it
	// declares) the page and the workers were made ready for, and how
	// many workers.
	page    map[string]int64
	workers map[string]readied
	log     []Settling
	// parallel is the measured parallelism (0: not measured), the best
	// of measures measurements of k threads trying.
	parallel float64
	k        int
	measures int
}

// readied is what the workers were made ready for: that many lanes, runs
// declaring that much memory.
type readied struct {
	lanes int
	bytes int64
}

// maxMeasures bounds the measurements of parallelism a page makes.
const maxMeasures = 3

var pageSettler settler

// settle makes sure timings of req's kernel (a workload) have settled in
// the page and in lanes workers before a timed run of req, and that they
// have run it once at its size, making ready what has not been yet; wait
// is told what it waits for (it may be nil). It returns the calibrations
// it made (none when all was ready already). Runs take turns on the pool,
// so holding the lock through the calibration keeps a second run from
// timing meanwhile.
func (st *settler) settle(ctx context.Context, br Browser, req workloads.Request, lanes int, wait func(string)) ([]Settling, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if wait == nil {
		wait = func(string) {}
	}
	if st.page == nil {
		st.page, st.workers = map[string]int64{}, map[string]readied{}
	}
	kernel, bytes := req.Workload, int64(1)
	if job, err := wasm.Prepare(req); err == nil {
		bytes = max(job.Cost(1).Bytes, 1)
	}
	var done []Settling
	var pageTook time.Duration
	if st.page[kernel] < bytes {
		wait("Waiting for the browser to finish compiling… (timing a short calibration in the page)")
		s, err := br.SettlePage(ctx, req, settlePageLimit)
		if err != nil {
			return done, err
		}
		st.page[kernel], pageTook = bytes, s.Took
		done = append(done, s)
	}
	if was := st.workers[kernel]; lanes > was.lanes || (lanes > 0 && bytes > was.bytes) {
		wait(fmt.Sprintf("Waiting for the browser to finish compiling… (timing a short calibration in %s, then until they run side by side as fast as alone, then two untimed runs each at this size)", workersText(lanes)))
		s, err := br.SettleWorkers(ctx, req, lanes, max(settleLimit-pageTook, time.Second))
		if err != nil {
			return done, err
		}
		st.workers[kernel] = readied{lanes, bytes}
		done = append(done, s)
	}
	if st.k > 0 && st.measures < maxMeasures && measuredCores(st.parallel, st.k) < st.k {
		// Measured once timings have settled (a browser still compiling
		// would look like fewer cores), outside the calibration's time.
		// A busy machine also looks like fewer cores for a while: the
		// best of a few measurements, one a run set, is the machine's.
		wait("Measuring how many threads really run at once (a plain JavaScript loop on several workers)…")
		st.measures++
		if m, err := br.Parallelism(ctx, st.k); err == nil && m > st.parallel {
			st.parallel = m
		}
	}
	st.log = append(st.log, done...)
	return done, nil
}

// wantParallelism asks the next settle to measure the parallelism of k
// threads, once.
func (st *settler) wantParallelism(k int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.k == 0 {
		st.k = k
	}
}

// measured returns the measured parallelism (0: not yet) and the threads
// that tried.
func (st *settler) measured() (float64, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.parallel, st.k
}

// settled returns every calibration made so far.
func (st *settler) settled() []Settling {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]Settling(nil), st.log...)
}

func workersText(n int) string { return count(n, "worker") }

// specLanes is the number of workers a browser run of s uses at once.
func specLanes(s runSpec) int {
	switch s.Mode {
	case modeNative, modeMain:
		return 0
	case modeWorkers:
		return s.Workers
	}
	return 1
}

// settleFor makes sure timings have settled before the embedding API's
// run of req, as before the lab's own (pageSettler.settleHost).
func settleFor(ctx context.Context, br Browser, req workloads.Request) {
	_, _ = pageSettler.settleHost(ctx, br, req)
}

// settleHost settles for a host's run of req. A host's next runs are
// unknown, so its first run settles as many workers as the machine runs
// at once (or its own, if more), not only its own: as Run all settles
// its largest N first, no worker's first timed run comes right after
// its settling. A calibration that fails is no reason not to run: the
// run reports its own errors.
func (st *settler) settleHost(ctx context.Context, br Browser, req workloads.Request) ([]Settling, error) {
	lanes := max(hostLanes(br.Stats()), 1)
	switch req.Mode {
	case wasm.Workers:
		lanes = max(req.Workers, lanes)
	case wasm.Main:
		lanes = 0
	}
	return st.settle(ctx, br, req, lanes, nil)
}

// cores is the core count the lab goes by: the measured parallelism once
// measured, else what the browser reports (0: unknown).
func (l *lab) cores() int {
	if m := measuredCores(l.parallel, l.parK); m > 0 {
		return m
	}
	return l.facts.Cores
}

// measuredCores rounds a measured parallelism of k threads to a core
// count, 0 when there is none.
func measuredCores(parallel float64, k int) int {
	if !(parallel > 0) || k < 1 {
		return 0
	}
	return min(max(int(parallel+0.5), 1), k)
}

// coresText is "reports N cores", with ", measured M" once measured.
func (l *lab) coresText() string {
	s := "reports " + count(l.facts.Cores, "core")
	if m := measuredCores(l.parallel, l.parK); m > 0 {
		s += fmt.Sprintf(", measured %d", m)
	}
	return s
}

// measuredText says what the parallelism control found, for the
// environment panel.
func (l *lab) measuredText() string {
	m := measuredCores(l.parallel, l.parK)
	if m == 0 {
		return "not yet: measured when the worker pool starts (plain JavaScript workers spinning together against one alone)"
	}
	s := fmt.Sprintf("%d (plain JavaScript workers spinning together against one alone", m)
	if r := l.stats.CoresRatio; r > 0 {
		s += fmt.Sprintf("; speed-up %.2f×", r)
	}
	s += ")"
	switch ideal := l.idealCores(); {
	case ideal > m && ideal == l.facts.Cores:
		s += fmt.Sprintf("; runs here went more than a fifth faster than %s allows, so the measure was low (the machine was busy as it measured) and the ideal line uses the %d the browser reports", count(m, "core"), ideal)
	case l.facts.Cores > 0 && m != l.facts.Cores:
		s += fmt.Sprintf("; the browser reports %s, so the ideal line uses the measured %d", count(l.facts.Cores, "core"), m)
	}
	return s
}

// hostLanes is the workers a host's run settles at least: the cores
// measured (else the pool's size), at most the pool's size.
func hostLanes(st wasm.Stats) int {
	if st.MeasuredCores > 0 && st.MeasuredCores < st.Size {
		return st.MeasuredCores
	}
	return st.Size
}
