package ui

import (
	"fmt"
	"slices"

	"conlab/workloads"
)

// chartCache keeps the charts' data and drawings of the results already
// on the page from one render of the lab to the next: the lab renders at
// every click, and building the charts from the results is most of a
// render. An entry serves a render only when every input that shapes it
// is the same (chartKey): the same results, the same recorded baseline,
// lesson, parameters, core counts and native machine; a drawing also
// needs the same width. A new or removed result, another setting or
// another width draws afresh. The zero value is empty and ready.
type chartCache struct {
	entries map[chartKey]*chartEntry
}

// maxChartEntries bounds the cache: the page shows one lesson's charts
// (and asks the data without the baseline for the ideal line), so old
// entries are never asked again.
const maxChartEntries = 8

// chartKey is what a chart's data is built from. The results count by
// identity: the lab only ever appends a result to its slice or replaces
// the slice, never changes one in place, so the same first element,
// length and newest result are the same results (go-app compares a
// slice field by its array and length too).
type chartKey struct {
	recs      *record
	nrecs     int
	newest    string // the newest result's ID
	recorded  *workloads.Result
	nrecorded int
	workload  string
	params    string // fmt prints a map sorted by key
	cores     int    // l.cores(): measured, else reported
	poolSize  int
	reported  int    // the cores the browser reports
	native    string // where recorded native figures come from
}

type chartEntry struct {
	d   chartData
	svg map[string]string // drawings by chart, id and width
}

func sliceKey[T any](s []T) (*T, int) {
	if len(s) == 0 {
		return nil, 0
	}
	return &s[0], len(s)
}

// data returns the entry for key, building its data with build when there
// is none.
func (c *chartCache) data(key chartKey, build func() chartData) *chartEntry {
	if e, ok := c.entries[key]; ok {
		return e
	}
	if c.entries == nil || len(c.entries) >= maxChartEntries {
		c.entries = map[chartKey]*chartEntry{}
	}
	e := &chartEntry{d: build(), svg: map[string]string{}}
	c.entries[key] = e
	return e
}

// drawing returns the entry's drawing named by kind, id and width, drawn
// with draw the first time.
func (e *chartEntry) drawing(kind, id string, width float64, draw func(id string, d chartData, width float64) string) string {
	k := fmt.Sprintf("%s|%s|%g", kind, id, width)
	if s, ok := e.svg[k]; ok {
		return s
	}
	s := draw(id, e.d, width)
	e.svg[k] = s
	return s
}

// chartsKey is the key of the charts' data for params, with the recorded
// native results or without.
func (l *lab) chartsKey(recorded []workloads.Result, params map[string]any) chartKey {
	k := chartKey{workload: l.w.ID, params: fmt.Sprint(params), cores: l.cores(), poolSize: l.stats.Size, reported: l.facts.Cores}
	k.recs, k.nrecs = sliceKey(l.recs)
	if n := len(l.recs); n > 0 {
		k.newest = l.recs[n-1].ID
	}
	k.recorded, k.nrecorded = sliceKey(recorded)
	if len(recorded) > 0 {
		k.native = orUnknown(l.native.Date) + "|" + l.native.Machine.String()
	}
	return k
}

// chartsData is the charts' data for params (chartsSection): the speed-up
// data, the lesson's bound, and where recorded figures come from.
func (l *lab) chartsData(recorded []workloads.Result, params map[string]any) *chartEntry {
	return l.charts.data(l.chartsKey(recorded, params), func() chartData {
		d := l.speedupData(recorded, params)
		d.Limit = lessonBound(l.w.ID, params)
		for k, sl := range d.Slots {
			if sl.Source == sourceRecorded {
				sl.Source = fmt.Sprintf("recorded on %s (%s), not live", orUnknown(l.native.Date), l.native.Machine.String())
				d.Slots[k] = sl
			}
		}
		return d
	})
}

// recordedFor is the recorded native results the charts show: those of
// the shipped baseline when the page has no server and native is chosen.
func (l *lab) recordedFor() []workloads.Result {
	if l.native.Source == nativeRecorded && slices.Contains(l.view.Modes, modeNative) {
		return l.native.Results
	}
	return nil
}
