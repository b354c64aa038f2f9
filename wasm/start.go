//go:build js && wasm

package wasm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/workloads"
)

// tierWarmMS is how long a worker calls a kernel that no worker has
// tiered yet: long enough for the browser to decide to optimise it (a
// hot loop exhausts V8's tier-up budget within milliseconds). It
// need not wait for the optimised code: every kernel runs its hot loop
// in a function called again for each chunk (or list, or block), and the
// next call gets the optimised code when it is ready.
const tierWarmMS = 15

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
		if w.Quick != nil {
			ids = append(ids, w.ID)
		}
	}
	return ids
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
// compiled module. In WebKit they start one at a time (startInTurn).
func (p *Pool) start(ctx context.Context, n int, origin int64, progress func(Progress)) (*startBatch, error) {
	if n > 1 && p.inTurn {
		return p.startInTurn(ctx, n, origin, progress)
	}
	batch := &startBatch{}
	p.mu.Lock()
	compiled := !p.module.IsUndefined()
	p.mu.Unlock()
	if !compiled {
		progress(Progress{Stage: "compiling"})
	}
	st := &starting{p: p, origin: origin, box: newMailbox(), byID: map[*worker]int{}}
	if err := st.create(n); err != nil {
		st.abandon()
		return nil, err
	}
	c0 := p.clock.Now()
	cctx, cancel := context.WithTimeout(ctx, p.cfg.StartTimeout)
	module, took, err := p.compile(cctx)
	cancel()
	if err != nil {
		st.abandon()
		return nil, fmt.Errorf("wasm: compiling worker.wasm: %w", err)
	}
	if took > 0 {
		batch.compile = &workloads.Span{Task: -1, Label: "download and compile worker.wasm (once per page)", State: workloads.Startup, Start: c0 - origin, End: p.clock.Now() - origin}
	}
	progress(Progress{Stage: "starting"})
	for _, s := range st.workers {
		if err := s.w.js.Boot(module, &proto.Boot{Worker: s.w.id, Base: p.base, Role: proto.RolePool}); err != nil {
			st.abandon()
			return nil, fmt.Errorf("wasm: booting worker %d: %w", s.w.id, err)
		}
	}
	// Wait for every worker's ready, then warm them all at once.
	if err := st.await(ctx, "start", proto.KReady, st.ready); err != nil {
		st.abandon()
		return nil, err
	}
	progress(Progress{Stage: "warming"})
	w0 := p.clock.Now()
	long := p.untiered()
	kernels, err := st.warm(ctx, long)
	if err != nil {
		st.abandon()
		return nil, err
	}
	batch.endedAbs = p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		st.abandon()
		return nil, ErrClosed
	}
	p.warmupMS = float64(batch.endedAbs-w0) / 1000
	p.lastWarm = kernels
	for _, k := range long {
		p.tiered[k] = true
	}
	for _, s := range st.workers {
		s.w.warm = true
		s.w.box.Store(nil)
		p.workers = append(p.workers, s.w)
	}
	batch.workers = st.workers
	return batch, nil
}

// startInTurn starts n workers one after the other, each once the one
// before is warm. In WebKit (WebKitGTK 2.50) a worker created while
// another is still starting is, more often than not, left uncontrolled by
// the page's service worker, although its script came from it: its
// importScripts and fetches go to the network, and offline they fail
// ("NetworkError: Load failed"). Started in turn, every worker is
// controlled.
func (p *Pool) startInTurn(ctx context.Context, n int, origin int64, progress func(Progress)) (*startBatch, error) {
	all := &startBatch{}
	for range n {
		b, err := p.start(ctx, 1, origin, progress)
		if err != nil {
			return nil, err
		}
		if all.compile == nil {
			all.compile = b.compile
		}
		all.workers = append(all.workers, b.workers...)
		all.endedAbs = b.endedAbs
	}
	return all, nil
}

// starting is a batch of workers on their way into the pool: created,
// booted, ready, warmed. Their messages go to one mailbox.
type starting struct {
	p       *Pool
	origin  int64 // the run's start, on the shared clock
	box     *mailbox
	workers []startInfo
	byID    map[*worker]int // index in workers
}

