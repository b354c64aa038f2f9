//go:build js && wasm

// Package wasm is the lab's browser engine: a pool of Web Workers, each
// running worker.wasm, that runs the workloads in the browser's modes.
//
//   - sequential: one lane, in one worker;
//   - cooperative: the engine's goroutines mode, N goroutines inside one
//     worker (one thread: a goroutine switches only when it blocks);
//   - workers: the tasks spread over N workers, each its own wasm instance
//     with its own memory, tasks and results passed as messages;
//   - main: the cooperative run on the page's own thread, to show the page
//     freezing.
//
// The page compiles worker.wasm once and hands the compiled module to
// every worker; workers are warmed up (each CPU kernel called once) before
// anything is timed and kept between runs. Every span of a run, from
// every worker, is on one clock (performance.timeOrigin + now()), relative
// to the run's start. Start-up paid by a run (compiling, starting and
// warming workers) is reported in it, as Startup spans and StartupUS.
//
// Every file of the package builds only for js/wasm, and JavaScript is
// reached only through github.com/hack-pad/safejs.
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
)

// Config configures a Pool. The zero value is a pool of
// navigator.hardwareConcurrency workers for a site served at the root.
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
	// progress before the run is declared deadlocked, and how long a
	// worker may take to answer a message that needs no work. 0 means
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

// Progress reports a run's advance to Run's callback.
type Progress struct {
	Stage       string          // "compiling", "starting", "warming", "running", "done"
	Done, Total int             // tasks
	Span        *workloads.Span // a span that just closed, if any
}

// Stats describe a pool.
type Stats struct {
	Size  int // workers wanted
	Alive int // workers started (starting, idle or busy)
	Busy  int // workers running a run
	Warm  int // workers started and warmed up
	// CompileMS is how long fetching and compiling worker.wasm took (once
	// per page; 0 before it happened). The two overlap (compileStreaming),
	// and on a slow machine the download is most of it: Chromium on 2
	// cores reads a local 4 MB file at 55-100 MB/s, and compiles the
	// bytes in 22-37 ms.
	CompileMS float64
	// InstantiateMS is, per alive worker, how long instantiating the
	// compiled module took inside the worker.
	InstantiateMS []float64
	// StartMS is, per alive worker, the time from creating it to its Go
	// program listening: loading worker.js and wasm_exec.js, instantiating,
	// starting the Go runtime.
	StartMS []float64
	// WarmupMS is how long the last warm-up took (the slowest worker of
	// the last batch started).
	WarmupMS float64
	// FirstCallUS and WarmCallUS are, per kernel, its first call in the
	// last warm-up (unoptimised, compiled on the spot) and its last one:
	// the cost of a cold call, which the warm-up keeps out of timed runs.
	FirstCallUS map[string]int64
	WarmCallUS  map[string]int64
	// Isolated says whether the page is cross-origin isolated, which the
	// shared-memory variants need in the workers mode.
	Isolated bool
	// SettleMS is, per alive worker, how long its settling took (see
	// Pool.Settle); 0 for a worker not settled yet. Settled counts the
	// alive workers that settled, SettledAgreed those of them whose last
	// two rounds agreed (the others stopped at the cap).
	SettleMS      []float64
	Settled       int
	SettledAgreed int
	// ReportedCores is navigator.hardwareConcurrency (1 when the browser
	// does not say). MeasuredCores is how many threads the browser ran at
	// once when the pool first started (jsenv.Cores: plain JavaScript
	// workers spinning together, against one alone; the most threads
	// that gained at least 70 % of their number), at least 1 and at most
	// ReportedCores; 0 before it is measured, when the measurement
	// failed, and for a pool of a size given (Config.Size, Resize), which
	// does not measure. CoresRatio is the unrounded ratio, MeasureMS how
	// long measuring took. A pool of the default size uses MeasuredCores
	// once it is known: browsers may report more cores than they run at
	// once (WebKitGTK reports 4 on 2 cores).
	ReportedCores int
	MeasuredCores int
	CoresRatio    float64
	MeasureMS     float64
	// LastSettle is the last Settle call that settled any worker: how
	// long it took in all (MS, starting workers included) and per worker.
	LastSettle SettleReport
	// PageSettleMS is how long the last SettlePage took, and PageSettled
	// whether its last two rounds agreed.
	PageSettleMS float64
	PageSettled  bool
}

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

	turn chan struct{} // held by the run, warm-up or refill going on

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
	// tiered are the kernels some worker of the pool has kept calling
	// long enough for the browser to optimise them. Each is tiered once
	// per pool; later workers only call it briefly (see start).
	tiered map[string]bool
}

