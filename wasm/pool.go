//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
	"golang.org/x/sync/semaphore"
)

// Config configures a Pool. The zero value is a pool of as many workers as
// the browser runs threads at once (measured when it first starts;
// navigator.hardwareConcurrency until then) for a site served at the root.
type Config struct {
	// Prefix is the resource prefix of the site ("" or e.g.
	// "/course/week3/lab"): the workers load Prefix+"/web/worker.js" and
	// Prefix+"/web/worker.wasm".
	Prefix string
	// Size is the number of workers; 0 means the cores the browser
	// really runs at once: navigator.hardwareConcurrency (clamped to
	// 1..64) until the pool's first start measures them (see
	// Stats.MeasuredCores), the measured figure after.
	Size int
	// StartTimeout bounds a worker's start, and separately its warm-up:
	// a worker that misses it is an error, not a hang. 0 means 10 s.
	StartTimeout time.Duration
	// Watchdog is how long every task of a run may stay blocked with no
	// progress before the run is declared deadlocked. A worker may take
	// twice as long, and at least a second, to answer a message that
	// needs no work (a cancellation, a finish). 0 means
	// workloads.DefaultWatchdog.
	Watchdog time.Duration
	// IdleShrink is how long the pool keeps workers beyond its size (those
	// a run needed: a run of N workers grows the pool to N) once no run
	// uses them; then it ends them. 0 means DefaultIdleShrink.
	IdleShrink time.Duration
}

// DefaultIdleShrink is the IdleShrink of a zero Config.
const DefaultIdleShrink = 15 * time.Second

// DefaultStartTimeout is the StartTimeout of a zero Config.
const DefaultStartTimeout = 10 * time.Second

// ErrClosed is returned by a Pool after Close.
var ErrClosed = errors.New("the worker pool is closed")

// Pool runs workloads in Web Workers. Its methods are safe for concurrent
// use; runs, warm-ups and the replacement of workers take turns, so one
// run's timings are never disturbed by another's. Make it with NewPool.
type Pool struct {
	cfg      Config
	script   string
	wasmURL  string
	base     string
	clock    jsenv.Clock
	kernels  []string
	watchdog time.Duration
	spawner  *jsenv.Spawner
	inTurn   bool // start workers one at a time (startInTurn): in WebKit

	turn *semaphore.Weighted // the pool's turn (turn.go)

	mu sync.Mutex
	// size is how many workers the pool keeps: baseSize, grown to what a run
	// needed until the pool has been idle for IdleShrink (or a run is
	// cancelled), when it goes back to baseSize.
	size      int
	baseSize  int
	lastUse   time.Time   // when the last run released its workers
	shrinking *time.Timer // the idle shrink waiting, if any
	workers   []*worker
	closed    bool
	nextID    int64
	nextWkr   int
	compileMS float64
	warmupMS  float64
	module    safejs.Value
	compiling chan struct{} // closed when the compile going on ends
	refilling bool
	lastWarm  []proto.KernelWarm
	// lastSettle is the last Settle call that settled workers.
	lastSettle SettleReport
	// sizeSet says the size was chosen (Config.Size or Resize), not the
	// default; measured says the cores were measured (or tried), with
	// the figures of Stats.
	sizeSet       bool
	measured      bool
	measuredCores int
	coresRatio    float64
	measureMS     float64
	// pageSettleMS and pageSettled are the last SettlePage's.
	pageSettleMS float64
	pageSettled  bool
	// collectWait is how long the pool waits for a worker to report that
	// it collected a run's garbage before it counts it as stuck
	// (awaitCollected): Config.StartTimeout.
	collectWait time.Duration
	// pageHeap is the most memory SettlePageRun grew the page's Go heap
	// by.
	pageHeap int64
	// tiered are the kernels some worker of the pool has kept calling
	// long enough for the browser to optimise them. Each is tiered once
	// per pool; later workers only call it briefly (see start).
	tiered map[string]bool
}

