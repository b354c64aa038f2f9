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
