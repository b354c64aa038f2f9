//go:build js && wasm

package jsenv

import "conlab/workloads"

// CountDone makes the instances of job's plan call done after each task
// they finish, so a run inside one instance can report "task k of n" as
// it goes. Instances that report a Final keep reporting it.
func CountDone(job *workloads.Job, done func()) {
	plan := *job.Plan
	inner := plan.New
	plan.New = func() workloads.Instance {
		in := inner()
		c := counted{in: in, done: done}
		if f, ok := in.(workloads.Finisher); ok {
			return countedFinisher{c, f}
		}
		return c
	}
	job.Plan = &plan
}

type counted struct {
	in   workloads.Instance
	done func()
}

func (c counted) Run(t *workloads.T, i int) (uint64, error) {
	defer c.done()
	return c.in.Run(t, i)
}

type countedFinisher struct {
	counted
	f workloads.Finisher
}

func (c countedFinisher) Final() uint64 { return c.f.Final() }

// Watch passes on the shared values of a Watcher: a step-by-step run
// shows them after every step ("" for an instance that says nothing).
func (c counted) Watch() string {
	if w, ok := c.in.(workloads.Watcher); ok {
		return w.Watch()
	}
	return ""
}