// tierWarmMS is how long a worker calls a kernel that no worker has
// tiered yet: long enough for the browser to decide to optimise it (a
// hot loop exhausts V8's tier-up budget within milliseconds). It
// need not wait for the optimised code: every kernel runs its hot loop
// in a function called again for each chunk (or list, or block), and the
// next call gets the optimised code when it is ready.
const tierWarmMS = 15

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
	// settled says Settle ran in the worker (guarded by Pool.mu); the
	// settling took settleMS, and settleAgreed says two rounds agreed
	// before the cap.
	settled      bool
	settleAgreed bool
	settleMS     float64
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
		cfg:      cfg,
		script:   prefix + "/web/worker.js",
		wasmURL:  prefix + "/web/worker.wasm",
		base:     baseURL(),
		clock:    clock,
		kernels:  kernels(),
		tiered:   map[string]bool{},
		watchdog: cfg.Watchdog,
		turn:     make(chan struct{}, 1),
		size:     size,
		baseSize: size,
		sizeSet:  cfg.Size != 0,
		module:   safejs.Undefined(),
	}
	p.spawner = &jsenv.Spawner{Script: p.script, Base: p.base, Module: p.compiled}
	return p, nil
}

func defaultSize() int { return min(max(HardwareConcurrency(), 1), workloads.MaxWorkers) }

// defaultSizeLocked is the default size: the measured cores once known.
// p.mu is held.
func (p *Pool) defaultSizeLocked() int {
	if p.measuredCores > 0 {
		return min(p.measuredCores, workloads.MaxWorkers)
	}
	return defaultSize()
}

// coresOf turns a measured speed-up of reported threads over one into
// cores: the most threads m that gained at least 70 % of m together (two
// threads on two cores of a shared machine gain 1.5-1.9), at least 1 and
// at most reported.
func coresOf(ratio float64, reported int) int {
	return min(max(int(ratio/0.7), 1), reported)
}

// measureCores measures, once per pool of the default size, how many
// threads the browser runs at once, and sizes the pool by it (a pool of a
// size given is not measured). It is called in
// the pool's turn, before the pool's first start; it returns how long it
// took (0 when it had been done). A failure leaves the reported count in
// use: the measurement is a correction, not a condition.
func (p *Pool) measureCores(ctx context.Context) time.Duration {
	p.mu.Lock()
	done := p.measured || p.sizeSet
	if !done {
		p.measured = true
	}
	p.mu.Unlock()
	if done {
		return 0
	}
	reported := HardwareConcurrency()
	t0 := time.Now()
	ratio, err := jsenv.Cores(ctx, reported)
	if err == nil && coresOf(ratio, reported) < reported {
		// A moment of load elsewhere looks like fewer cores: the better
		// of two tries counts.
		if again, err2 := jsenv.Cores(ctx, reported); err2 == nil {
			ratio = max(ratio, again)
		}
	}
	took := time.Since(t0)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.measureMS = float64(took) / float64(time.Millisecond)
	if err != nil {
		if ctx.Err() != nil {
			p.measured = false // try again next time
		}
		return took
	}
	p.coresRatio = ratio
	p.measuredCores = coresOf(ratio, reported)
	if !p.sizeSet {
		p.baseSize = p.defaultSizeLocked()
		p.size = p.baseSize
	}
	return took
}

// Isolated reports whether the page is cross-origin isolated
// (crossOriginIsolated), which SharedArrayBuffer needs.
func Isolated() bool {
	v, err := jsenv.Get(jsenv.Global(), "crossOriginIsolated")
	if err != nil {
		return false
	}
	b, err := v.Bool()
	return err == nil && b
}

