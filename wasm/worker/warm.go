//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"conlab/wasm/internal/jsenv"
	"conlab/wasm/internal/proto"
	"conlab/wasm/internal/settle"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// warm calls each kernel twice with its Quick parameters, and those in
// Long again and again for at least MinMS: the browser first runs a
// function unoptimised, optimises it in the background once it has run a
// while, and a call gets the optimised code only after that. The
// optimised code is this worker's own: every worker warms every kernel.
func (w *worker) warm(m *proto.Warm) {
	t0 := w.clock.Now()
	var errs []string
	ans := &proto.Warmed{ID: m.ID}
	env := w.env(true, safejs.Undefined())
	for _, id := range m.Workloads {
		wl, err := workloads.Lookup(id)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		job, err := workloads.Prepare(workloads.Request{Workload: id, Mode: workloads.Sequential, Workers: 1, Params: wl.Quick})
		if err != nil {
			errs = append(errs, fmt.Sprintf("warming %s: %v", id, err))
			continue
		}
		k := proto.KernelWarm{Workload: id}
		minMS := 0.0
		if slices.Contains(m.Long, id) {
			minMS = m.MinMS
		}
		var k0 int64 // the end of the first call: it compiled the code, slowly
		for k.Runs < 2 || (float64(w.clock.Now()-k0) < minMS*1000 && k.Runs < 100_000) {
			r0 := w.clock.Now()
			res, err := job.Run(context.Background(), workloads.Options{Env: env, Engine: "wasm-worker"})
			d := w.clock.Now() - r0
			if err == nil && !res.Check.OK {
				err = fmt.Errorf("check failed: %s", res.Check.Note)
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("warming %s: %v", id, err))
				break
			}
			if k.Runs == 0 {
				k.FirstUS, k0 = d, w.clock.Now()
			}
			k.LastUS = d
			k.Runs++
		}
		ans.Kernels = append(ans.Kernels, k)
	}
	ans.MS = float64(w.clock.Now()-t0) / 1000
	if m.SettleMS > 0 && errs == nil {
		if err := w.settle(m, ans, env); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if errs != nil {
		ans.Error = clip(strings.Join(errs, "; "))
	}
	post(w.self, ans, nil)
}

// settle repeats a calibration pass, each kernel of m once with its Quick
// parameters, until consecutive rounds agree no sooner than m.SettleMinMS,
// or m.SettleMS passes, and reports it in ans.
func (w *worker) settle(m *proto.Warm, ans *proto.Warmed, env *jsenv.Env) error {
	var jobs []*workloads.Job
	for _, id := range m.Workloads {
		wl, err := workloads.Lookup(id)
		if err != nil {
			return err
		}
		job, err := workloads.Prepare(workloads.Request{Workload: id, Mode: workloads.Sequential, Workers: 1, Params: wl.Quick})
		if err != nil {
			return fmt.Errorf("settling %s: %v", id, err)
		}
		jobs = append(jobs, job)
	}
	if len(jobs) == 0 {
		return nil
	}
	pass := func() error {
		for _, job := range jobs {
			if _, err := job.Run(context.Background(), workloads.Options{Env: env, Engine: "wasm-worker"}); err != nil {
				return fmt.Errorf("settling %s: %v", job.Workload.ID, err)
			}
		}
		return nil
	}
	limit := time.Duration(m.SettleMS * float64(time.Millisecond))
	least := time.Duration(m.SettleMinMS * float64(time.Millisecond))
	rep, err := settle.Until(context.Background(), w.clock.Now, pass, settle.Options{Cap: limit, MinTime: least})
	ans.Settled = rep.Settled
	ans.SettledMS = float64(rep.Took) / float64(time.Millisecond)
	ans.SettlePassNS = rep.PassNS
	return err
}