// worker is the page's handle on one Web Worker.
type worker struct {
	id            int
	js            *jsenv.Worker
	box           atomic.Pointer[mailbox]
	dead          atomic.Bool
	instantiateMS float64
	startMS       float64
	warm          bool // guarded by Pool.mu
	busy          bool // guarded by Pool.mu
	// settled says Settle ran in the worker (guarded by Pool.mu), and
	// settledK on which kernels; the last settling took settleMS, and
	// settleAgreed says its rounds agreed before the cap.
	settled      bool
	settledK     map[string]bool
	settleAgreed bool
	settleMS     float64
	// litter is what the worker has still to collect.
	litter litter
	// primed is, per kernel, the largest declared peak memory
	// (workloads.Cost.Bytes) of a run SettleRun primed the worker with
	// (guarded by Pool.mu).
	primed map[string]int64
}

// NewPool makes a pool. It starts nothing: Warm, or the first Run, does.
func NewPool(cfg Config) (*Pool, error) {
	prefix := strings.TrimRight(cfg.Prefix, "/")
	if prefix != "" && (!strings.HasPrefix(prefix, "/") || strings.HasPrefix(prefix, "//") || strings.ContainsAny(prefix, "?#\\ ")) {
		return nil, fmt.Errorf("wasm: Config.Prefix %q must be a path on this site, like /course/lab", cfg.Prefix)
	}
	if cfg.Size < 0 || cfg.Size > workloads.MaxWorkers {
		return nil, fmt.Errorf("wasm: Config.Size %d out of range; allowed: 0 (the number of cores) to %d", cfg.Size, workloads.MaxWorkers)
	}
	if cfg.StartTimeout < 0 || cfg.Watchdog < 0 {
		return nil, errors.New("wasm: Config.StartTimeout and Config.Watchdog must not be negative")
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	if cfg.Watchdog == 0 {
		cfg.Watchdog = workloads.DefaultWatchdog
	}
	if cfg.IdleShrink < 0 {
		return nil, errors.New("wasm: Config.IdleShrink must not be negative")
	}
	if cfg.IdleShrink == 0 {
		cfg.IdleShrink = DefaultIdleShrink
	}
	if cfg.Watchdog > time.Duration(proto.MaxWatchdog)*time.Millisecond {
		return nil, fmt.Errorf("wasm: Config.Watchdog %v exceeds %d ms", cfg.Watchdog, proto.MaxWatchdog)
	}
	clock, err := jsenv.NewClock()
	if err != nil {
		return nil, fmt.Errorf("wasm: %w", err)
	}
	size := cfg.Size
	if size == 0 {
		size = defaultSize()
	}
	p := &Pool{
		cfg:         cfg,
		script:      prefix + "/web/worker.js",
		wasmURL:     prefix + "/web/worker.wasm",
		base:        jsenv.BaseURL(),
		clock:       clock,
		kernels:     kernels(),
		tiered:      map[string]bool{},
		watchdog:    cfg.Watchdog,
		turn:        semaphore.NewWeighted(1),
		collectWait: cfg.StartTimeout,
		size:        size,
		baseSize:    size,
		sizeSet:     cfg.Size != 0,
		module:      safejs.Undefined(),
		inTurn:      jsenv.Browser().Engine == "WebKit",
	}
	p.spawner = &jsenv.Spawner{Script: p.script, Base: p.base, Module: p.compiled}
	return p, nil
}

func (p *Pool) newID() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	return p.nextID
}

// Warm compiles worker.wasm (once per page), starts the pool's workers and
// warms each up. It is idempotent: with every worker warm it returns at
// once. It waits for a run going on to end.
func (p *Pool) Warm(ctx context.Context) error {
	if err := p.beginTurn(ctx); err != nil {
		return err
	}
	defer p.endTurn()
	// The cores are measured once worker.wasm is compiled: right after a
	// page loads, the browser is still busy starting it (rendering,
	// compiling the page's own code), and a measure then sees fewer
	// cores than the machine has.
	if _, err := p.compiled(ctx); err != nil {
		return err
	}
	p.measureCores(ctx, false)
	p.mu.Lock()
	p.prune()
	need := p.size - len(p.workers)
	p.mu.Unlock()
	if need <= 0 {
		return nil
	}
	_, err := p.start(ctx, need, p.clock.Now(), func(Progress) {})
	return err
}