// HardwareConcurrency returns navigator.hardwareConcurrency, or 1 when the
// browser does not say.
func HardwareConcurrency() int {
	v, err := jsenv.Get(jsenv.Global(), "navigator", "hardwareConcurrency")
	if err != nil || v.Type() != safejs.TypeNumber {
		return 1
	}
	n, err := v.Int()
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// baseURL is what relative fetches resolve against: the page's address.
func baseURL() string {
	for _, path := range [][]string{{"document", "baseURI"}, {"location", "href"}} {
		if v, err := jsenv.Get(jsenv.Global(), path...); err == nil && v.Type() == safejs.TypeString {
			s, _ := v.String()
			return s
		}
	}
	return ""
}

// untiered returns the kernels no worker of the pool has optimised yet.
func (p *Pool) untiered() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	for _, k := range p.kernels {
		if !p.tiered[k] {
			ids = append(ids, k)
		}
	}
	return ids
}

// kernels are the workloads a worker warms up: the CPU-bound ones, whose
// first, unoptimised call would otherwise be timed.
func kernels() []string {
	var ids []string
	for _, w := range workloads.All() {
		switch w.Kind {
		case workloads.CPU, workloads.CPUMemory, workloads.DataParallel:
		default:
			continue
		}
		if w.Quick == nil {
			continue
		}
		if ok, _ := w.Supports(workloads.Sequential); ok {
			ids = append(ids, w.ID)
		}
	}
	return ids
}

// take waits for the pool's turn.
func (p *Pool) take(ctx context.Context) error {
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		<-p.turn
		return ErrClosed
	}
	return nil
}

func (p *Pool) give() { <-p.turn }

func (p *Pool) newID() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	return p.nextID
}

// Stats returns a snapshot of the pool.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Size: p.size, ReportedCores: HardwareConcurrency(), MeasuredCores: p.measuredCores, CoresRatio: p.coresRatio, MeasureMS: p.measureMS, CompileMS: p.compileMS, WarmupMS: p.warmupMS, Isolated: Isolated(), LastSettle: p.lastSettle,
		PageSettleMS: p.pageSettleMS, PageSettled: p.pageSettled}
	s.LastSettle.WorkerMS = append([]float64(nil), p.lastSettle.WorkerMS...)
	if len(p.lastWarm) > 0 {
		s.FirstCallUS, s.WarmCallUS = map[string]int64{}, map[string]int64{}
		for _, k := range p.lastWarm {
			// Several workers warm each kernel: keep its slowest first
			// call (the one that compiled it) and fastest last call.
			s.FirstCallUS[k.Workload] = max(s.FirstCallUS[k.Workload], k.FirstUS)
			if v, ok := s.WarmCallUS[k.Workload]; !ok || k.LastUS < v {
				s.WarmCallUS[k.Workload] = k.LastUS
			}
		}
	}
	for _, w := range p.workers {
		if w.dead.Load() {
			continue
		}
		s.Alive++
		if w.busy {
			s.Busy++
		}
		if w.warm {
			s.Warm++
		}
		s.InstantiateMS = append(s.InstantiateMS, w.instantiateMS)
		s.StartMS = append(s.StartMS, w.startMS)
		s.SettleMS = append(s.SettleMS, w.settleMS)
		if w.settled {
			s.Settled++
		}
		if w.settleAgreed {
			s.SettledAgreed++
		}
	}
	return s
}

// Warm compiles worker.wasm (once per page), starts the pool's workers and
// warms each up. It is idempotent: with every worker warm it returns at
// once. It waits for a run going on to end.
func (p *Pool) Warm(ctx context.Context) error {
	if err := p.take(ctx); err != nil {
		return err
	}
	defer p.give()
	p.measureCores(ctx)
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

// compiled returns the compiled worker module, compiling it first if no
// one has: once per page, whoever asks first.
func (p *Pool) compiled(ctx context.Context) (safejs.Value, error) {
	m, _, err := p.compile(ctx)
	return m, err
}

// compile returns the module and, when this call compiled it, how long
// that took.
func (p *Pool) compile(ctx context.Context) (safejs.Value, time.Duration, error) {
	for {
		p.mu.Lock()
		if !p.module.IsUndefined() {
			m := p.module
			p.mu.Unlock()
			return m, 0, nil
		}
		wait := p.compiling
		if wait == nil {
			p.compiling = make(chan struct{})
			p.mu.Unlock()
			break
		}
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return safejs.Undefined(), 0, ctx.Err()
		}
	}
	t0 := time.Now()
	m, err := compileModule(ctx, p.wasmURL)
	d := time.Since(t0)
	p.mu.Lock()
	if err == nil {
		p.module = m
		p.compileMS = float64(d) / float64(time.Millisecond)
	}
	close(p.compiling)
	p.compiling = nil
	p.mu.Unlock()
	if err != nil {
		return safejs.Undefined(), 0, err
	}
	return m, d, nil
}

