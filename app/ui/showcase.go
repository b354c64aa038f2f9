package ui

// After Run all, the timeline shows the run that tells the lesson's story
// rather than whichever run happened to end last (the rounds rotate, so
// that can be a one-lane baseline with nothing to see).

// lessonShowcase lists, for the lessons whose story is not told best by the
// parallel browser mode, the modes whose runs tell it, best first: the
// blocking lesson's stall and the database lesson's lost update happen on
// the one thread of the cooperative mode, where too every lane of the
// download lesson asks for a connection at once (no worker start-up
// between them), so the browser's limit shows plainest; the counter loses
// updates natively, and the deadlock lesson's native run has the Go
// runtime's own verdict beside the watchdog's.
var lessonShowcase = map[string][]Mode{
	"blocking": {modeCooperative},
	"download": {modeCooperative},
	"dbupdate": {modeCooperative, modeNative},
	"counter":  {modeNative},
	"deadlock": {modeNative, modeCooperative},
}

// showcaseModes are the modes tried after a lesson's own: the parallel
// browser mode first, the one-lane modes last.
var showcaseModes = []Mode{modeWorkers, modeCooperative, modeNative, modeMain, modeSequential}

// showcaseRun returns the ID of the run of set, among runs (those with a
// timeline), that the timeline shows after Run all in lesson: the run with
// the most workers of the first mode that has one, the latest of its
// rounds; "" when set has no run in runs.
func showcaseRun(lesson, set string, runs []record) string {
	for _, m := range append(append([]Mode(nil), lessonShowcase[lesson]...), showcaseModes...) {
		var best *record
		for i := range runs {
			r := &runs[i]
			if r.Set != set || r.Mode != m || r.stepped() {
				continue
			}
			if best == nil || r.Result.Workers >= best.Result.Workers {
				best = r
			}
		}
		if best != nil {
			return best.ID
		}
	}
	return ""
}
