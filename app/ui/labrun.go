package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conlab/wasm"
	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// runAll starts every chosen mode at every chosen worker count.
func (l *lab) runAll(ctx app.Context) {
	if why := l.blockers(); len(why) > 0 {
		l.setStatus("error", "Cannot run: "+joinAnd(why)+".")
		return
	}
	l.start(ctx, planRounds(planAll(l.w, l.view.Modes, l.view.Workers, l.native.Source == nativeLive), l.view.rounds()))
}

// runOne starts the single run chosen beside the Run button.
func (l *lab) runOne(ctx app.Context) {
	if l.w == nil || !formValid(l.fields) {
		l.setStatus("error", "Cannot run: fix the parameters marked above.")
		return
	}
	if ok, why := supportsMode(l.w, l.runMode); !ok {
		l.setStatus("error", fmt.Sprintf("Cannot run in %s mode: %s", modeLabel(l.runMode), why))
		return
	}
	if l.runMode == modeNative && l.native.Source != nativeLive {
		l.setStatus("error", "Native runs need the page to be served by conlab serve.")
		return
	}
	l.start(ctx, []runSpec{planOne(l.runMode, l.runN)})
}

// cancelRun stops the runs in progress: the browser pool terminates the
// workers running them, a native run's request is abandoned.
func (l *lab) cancelRun() {
	if l.cancel != nil {
		l.cancel()
		l.setStatus("busy", "Cancelling…")
	}
}

// start runs specs one after another (runs in parallel would share the
// cores and spoil each other's timing) on a goroutine of its own: the UI
// goroutine only ever records what happened.
func (l *lab) start(ctx app.Context, specs []runSpec) {
	if l.running || len(specs) == 0 {
		return
	}
	params, ok := formParams(l.fields)
	if !ok {
		l.setStatus("error", "Cannot run: fix the parameters marked above.")
		return
	}
	rctx, cancel := context.WithCancel(context.Background())
	l.runID++
	id := l.runID
	set := fmt.Sprintf("%d-%d", time.Now().UnixMilli(), id)
	l.running, l.cancel, l.errs = true, cancel, nil
	l.runPrediction = l.predicted(set)
	br, nc, w, wid := l.browser, l.nclient, l.w, l.w.ID
	browserErr := l.browserErr
	if br == nil && browserErr == "" {
		browserErr = "the browser engine is still starting"
	}
	ua := browserName(l.facts.UserAgent, l.facts.Brands...)
	if l.settler == nil {
		l.settler = &settler{}
	}
	st := l.settler
	st.wantParallelism(min(max(l.facts.Cores, 2), 8))
	lanes := -1 // the workers the runs use at once; -1: no browser run
	var sreq workloads.Request
	for _, s := range specs {
		if s.Mode != modeNative {
			if lanes < 0 {
				sreq = s.request(wid, params)
			}
			lanes = max(lanes, specLanes(s))
		}
	}
	ctx.Async(func() {
		began := time.Now()
		if br != nil && lanes >= 0 {
			// No timed run while the browser is still busy starting.
			cals, err := st.settle(rctx, br, sreq, lanes, func(msg string) {
				ctx.Dispatch(func(ctx app.Context) {
					if id == l.runID {
						l.setStatus("busy", msg)
					}
				})
			})
			par, k := st.measured()
			ctx.Dispatch(func(ctx app.Context) {
				l.settled = append(l.settled, cals...)
				l.parallel, l.parK = par, k
				if err != nil && rctx.Err() == nil {
					l.errs = append(l.errs, "Timings could not be calibrated before the run ("+err.Error()+"); the first runs may be slow.")
				}
			})
		}
		done, failed, errored := 0, 0, 0
		cannot := map[string]bool{} // configurations that could not start
		for i, s := range specs {
			if rctx.Err() != nil {
				break
			}
			if cannot[s.config()] {
				continue // its later rounds could not start either
			}
			label := fmt.Sprintf("%s (%d of %d)", s.label(), i+1, len(specs))
			live := newLiveRun()
			drawn := make(chan struct{})
			ctx.Dispatch(func(ctx app.Context) {
				ctx.Defer(func(app.Context) { close(drawn) })
				if id != l.runID {
					return
				}
				l.live = liveView{Label: label, Lanes: lanesOf(s)}
				msg := "Running " + label + "…"
				if s.Mode == modeMain {
					msg = "Running " + label + " on the page's own thread: the page freezes until it ends."
				}
				l.setStatus("busy", msg)
			})
			// The page draws the last run's results and this run's
			// status before this run starts, not during it: a workers
			// run's lanes take their next tasks from the page's thread.
			pageFrames.awaitDrawn(rctx, drawn)
			stop := l.tickLive(ctx, live, id, label, lanesOf(s))
			frameWin := pageFrames.start()
			res, err := execSpec(rctx, s, wid, runParams(w, s.Mode, params), br, browserErr, nc, live.update)
			frames := frameWin()
			stop()
			if rctx.Err() != nil && errors.Is(err, context.Canceled) {
				break
			}
			done++
			switch {
			case res != nil && (res.Error != "" || err != nil):
				errored++ // a deadlock or a timeout: a result, and a lesson
			case err != nil:
				failed++
				cannot[s.config()] = res == nil
			}
			ctx.Dispatch(func(ctx app.Context) { l.nextFrames = frames; l.record(ctx, s, set, res, err, ua) })
		}
		cancelled := rctx.Err() != nil
		cancel()
		took := time.Since(began)
		ctx.Dispatch(func(ctx app.Context) {
			if id != l.runID {
				return
			}
			l.running, l.cancel = false, nil
			l.sets++
			if shown := showcaseRun(wid, set, l.timelineRuns()); shown != "" {
				l.shown = shown
			}
			l.live = liveView{}
			if l.browser != nil {
				l.stats = l.browser.Stats()
			}
			switch {
			case cancelled:
				l.setStatus("info", fmt.Sprintf("Cancelled after %d of %s.", done, count(len(specs), "run")))
			case failed > 0:
				l.setStatus("error", fmt.Sprintf("Done: %s in %.1f s; %d could not run (see below).", count(done, "run"), took.Seconds(), failed))
			case errored > 0:
				l.setStatus("ok", fmt.Sprintf("Done: %s in %.1f s; %s (see the table and the timeline).", count(done, "run"), took.Seconds(), endedWithError(l.w.ID, errored)))
			default:
				l.setStatus("ok", fmt.Sprintf("Done: %s in %.1f s.", count(done, "run"), took.Seconds()))
			}
			ctx.Defer(func(ctx app.Context) {
				if l.measure() {
					ctx.Update()
				}
			})
		})
	})
}