// compileModule fetches and compiles url: streaming when the server says
// application/wasm, from the bytes otherwise (a server with the wrong
// MIME type), and from the bytes again if streaming fails.
func compileModule(ctx context.Context, url string) (safejs.Value, error) {
	g := jsenv.Global()
	wa, err := jsenv.Get(g, "WebAssembly")
	if err != nil || wa.Type() != safejs.TypeObject {
		return safejs.Undefined(), errors.New("this browser has no WebAssembly")
	}
	fetch := func() (safejs.Value, error) {
		f, err := jsenv.Get(g, "fetch")
		if err != nil {
			return safejs.Undefined(), err
		}
		pr, err := f.Invoke(url)
		if err != nil {
			return safejs.Undefined(), err
		}
		resp, err := jsenv.Await(ctx, pr)
		if err != nil {
			return safejs.Undefined(), fmt.Errorf("fetching %s: %w", url, err)
		}
		if ok, _ := jsenv.Get(resp, "ok"); ok.Type() != safejs.TypeBoolean || !truthy(ok) {
			st, _ := jsenv.Get(resp, "status")
			code, _ := st.Int()
			return safejs.Undefined(), fmt.Errorf("fetching %s: HTTP status %d", url, code)
		}
		return resp, nil
	}
	fromBytes := func(resp safejs.Value) (safejs.Value, error) {
		bp, err := resp.Call("arrayBuffer")
		if err != nil {
			return safejs.Undefined(), err
		}
		buf, err := jsenv.Await(ctx, bp)
		if err != nil {
			return safejs.Undefined(), fmt.Errorf("reading %s: %w", url, err)
		}
		mp, err := wa.Call("compile", buf)
		if err != nil {
			return safejs.Undefined(), err
		}
		m, err := jsenv.Await(ctx, mp)
		if err != nil {
			return safejs.Undefined(), fmt.Errorf("compiling %s: %w", url, err)
		}
		return m, nil
	}
	resp, err := fetch()
	if err != nil {
		return safejs.Undefined(), err
	}
	ctype := ""
	if h, err := jsenv.Get(resp, "headers"); err == nil {
		if v, err := h.Call("get", "Content-Type"); err == nil && v.Type() == safejs.TypeString {
			ctype, _ = v.String()
		}
	}
	streaming, _ := jsenv.Get(wa, "compileStreaming")
	if streaming.Type() != safejs.TypeFunction || strings.TrimSpace(strings.Split(ctype, ";")[0]) != "application/wasm" {
		return fromBytes(resp)
	}
	mp, err := wa.Call("compileStreaming", resp)
	if err == nil {
		m, err := jsenv.Await(ctx, mp)
		if err == nil {
			return m, nil
		}
		if ctx.Err() != nil {
			return safejs.Undefined(), ctx.Err()
		}
	}
	// Streaming failed (a proxy that rewrote the response, say): the
	// body is used up, so fetch it again and compile the bytes.
	resp, err = fetch()
	if err != nil {
		return safejs.Undefined(), err
	}
	return fromBytes(resp)
}

func truthy(v safejs.Value) bool {
	b, err := v.Truthy()
	return err == nil && b
}

// event is something a worker sent, or a failure of it.
type event struct {
	w   *worker
	msg *jsenv.Message
	err error
}

// mailbox queues events without bound: worker messages arrive in
// JavaScript callbacks, which must never block.
type mailbox struct {
	mu    sync.Mutex
	q     []event
	ready chan struct{}
}

func newMailbox() *mailbox { return &mailbox{ready: make(chan struct{}, 1)} }