// create creates n Web Workers, which start loading their scripts.
func (st *starting) create(n int) error {
	p := st.p
	for range n {
		p.mu.Lock()
		p.nextWkr++
		w := &worker{id: p.nextWkr}
		p.mu.Unlock()
		w.box.Store(st.box)
		js, err := jsenv.StartWorker(p.script, func(m *jsenv.Message, err error) {
			if err != nil || m.Kind == proto.KExit || m.Kind == proto.KFatal {
				w.dead.Store(true)
				w.litter.drop()
			} else if w.litter.note(m) {
				return // the pool's business, not a run's
			}
			if b := w.box.Load(); b != nil {
				b.put(event{w: w, msg: m, err: err})
			}
		})
		if err != nil {
			return fmt.Errorf("wasm: %w", err)
		}
		js.HostChildren(p.spawner)
		w.js = js
		st.byID[w] = len(st.workers)
		st.workers = append(st.workers, startInfo{w: w, created: p.clock.Now() - st.origin})
	}
	return nil
}

// abandon terminates the batch's workers.
func (st *starting) abandon() {
	for _, s := range st.workers {
		s.w.js.Terminate()
	}
}

// await waits until every worker of the batch has sent a message of kind
// want, calling done with each, for at most Config.StartTimeout. stage
// names the wait in errors.
func (st *starting) await(ctx context.Context, stage string, want proto.Kind, done func(i int, m *jsenv.Message)) error {
	deadline := time.Now().Add(st.p.cfg.StartTimeout)
	pending := len(st.workers)
	for pending > 0 {
		e, err := st.box.next(ctx, time.Until(deadline))
		if errors.Is(err, errSilent) {
			var late []string
			for _, s := range st.workers {
				if (stage == "start" && s.ready == 0) || (stage == "warm-up" && s.warmed == 0) {
					late = append(late, fmt.Sprint(s.w.id))
				}
			}
			return fmt.Errorf("wasm: worker(s) %s did not finish their %s within %v", strings.Join(late, ", "), stage, st.p.cfg.StartTimeout)
		}
		if err != nil {
			return err
		}
		i, ok := st.byID[e.w]
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

// ready takes worker i's Ready: its moments, on the shared clock, kept in
// order and inside what the page saw.
func (st *starting) ready(i int, m *jsenv.Message) {
	r := m.Body.(*proto.Ready)
	s := &st.workers[i]
	s.ready = st.p.clock.Now() - st.origin
	at := func(ms float64, lo int64) int64 {
		v := int64((r.TimeOriginMS+ms)*1000) - st.origin
		return min(max(v, lo), s.ready)
	}
	s.boot = at(r.BootMS, s.created)
	s.instantiated = at(r.InstantiatedMS, s.boot)
	s.w.instantiateMS = r.InstantiateMS
	s.w.startMS = float64(s.ready-s.created) / 1000
}

// warm warms the batch's workers up, all at once, and returns how each
// kernel's calls went. long are the kernels no worker has optimised yet.
func (st *starting) warm(ctx context.Context, long []string) ([]proto.KernelWarm, error) {
	p := st.p
	warmID := p.newID()
	for i, s := range st.workers {
		// Every worker calls every kernel (its first calls compile it, and
		// show it works there); the kernels not yet optimised are shared
		// out, each kept running by one worker. The workers share the
		// compiled module, and V8 publishes optimised code to the module;
		// and should a worker still start a kernel unoptimised, the
		// kernel's loop is a function called again for every chunk, so
		// only its first chunk runs slowly. So a new pool pays each
		// kernel's tiering once, not once a worker.
		var mine []string
		for j := i; j < len(long); j += len(st.workers) {
			mine = append(mine, long[j])
		}
		msg := &proto.Warm{ID: warmID, Workloads: p.kernels, Long: mine, MinMS: tierWarmMS}
		if err := s.w.js.Post(msg, nil, nil); err != nil {
			return nil, fmt.Errorf("wasm: warming worker %d: %w", s.w.id, err)
		}
	}
	var kernels []proto.KernelWarm
	err := st.await(ctx, "warm-up", proto.KWarmed, func(i int, m *jsenv.Message) {
		st.workers[i].warmed = p.clock.Now() - st.origin
		kernels = append(kernels, m.Body.(*proto.Warmed).Kernels...)
	})
	return kernels, err
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
