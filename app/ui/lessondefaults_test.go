package ui

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"conlab/workloads"
)

// The semaphore's default view compares more lanes than permits, so the
// limit binds in it; its link stays short, and other lessons keep the
// common defaults.
func TestSemaphoreDefaultViewBinds(t *testing.T) {
	q, _ := url.ParseQuery("workload=semaphore")
	v, probs := ParseView(q)
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	w, err := workloads.Lookup("semaphore")
	if err != nil {
		t.Fatal(err)
	}
	var limit int64
	for _, p := range w.Params {
		if p.Name == "limit" {
			limit = p.Default.(int64)
		}
	}
	if slices.Max(v.Workers) <= int(limit) {
		t.Errorf("default worker counts %v never exceed the %d permits", v.Workers, limit)
	}
	binds := false
	for _, s := range planAll(w, v.Modes, v.Workers, true) {
		binds = binds || s.Workers > int(limit)
	}
	if !binds {
		t.Errorf("no run of the default view has more lanes than the %d permits", limit)
	}
	if got := v.Encode(); strings.Contains(got, "workers=") {
		t.Errorf("default view encodes its worker counts: %q", got)
	}
	if got := lessonHref("semaphore"); got != "?workload=semaphore" {
		t.Errorf("lesson link %q", got)
	}
	q, _ = url.ParseQuery("workload=countdown")
	if v, _ := ParseView(q); !slices.Equal(v.Workers, defaultWorkers) {
		t.Errorf("countdown workers %v", v.Workers)
	}
}

// The download lesson's default view has more lanes than the browser's
// six connections to one server, so its timeline shows requests queued.
func TestDownloadDefaultViewQueues(t *testing.T) {
	q, _ := url.ParseQuery("workload=download")
	v, _ := ParseView(q)
	w, err := workloads.Lookup("download")
	if err != nil {
		t.Fatal(err)
	}
	queues := false
	for _, s := range planAll(w, v.Modes, v.Workers, true) {
		queues = queues || (s.Mode == modeWorkers || s.Mode == modeCooperative) && s.Workers > 6
	}
	if !queues {
		t.Errorf("no browser run of the default view (workers %v) has more lanes than six connections", v.Workers)
	}
	if got := lessonHref("download"); got != "?workload=download" {
		t.Errorf("lesson link %q", got)
	}
}

// A main-thread run of the responsive lesson counts for about two seconds,
// long enough to feel the freeze; its other modes, a time limit the
// student chose and every other lesson keep their parameters.
func TestResponsiveMainRunFreezesLongEnough(t *testing.T) {
	w, err := workloads.Lookup("responsive")
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]any{"count": int64(300_000_000), "duration": int64(0)}
	got := runParams(w, modeMain, defaults)
	if got["duration"] != int64(freezeMS) || got["count"] != w.Param("count").Max {
		t.Errorf("main-thread run: %v", got)
	}
	if defaults["duration"] != int64(0) {
		t.Error("the form's parameters were changed")
	}
	if _, err := w.Args(got); err != nil {
		t.Errorf("the main-thread parameters are invalid: %v", err)
	}
	for _, m := range []Mode{modeSequential, modeCooperative, modeWorkers, modeNative} {
		if p := runParams(w, m, defaults); p["duration"] != int64(0) {
			t.Errorf("%s run: %v", m, p)
		}
	}
	own := map[string]any{"count": int64(1000), "duration": int64(500)}
	if p := runParams(w, modeMain, own); p["duration"] != int64(500) || p["count"] != int64(1000) {
		t.Errorf("the student's time limit was replaced: %v", p)
	}
	countdown, _ := workloads.Lookup("countdown")
	if p := runParams(countdown, modeMain, map[string]any{"count": int64(5)}); len(p) != 1 {
		t.Errorf("countdown: %v", p)
	}
	mustContain(t, mainRunNote(w, defaults), "2 s", "type in the box")
	if n := mainRunNote(w, own); n != "" {
		t.Errorf("note with the student's own limit: %q", n)
	}
	l := newTestLab(t, "/?workload=responsive")
	mustContain(t, render(l.modeFieldset()), "long enough to feel the freeze")
}