func (b *mailbox) put(e event) {
	b.mu.Lock()
	b.q = append(b.q, e)
	b.mu.Unlock()
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// errSilent is the error of a take that timed out.
var errSilent = errors.New("no answer in time")

// take returns the next event, waiting until ctx is done or, if timeout
// is positive, for that long.
func (b *mailbox) take(ctx context.Context, timeout time.Duration) (event, error) {
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	for {
		b.mu.Lock()
		if len(b.q) > 0 {
			e := b.q[0]
			b.q[0] = event{}
			b.q = b.q[1:]
			b.mu.Unlock()
			return e, nil
		}
		b.mu.Unlock()
		select {
		case <-b.ready:
		case <-ctx.Done():
			return event{}, ctx.Err()
		case <-timer:
			return event{}, errSilent
		}
	}
}

// failure turns a worker's failure event into an error naming it.
func (w *worker) failure(e event) error {
	if e.err != nil {
		if errors.Is(e.err, proto.ErrRejected) {
			return fmt.Errorf("worker %d sent a malformed message: %w", w.id, e.err)
		}
		return fmt.Errorf("worker %d: %w", w.id, e.err)
	}
	switch b := e.msg.Body.(type) {
	case *proto.Exit:
		msg := fmt.Sprintf("worker %d stopped (its Go program exited with code %d)", w.id, b.Code)
		if out := strings.TrimSpace(b.Output); out != "" {
			msg += ": " + crashReason(out)
		}
		return errors.New(msg)
	case *proto.Fatal:
		return fmt.Errorf("worker %d: %s", w.id, b.Error)
	}
	return nil
}

// crashReason picks what a crashed Go program said about why: its fatal
// error or panic line, or else its last lines.
func crashReason(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "fatal error: ") || strings.HasPrefix(line, "panic: ") {
			return line
		}
	}
	return lastLines(out, 6)
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// startInfo is what starting one worker cost, on the run's clock (µs).
type startInfo struct {
	w *worker
	// created: new Worker() called; boot: the worker received the module;
	// instantiated: the module instantiated in it; ready: the page heard
	// its Go program; warmed: its warm-up ended.
	created, boot, instantiated, ready, warmed int64
}

// startBatch is what start did, for the run that paid it.
type startBatch struct {
	compile  *workloads.Span // nil when the module was compiled before
	workers  []startInfo
	endedAbs int64
}

