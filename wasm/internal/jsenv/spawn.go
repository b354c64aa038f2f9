//go:build js && wasm

package jsenv

import (
	"context"
	"fmt"
	"sync/atomic"

	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// Spawner starts child programs (workloads.ChildMain) as Web Workers
// running worker.js in the child role: the browser's processes. Only the
// page starts them, for itself (Spawn) and for its workers, which ask it
// (see Worker.HostChildren and PageSpawner). A nil Spawner, or one
// without a Script, cannot start any (ErrNoSpawn).
type Spawner struct {
	// Script is the URL of worker.js.
	Script string
	// Base is the URL relative fetches resolve against.
	Base string
	// Module returns the compiled worker module to share with a child.
	Module func(ctx context.Context) (safejs.Value, error)
}

var childIDs atomic.Int64

// newChildID returns a child id, unique in this page.
func newChildID() int { return int(childIDs.Add(1)) }

// Spawn implements workloads.Spawner: a child of the page. A Fresh child
// compiles worker.wasm itself instead of instantiating the shared module.
func (s *Spawner) Spawn(ctx context.Context, opt workloads.SpawnOptions) (workloads.Child, error) {
	if s == nil || s.Script == "" {
		return nil, workloads.ErrNoSpawn
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	module, err := s.module(ctx, opt.Fresh)
	if err != nil {
		return nil, err
	}
	// The child's failures arrive in JavaScript callbacks, which run
	// only once this goroutine waits, after c is set.
	var c *child
	w, port, err := s.start(newChildID(), module, opt.Args, func(err error) { c.failed(err) })
	if err != nil {
		return nil, err
	}
	if c, err = linkChild(ctx, port, w.Terminate); err != nil {
		return nil, err
	}
	return c, nil
}

// module returns the compiled module a child instantiates, or undefined
// for a fresh child, which compiles its own.
func (s *Spawner) module(ctx context.Context, fresh bool) (safejs.Value, error) {
	if fresh {
		return safejs.Undefined(), nil
	}
	if s.Module == nil {
		return safejs.Undefined(), fmt.Errorf("%w: no compiled module to share", workloads.ErrNoSpawn)
	}
	m, err := s.Module(ctx)
	if err != nil {
		return safejs.Undefined(), fmt.Errorf("spawn: %w", err)
	}
	return m, nil
}

// start starts child id's Web Worker running ChildMain(args), linked to
// its parent by a MessageChannel: the child gets one port in its boot
// message and posts its output and exit there; start returns the other,
// the parent's. failed receives the Web Worker's own failures, which
// only its holder hears.
func (s *Spawner) start(id int, module safejs.Value, args []string, failed func(error)) (w *Worker, port safejs.Value, err error) {
	port = safejs.Undefined()
	mc, err := Get(Global(), "MessageChannel")
	if err != nil || mc.Type() != safejs.TypeFunction {
		return nil, port, fmt.Errorf("%w: this browser has no MessageChannel", workloads.ErrNoSpawn)
	}
	ch, err := mc.New()
	if err != nil {
		return nil, port, fmt.Errorf("spawn: new MessageChannel: %w", err)
	}
	mine, err := ch.Get("port1")
	if err != nil {
		return nil, port, fmt.Errorf("spawn: %w", err)
	}
	theirs, err := ch.Get("port2")
	if err != nil {
		return nil, port, fmt.Errorf("spawn: %w", err)
	}
	w, err = StartWorker(s.Script, func(m *Message, err error) {
		switch {
		case err != nil:
			failed(err)
		case m.Kind == proto.KError:
			failed(fmt.Errorf("it refused its boot: %s", m.Body.(*proto.Error).Error))
		default:
			failed(fmt.Errorf("it sent the page an unexpected %s message", m.Kind))
		}
	})
	if err != nil {
		return nil, port, fmt.Errorf("spawn: %w", err)
	}
	boot := &proto.Boot{Worker: id, Base: s.Base, Role: proto.RoleChild, Args: append([]string{}, args...)}
	extra := map[string]safejs.Value{"port": theirs}
	if !module.IsUndefined() {
		extra["module"] = module
	}
	if err := w.Post(boot, nil, extra); err != nil {
		w.Terminate()
		return nil, port, fmt.Errorf("spawn: %w", err)
	}
	return w, mine, nil
}
