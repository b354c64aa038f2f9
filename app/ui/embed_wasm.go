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
	b := &bridge{host: host, queue: make(chan hostJob, maxQueuedRuns)}
	go b.serve()
	app.Window().Call("addEventListener", "message", app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) > 0 {
			b.onMessage(args[0])
		}
		return nil
	}))
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
	data, ok := messageJSON(event.Get("data"))
	if !ok {
		return
	}
	m := ParseHostMessage(data)
	switch {
	case m.Ignore:
		return
	case m.Err != nil:
		b.post(source, ResultMessage(m.ID, nil, m.Err), origin)
		return
	}
	select {
	case b.queue <- hostJob{msg: m, reply: source, origin: origin}:
	default:
		b.post(source, ResultMessage(m.ID, nil, fmt.Errorf("%d runs are waiting already; send the next lab:run after a lab:result", maxQueuedRuns)), origin)
	}
}

// hostJob is a lab:run waiting for its turn, and where to answer it.
type hostJob struct {
	msg    HostMessage
	reply  app.Value
	origin string
}

// serve runs the host's requests one at a time, in the order they came.
func (b *bridge) serve() {
	for j := range b.queue {
		res, err := b.run(*j.msg.Run)
		b.post(j.reply, ResultMessage(j.msg.ID, res, err), j.origin)
	}
}

func (b *bridge) run(req workloads.Request) (res *workloads.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("the lab failed while running %s: %v", req.Workload, p)
		}
	}()
	eng, err := sharedBrowser()
	if err != nil {
		return nil, err
	}
	settleFor(context.Background(), eng, req)
	return eng.Run(context.Background(), req, nil)
}

// messageJSON returns a message's data as JSON: an object is stringified,
// a string is taken as JSON text. Anything else (a number, an ArrayBuffer,
// an object JSON cannot encode) is not for the lab.
func messageJSON(data app.Value) (b []byte, ok bool) {
	defer func() {
		if recover() != nil {
			b, ok = nil, false // JSON.stringify threw: a cycle, a BigInt
		}
	}()
	var s string
	switch data.Type() {
	case app.TypeString:
		s = data.String()
	case app.TypeObject:
		v := app.Window().Get("JSON").Call("stringify", data)
		if v.Type() != app.TypeString {
			return nil, false
		}
		s = v.String()
	default:
		return nil, false
	}
	if len(s) > MaxHostMessage {
		return nil, false
	}
	return []byte(s), true
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