// start starts n workers, waits for them to be ready, warms them up, and
// adds them to the pool. It is called in the pool's turn. origin is the
// run's start: the spans it returns are relative to it.
//
// The workers are created first, so that they load their scripts while
// the page compiles worker.wasm (the first time); then each gets the
// compiled module.
func (p *Pool) start(ctx context.Context, n int, origin int64, progress func(Progress)) (*startBatch, error) {
	batch := &startBatch{}
	p.mu.Lock()
	compiled := !p.module.IsUndefined()
	p.mu.Unlock()
	if !compiled {
		progress(Progress{Stage: "compiling"})
	}
	box := newMailbox()
	var started []startInfo
	abandon := func() {
		for _, s := range started {
			s.w.js.Terminate()
		}
	}
	for range n {
		p.mu.Lock()
		p.nextWkr++
		w := &worker{id: p.nextWkr}
		p.mu.Unlock()
		w.box.Store(box)
		js, err := jsenv.StartWorker(p.script, func(m *jsenv.Message, err error) {
			if err != nil || m.Kind == proto.KExit || m.Kind == proto.KFatal {
				w.dead.Store(true)
			}
			if b := w.box.Load(); b != nil {
				b.put(event{w: w, msg: m, err: err})
			}
		})
		if err != nil {
			abandon()
			return nil, fmt.Errorf("wasm: %w", err)
		}
		w.js = js
		started = append(started, startInfo{w: w, created: p.clock.Now() - origin})
	}
	c0 := p.clock.Now()
	cctx, cancel := context.WithTimeout(ctx, p.cfg.StartTimeout)
	module, took, err := p.compile(cctx)
	cancel()
	if err != nil {
		abandon()
		return nil, fmt.Errorf("wasm: compiling worker.wasm: %w", err)
	}
	if took > 0 {
		batch.compile = &workloads.Span{Task: -1, Label: "download and compile worker.wasm (once per page)", State: workloads.Startup, Start: c0 - origin, End: p.clock.Now() - origin}
	}
	progress(Progress{Stage: "starting"})
	for _, s := range started {
		if err := s.w.js.Boot(module, &proto.Boot{Worker: s.w.id, Base: p.base, Role: proto.RolePool}); err != nil {
			abandon()
			return nil, fmt.Errorf("wasm: booting worker %d: %w", s.w.id, err)
		}
	}
	byID := map[*worker]int{}
	for i, s := range started {
		byID[s.w] = i
	}
	// Wait for every worker's ready, then warm them all at once.
	deadline := time.Now().Add(p.cfg.StartTimeout)
	wait := func(stage string, want proto.Kind, done func(i int, m *jsenv.Message)) error {
		pending := len(started)
		for pending > 0 {
			e, err := box.take(ctx, time.Until(deadline))
			if errors.Is(err, errSilent) {
				var late []string
				for _, s := range started {
					if (stage == "start" && s.ready == 0) || (stage == "warm-up" && s.warmed == 0) {
						late = append(late, fmt.Sprint(s.w.id))
					}
				}
				return fmt.Errorf("wasm: worker(s) %s did not finish their %s within %v", strings.Join(late, ", "), stage, p.cfg.StartTimeout)
			}
			if err != nil {
				return err
			}
			i, ok := byID[e.w]
			if !ok {
				continue
			}
			if ferr := e.w.failure(e); ferr != nil {
				return fmt.Errorf("wasm: %s: %w", stage, ferr)
			}
			switch b := e.msg.Body.(type) {
			case *proto.Error:
				return fmt.Errorf("wasm: worker %d during %s: %s", e.w.id, stage, b.Error)
			case *proto.Warmed:
				if b.Error != "" {
					return fmt.Errorf("wasm: worker %d: %s", e.w.id, b.Error)
				}
			}
			if e.msg.Kind == want {
				done(i, e.msg)
				pending--
			}
		}
		return nil
	}
	err = wait("start", proto.KReady, func(i int, m *jsenv.Message) {
		r := m.Body.(*proto.Ready)
		s := &started[i]
		s.ready = p.clock.Now() - origin
		// The worker's moments, on the shared clock, kept in order and
		// inside what the page saw.
		at := func(ms float64, lo int64) int64 {
			v := int64((r.TimeOriginMS+ms)*1000) - origin
			return min(max(v, lo), s.ready)
		}
		s.boot = at(r.BootMS, s.created)
		s.instantiated = at(r.InstantiatedMS, s.boot)
		s.w.instantiateMS = r.InstantiateMS
		s.w.startMS = float64(s.ready-s.created) / 1000
	})
	if err != nil {
		abandon()
		return nil, err
	}
	progress(Progress{Stage: "warming"})
	warmID := p.newID()
	long := p.untiered()
	for i, s := range started {
		// Every worker calls every kernel (its first calls compile it, and
		// show it works there); the kernels not yet optimised are shared
		// out, each kept running by one worker. The workers share the
		// compiled module, and V8 publishes optimised code to the module;
		// and should a worker still start a kernel unoptimised, the
		// kernel's loop is a function called again for every chunk, so
		// only its first chunk runs slowly. A new pool of 4 workers on 2
		// cores now warms in 40-110 ms instead of 265-349 ms, when each
		// worker tiered every kernel for 60 ms (make bench).
		var mine []string
		for j := i; j < len(long); j += len(started) {
			mine = append(mine, long[j])
		}
		msg := &proto.Warm{ID: warmID, Workloads: p.kernels, Long: mine, MinMS: tierWarmMS}
		if err := s.w.js.Post(msg, nil, nil); err != nil {
			abandon()
			return nil, fmt.Errorf("wasm: warming worker %d: %w", s.w.id, err)
		}
	}
	w0 := p.clock.Now()
	deadline = time.Now().Add(p.cfg.StartTimeout)
	var kernels []proto.KernelWarm
	err = wait("warm-up", proto.KWarmed, func(i int, m *jsenv.Message) {
		started[i].warmed = p.clock.Now() - origin
		kernels = append(kernels, m.Body.(*proto.Warmed).Kernels...)
	})
	if err != nil {
		abandon()
		return nil, err
	}
	batch.endedAbs = p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		abandon()
		return nil, ErrClosed
	}
	p.warmupMS = float64(batch.endedAbs-w0) / 1000
	p.lastWarm = kernels
	for _, k := range long {
		p.tiered[k] = true
	}
	for _, s := range started {
		s.w.warm = true
		s.w.box.Store(nil)
		p.workers = append(p.workers, s.w)
	}
	batch.workers = started
	return batch, nil
}