// lanesOf is the number of lanes a run uses.
func lanesOf(s runSpec) int {
	if s.Mode == modeSequential || (s.Mode == modeNative && s.Native == workloads.Sequential) {
		return 1
	}
	return s.Workers
}

// tickLive shows the live run's progress ten times a second until stop is
// called.
func (l *lab) tickLive(ctx app.Context, live *liveRun, id int, label string, lanes int) (stop func()) {
	done := make(chan struct{})
	ctx.Async(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		seen := -1
		for {
			select {
			case <-done:
				return
			case <-t.C:
				snap := live.snapshot()
				if snap.Version == seen {
					continue
				}
				seen = snap.Version
				snap.Label, snap.Lanes = label, lanes
				l.showLive(ctx, func() {
					if id == l.runID && l.running {
						l.live = snap
					}
				})
			}
		}
	})
	return func() { close(done) }
}

// execSpec runs one spec on its engine.
func execSpec(ctx context.Context, s runSpec, workload string, params map[string]any, br Browser, browserErr string, nc *nativeClient, progress func(wasm.Progress)) (*workloads.Result, error) {
	req := s.request(workload, params)
	if s.Mode == modeNative {
		if nc == nil {
			return nil, errors.New("no native server")
		}
		return nc.run(ctx, req)
	}
	if br == nil {
		return nil, errors.New(browserErr)
	}
	return br.Run(ctx, req, progress)
}

// record adds a finished run to the results; a run that could not start
// (no result) is listed under the status line instead.
func (l *lab) record(ctx app.Context, s runSpec, set string, res *workloads.Result, err error, browser string) {
	if res == nil {
		msg := "unknown error"
		if err != nil {
			msg = err.Error()
		}
		l.errs = append(l.errs, s.label()+": "+msg)
		return
	}
	r := *res
	if err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	mode := uiModeOf(&r)
	if s.Mode != modeNative && r.Facts.Browser == "" {
		r.Facts.Browser = browser
	}
	l.seq++
	rec := record{ID: fmt.Sprintf("%d-%d", time.Now().UnixMilli(), l.seq), At: time.Now(), Mode: mode, Result: r, Set: set, Round: s.Round, Rounds: s.Rounds, Frames: l.nextFrames, Prediction: l.runPrediction}
	l.nextFrames = nil
	l.spans[rec.ID] = r.Spans
	rec.Result.Spans = nil
	l.keep(ctx, rec)
	l.shown = rec.ID
}

// keep adds rec to the results, drops the oldest beyond maxRecords, and
// saves them.
func (l *lab) keep(ctx app.Context, rec record) {
	l.recs = append(l.recs, rec)
	if len(l.recs) > maxRecords {
		drop := l.recs[:len(l.recs)-maxRecords]
		for _, d := range drop {
			delete(l.spans, d.ID)
		}
		l.recs = append([]record(nil), l.recs[len(drop):]...)
	}
	l.saveRecords(ctx)
}

// joinAnd joins phrases with commas and a final "and".
func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := ""
	for i, p := range s {
		switch {
		case i == 0:
		case i == len(s)-1:
			out += " and "
		default:
			out += ", "
		}
		out += p
	}
	return out
}
