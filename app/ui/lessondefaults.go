package ui

import (
	"fmt"
	"maps"
	"slices"

	"conlab/app/charts"
	"conlab/workloads"
)

// lessonWorkers are the worker counts a lesson's default view compares
// when they differ from defaultWorkers: the semaphore of K = 3 binds only
// with more lanes than permits, and the browser's limit of about six
// connections to one server shows only with more lanes than that, so
// their views go up to 8.
var lessonWorkers = map[string][]int{
	"semaphore": {1, 2, 4, 8},
	"download":  {1, 2, 4, 8},
}

// defaultWorkersOf returns the worker counts lesson id compares when the
// URL names none.
func defaultWorkersOf(id string) []int {
	if ns, ok := lessonWorkers[id]; ok {
		return slices.Clone(ns)
	}
	return slices.Clone(defaultWorkers)
}

// freezeMS is how long a main-thread run of the responsive lesson counts
// when the student set no time limit: about two seconds, long enough to
// feel the page freeze (the meter stops, typed keys wait) and short
// enough not to alarm. The other modes keep the lesson's own defaults, so
// their runs stay short.
const freezeMS = 2000

// runParams returns the parameters a run in mode m uses: params, except
// that a main-thread run of the responsive lesson without a time limit
// counts for freezeMS (the count raised to its maximum, so the limit is
// what ends it). The result carries the parameters it ran with, so its
// row says so.
func runParams(w *workloads.Workload, m Mode, params map[string]any) map[string]any {
	if w == nil || w.ID != "responsive" || m != modeMain {
		return params
	}
	if d, ok := number(params["duration"]); !ok || d != 0 {
		return params
	}
	out := maps.Clone(params)
	out["duration"] = int64(freezeMS)
	if p := w.Param("count"); p != nil {
		out["count"] = p.Max
	}
	return out
}

// mainRunNote says, beside the main-thread mode, how long its run takes
// where runParams changes it; "" elsewhere.
func mainRunNote(w *workloads.Workload, params map[string]any) string {
	if p := runParams(w, modeMain, params); p["duration"] != params["duration"] {
		return fmt.Sprintf("Here it counts for %s (a time limit of %s ms), long enough to feel the freeze: type in the box while it runs.", charts.FormatMicros(freezeMS*1000), workloads.GroupDigits(freezeMS))
	}
	return ""
}