// spans returns the batch's Startup spans, the started workers on the
// given lanes.
func (b *startBatch) spans(lanes []int) []workloads.Span {
	var out []workloads.Span
	if b == nil {
		return nil
	}
	if b.compile != nil && len(lanes) > 0 {
		s := *b.compile
		s.Lane = lanes[0]
		out = append(out, s)
	}
	for i, s := range b.workers {
		if i >= len(lanes) {
			break
		}
		span := func(label string, start, end int64) {
			if end > start {
				out = append(out, workloads.Span{Lane: lanes[i], Task: -1, Label: fmt.Sprintf(label, s.w.id), State: workloads.Startup, Start: start, End: end})
			}
		}
		span("start worker %d: create it, load its scripts, wait for the module", s.created, s.boot)
		span("worker %d: instantiate worker.wasm", s.boot, s.instantiated)
		span("worker %d: start the Go runtime", s.instantiated, s.ready)
		span("worker %d: warm up (first calls of each kernel)", s.ready, s.warmed)
	}
	return out
}

// acquire takes n warm workers for a run, starting those the pool lacks
// (the run pays for them). It is called in the pool's turn.
func (p *Pool) acquire(ctx context.Context, n int, origin int64, progress func(Progress)) ([]*worker, []workloads.Span, int64, error) {
	var startup []workloads.Span
	var startupUS int64
	m0 := p.clock.Now()
	if took := p.measureCores(ctx); took > 0 {
		startupUS = p.clock.Now() - origin
		startup = append(startup, workloads.Span{Task: -1, Label: fmt.Sprintf("measure how many threads the browser runs at once (it reports %d cores)", HardwareConcurrency()), State: workloads.Startup, Start: m0 - origin, End: p.clock.Now() - origin})
	}
	p.mu.Lock()
	p.prune()
	have := min(len(p.workers), n)
	p.mu.Unlock()
	if need := n - have; need > 0 {
		batch, err := p.start(ctx, need, origin, progress)
		if err != nil {
			return nil, nil, 0, err
		}
		lanes := make([]int, need)
		for i := range lanes {
			lanes[i] = have + i
		}
		startup = append(startup, batch.spans(lanes)...)
		startupUS = batch.endedAbs - origin
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prune()
	if len(p.workers) < n {
		return nil, nil, 0, errors.New("wasm: workers stopped while the run was starting")
	}
	// The pool keeps what a run needed: it grows on demand.
	p.size = max(p.size, n)
	ws := append([]*worker(nil), p.workers[:n]...)
	for _, w := range ws {
		w.busy = true
	}
	return ws, startup, startupUS, nil
}

// release hands a run's workers back to the pool. Workers beyond the
// pool's base size wait IdleShrink for the next run before they end.
func (p *Pool) release(ws []*worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range ws {
		w.busy = false
		w.box.Store(nil)
	}
	p.trim()
	p.lastUse = time.Now()
	if p.size > p.baseSize && p.shrinking == nil && !p.closed {
		p.shrinking = time.AfterFunc(p.cfg.IdleShrink, p.shrinkIdle)
	}
}

// shrinkIdle ends the workers beyond the pool's base size once no run has
// used them for IdleShrink. It runs on a timer, and only in the pool's
// turn (never beside a run that is taking its workers): when the turn is
// busy it tries again later.
func (p *Pool) shrinkIdle() {
	p.mu.Lock()
	p.shrinking = nil
	if p.closed || p.size <= p.baseSize {
		p.mu.Unlock()
		return
	}
	if wait := p.cfg.IdleShrink - time.Since(p.lastUse); wait > 0 {
		p.shrinking = time.AfterFunc(wait, p.shrinkIdle)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	select {
	case p.turn <- struct{}{}:
	default:
		// A run or a start goes on: its release schedules the next try.
		p.mu.Lock()
		if p.shrinking == nil && !p.closed {
			p.shrinking = time.AfterFunc(p.cfg.IdleShrink, p.shrinkIdle)
		}
		p.mu.Unlock()
		return
	}
	defer p.give()
	p.toBase()
}

// toBase sets the pool's size back to its base and ends the idle workers
// beyond it.
func (p *Pool) toBase() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.size = p.baseSize
	p.trim()
}

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