// Resize sets the number of workers the pool keeps: 1 to 64, or 0 for
// navigator.hardwareConcurrency. Shrinking terminates idle workers at
// once (busy ones when their run ends); growing starts the new workers in
// the background, after any run going on.
func (p *Pool) Resize(n int) error {
	if n < 0 || n > workloads.MaxWorkers {
		return fmt.Errorf("wasm: pool size %d out of range; allowed: 0 (the number of cores) to %d", n, workloads.MaxWorkers)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	p.sizeSet = n != 0
	if n == 0 {
		n = p.defaultSizeLocked()
	}
	p.size, p.baseSize = n, n
	p.trim()
	grow := len(p.workers) < n
	p.mu.Unlock()
	if grow {
		p.refill()
	}
	return nil
}

// trim terminates idle workers beyond the pool's size. p.mu is held.
func (p *Pool) trim() {
	p.prune()
	keep := p.workers[:0]
	extra := len(p.workers) - p.size
	for _, w := range p.workers {
		if extra > 0 && !w.busy {
			w.js.Terminate()
			w.dead.Store(true)
			extra--
			continue
		}
		keep = append(keep, w)
	}
	clear(p.workers[len(keep):])
	p.workers = keep
}

// prune forgets dead workers. p.mu is held.
func (p *Pool) prune() {
	keep := p.workers[:0]
	for _, w := range p.workers {
		if w.dead.Load() {
			w.js.Terminate()
			continue
		}
		keep = append(keep, w)
	}
	clear(p.workers[len(keep):])
	p.workers = keep
}

// refill starts, in the background and in its turn, the workers the pool
// lacks, so that the next run finds them warm.
func (p *Pool) refill() {
	p.mu.Lock()
	if p.refilling || p.closed {
		p.mu.Unlock()
		return
	}
	p.refilling = true
	p.mu.Unlock()
	go func() {
		defer func() {
			p.mu.Lock()
			p.refilling = false
			p.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 4*p.cfg.StartTimeout)
		defer cancel()
		// A failure here is not lost: the next Warm or Run starts the
		// missing workers again and reports it.
		_ = p.Warm(ctx)
	}()
}

// Close terminates every worker. Runs going on end with an error; later
// calls return ErrClosed.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.shrinking != nil {
		p.shrinking.Stop()
		p.shrinking = nil
	}
	for _, w := range p.workers {
		w.js.Terminate()
		w.dead.Store(true)
		if b := w.box.Load(); b != nil {
			b.put(event{w: w, err: ErrClosed})
		}
	}
	p.workers = nil
}

// retire terminates workers that misbehaved or ran a cancelled run, and
// has them replaced in the background.
func (p *Pool) retire(ws ...*worker) {
	if len(ws) == 0 {
		return
	}
	p.mu.Lock()
	for _, w := range ws {
		w.js.Terminate()
		w.dead.Store(true)
	}
	p.prune()
	p.mu.Unlock()
	p.refill()
}

// Isolated reports whether the page is cross-origin isolated
// (crossOriginIsolated), which SharedArrayBuffer needs.
func Isolated() bool { return jsenv.Isolated() }

// HardwareConcurrency returns navigator.hardwareConcurrency, or 1 when the
// browser does not say (Stats.MeasuredCores says how many run at once).
func HardwareConcurrency() int { return jsenv.HardwareConcurrency() }

// facts describe where a browser run ran.
func facts(engine string) workloads.Facts {
	return workloads.Facts{
		Engine:     engine,
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		GOMAXPROCS: 1,
		NumCPU:     HardwareConcurrency(),
		GoVersion:  runtime.Version(),
		Browser:    jsenv.Browser().String(),
	}
}
