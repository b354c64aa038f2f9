//go:build wasm

package ui

import (
	"context"
	"fmt"
	"math"
	"sync"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The embedding API's browser side (the messages are in embed.go). It
// starts with the program, before any component, when the page has a
// host: a parent window (an iframe) or an opener (window.open). Runs go
// through the page's shared worker pool, taking turns with the lab's own.
func init() {
	if !app.IsClient {
		return
	}
	if host := hostWindow(); host != nil {
		startBridge(host)
	}
}

// maxQueuedRuns bounds the runs a host may have waiting at once.
const maxQueuedRuns = 8

// bridge relays between the host and the worker pool.
type bridge struct {
	host  app.Value
	queue chan hostJob // runs waiting, taken in order by one goroutine

	mu     sync.Mutex
	height int
	// jobs are the runs waiting or running, by id (as JSON), for
	// lab:cancel; a host may reuse an id.
	jobs map[string][]*hostJob
}

// hostWindow returns window.parent when the page is in a frame, else
// window.opener, else nil.
func hostWindow() (host app.Value) {
	defer func() {
		if recover() != nil {
			host = nil
		}
	}()
	w := app.Window()
	if p := w.Get("parent"); p.Truthy() && !p.Equal(w.JSValue()) {
		return p
	}
	if o := w.Get("opener"); o.Truthy() {
		return o
	}
	return nil
}

func startBridge(host app.Value) {
	b := &bridge{host: host, queue: make(chan hostJob, maxQueuedRuns), jobs: map[string][]*hostJob{}}
	go b.serve()
	app.Window().Call("addEventListener", "message", app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) > 0 {
			b.onMessage(args[0])
		}
		return nil
	}))
	postToHost = func(msg []byte) { b.post(host, msg, "*") }
	go b.announce()
	b.watchHeight()
	b.watchOffline()
}

// announce posts lab:ready once the worker pool is warm, or could not
// start (the message then says why).
func (b *bridge) announce() {
	problem := ""
	eng, err := sharedBrowser()
	if err == nil {
		err = eng.Warm(context.Background())
	}
	if err != nil {
		problem = "the worker pool could not start: " + err.Error()
	}
	b.post(b.host, ReadyMessage(app.Getenv("GOAPP_VERSION"), problem), "*")
}

// onMessage runs in a JavaScript callback: it must not block, so a run
// is started on its own goroutine.
func (b *bridge) onMessage(event app.Value) {
	defer func() {
		if p := recover(); p != nil {
			app.Logf("conlab: a host message could not be read: %v", p)
		}
	}()
	// Only the host may drive the lab: not another frame or popup.
	source := event.Get("source")
	if !source.Truthy() || !source.Equal(b.host) {
		return
	}
	origin := event.Get("origin").String()
	if origin == "" || origin == "null" {
		origin = "*" // a sandboxed or file:// host has no origin to address
	}
	data, bad, ok := messageJSON(event.Get("data"))
	if !ok {
		return
	}
	var m HostMessage
	if bad != nil {
		m = NonFiniteMessage(data, bad.path, bad.value)
	} else {
		m = ParseHostMessage(data)
	}
	switch {
	case m.Ignore:
		return
	case m.Err != nil:
		b.post(source, ResultMessage(m.ID, nil, m.Err), origin)
		return
	case m.Cancel:
		b.cancel(string(m.ID))
		return
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	j := &hostJob{msg: m, reply: source, origin: origin, ctx: ctx, cancel: cancel}
	b.track(j, true)
	select {
	case b.queue <- *j:
	default:
		b.track(j, false)
		cancel(nil)
		b.post(source, ResultMessage(m.ID, nil, fmt.Errorf("%d runs are waiting already; send the next lab:run after a lab:result", maxQueuedRuns)), origin)
	}
}

// hostJob is a lab:run waiting for its turn, and where to answer it.
type hostJob struct {
	msg    HostMessage
	reply  app.Value
	origin string
	ctx    context.Context // ends when a lab:cancel names the run
	cancel context.CancelCauseFunc
}

// track adds a job to b.jobs, or removes it.
func (b *bridge) track(j *hostJob, add bool) {
	if j.msg.ID == nil {
		return
	}
	key := string(j.msg.ID)
	b.mu.Lock()
	defer b.mu.Unlock()
	if add {
		b.jobs[key] = append(b.jobs[key], j)
		return
	}
	js := b.jobs[key]
	for i, x := range js {
		if x.ctx == j.ctx {
			js = append(js[:i], js[i+1:]...)
			break
		}
	}
	if len(js) == 0 {
		delete(b.jobs, key)
	} else {
		b.jobs[key] = js
	}
}

// cancel stops the runs with the id, waiting or running: each answers
// with its lab:result.
func (b *bridge) cancel(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, j := range b.jobs[id] {
		j.cancel(ErrCancelled)
	}
}

// serve runs the host's requests one at a time, in the order they came.
func (b *bridge) serve() {
	for j := range b.queue {
		var res *workloads.Result
		err := context.Cause(j.ctx)
		if err == nil {
			res, err = b.run(j.ctx, *j.msg.Run)
			if c := context.Cause(j.ctx); c != nil && err != nil {
				err = c
			}
		}
		j.cancel(nil)
		b.track(&j, false)
		b.post(j.reply, ResultMessage(j.msg.ID, res, err), j.origin)
	}
}

func (b *bridge) run(ctx context.Context, req workloads.Request) (res *workloads.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("the lab failed while running %s: %v", req.Workload, p)
		}
	}()
	eng, err := sharedBrowser()
	if err != nil {
		return nil, err
	}
	settleFor(ctx, eng, req)
	return eng.Run(ctx, req, nil)
}

// nonFinite is a number of a host's message that JSON cannot carry.
type nonFinite struct{ path, value string }

// messageJSON returns a message's data as JSON: an object is stringified,
// a string is taken as JSON text. Anything else (a number, an ArrayBuffer,
// an object JSON cannot encode) is not for the lab. The size is checked
// on the JavaScript side, before the text is copied into the program's
// memory (which never shrinks): a host cannot grow it by sending a huge
// message. bad, when set, is the first NaN or ±Infinity in the object
// (which JSON.stringify turns into null).
func messageJSON(data app.Value) (b []byte, bad *nonFinite, ok bool) {
	defer func() {
		if recover() != nil {
			b, bad, ok = nil, nil, false // JSON.stringify threw: a cycle, a BigInt
		}
	}()
	var text app.Value
	switch data.Type() {
	case app.TypeString:
		text = data
	case app.TypeObject:
		text = app.Window().Get("JSON").Call("stringify", data)
		if text.Type() != app.TypeString {
			return nil, nil, false
		}
	default:
		return nil, nil, false
	}
	// length counts UTF-16 units: at least one byte each in UTF-8.
	if n := jsLength(text); n < 0 || n > MaxHostMessage {
		return nil, nil, false
	}
	s := text.String()
	if len(s) > MaxHostMessage {
		return nil, nil, false
	}
	if data.Type() == app.TypeObject {
		bad = findNonFinite(data, "", 0)
	}
	return []byte(s), bad, true
}

// jsLength returns a JavaScript string's length, read in JavaScript
// (syscall/js reads properties of objects only), or -1.
func jsLength(s app.Value) int {
	lengthOnce.Do(func() {
		lengthOf = app.Window().Get("Function").New("s", "return typeof s === 'string' ? s.length : -1;")
	})
	return lengthOf.Invoke(s).Int()
}

var (
	lengthOnce sync.Once
	lengthOf   app.Value
)

// findNonFinite returns the first number in v's own fields (and their
// objects', a few levels down) that is NaN or ±Infinity. v is small: its
// JSON passed the size limit.
func findNonFinite(v app.Value, path string, depth int) *nonFinite {
	if depth > 3 {
		return nil
	}
	keys := app.Window().Get("Object").Call("keys", v)
	for i := range keys.Length() {
		k := keys.Index(i).String()
		f := v.Get(k)
		p := k
		if path != "" {
			p = path + "." + k
		}
		switch f.Type() {
		case app.TypeNumber:
			if x := f.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
				return &nonFinite{p, app.Window().Get("String").Invoke(f).String()}
			}
		case app.TypeObject:
			if bad := findNonFinite(f, p, depth+1); bad != nil {
				return bad
			}
		}
	}
	return nil
}

// post sends msg (JSON) to target as an object.
func (b *bridge) post(target app.Value, msg []byte, origin string) {
	defer func() {
		if p := recover(); p != nil {
			app.Logf("conlab: posting to the host failed: %v", p)
		}
	}()
	v := app.Window().Get("JSON").Call("parse", string(msg))
	target.Call("postMessage", v, origin)
}

// watchHeight posts lab:resize whenever the page's height changes, so the
// host can size its iframe to the lab.
func (b *bridge) watchHeight() {
	defer func() {
		if p := recover(); p != nil {
			app.Logf("conlab: cannot watch the page's height: %v", p)
		}
	}()
	ro := app.Window().Get("ResizeObserver")
	body := app.Window().Get("document").Get("body")
	if !ro.Truthy() || !body.Truthy() {
		return
	}
	observer := ro.New(app.FuncOf(func(this app.Value, args []app.Value) any {
		b.resized(body)
		return nil
	}))
	observer.Call("observe", body)
}

func (b *bridge) resized(body app.Value) {
	defer func() { recover() }()
	h := body.Call("getBoundingClientRect").Get("height").Float()
	if math.IsNaN(h) || h < 0 {
		return
	}
	height := int(math.Ceil(h))
	b.mu.Lock()
	changed := height != b.height
	b.height = height
	b.mu.Unlock()
	if changed {
		b.post(b.host, ResizeMessage(height), "*")
	}
}

// watchOffline posts lab:offline once the static site's service worker
// serves the page (conlabOfflineReady, defined by the site's app.js).
func (b *bridge) watchOffline() {
	defer func() {
		if p := recover(); p != nil {
			app.Logf("conlab: cannot watch the offline cache: %v", p)
		}
	}()
	fn := app.Window().Get("conlabOfflineReady")
	if !fn.Truthy() {
		return
	}
	fn.Invoke().Then(func(app.Value) {
		b.post(b.host, OfflineMessage(), "*")
	})
}
