//go:build js && wasm

package jsenv

import (
	"context"
	"sync"

	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

// FetchTimed implements workloads.FetchTimer: Fetch, then the request's
// phases from its Resource Timing entry (same-origin, so its fields are
// not zeroed).
func (e *Env) FetchTimed(ctx context.Context, url string) ([]byte, workloads.FetchTiming, error) {
	body, err := Fetch(ctx, e.Base, url)
	if err != nil {
		return nil, workloads.FetchTiming{}, err
	}
	return body, timing(absolute(e.Base, url)), nil
}

// absolute resolves url against base as Fetch does; url itself when it
// cannot.
func absolute(base, url string) string {
	if base == "" {
		return url
	}
	u, err := Get(Global(), "URL")
	if err != nil {
		return url
	}
	parsed, err := u.New(url, base)
	if err != nil {
		return url
	}
	h, err := parsed.Get("href")
	if err != nil {
		return url
	}
	s, err := h.String()
	if err != nil {
		return url
	}
	return s
}

// resourceBuffer is how many Resource Timing entries a global keeps (the
// browser's default, 250, is a few downloads); past resourceClear they are
// cleared, after reading the newest.
const (
	resourceBuffer = 1000
	resourceClear  = 800
)

var bufferOnce sync.Once

// timing returns the phases of the latest request to url on the shared
// clock (µs: performance.timeOrigin + the entry's times), zero where the
// browser does not say. A request on a connection it had to open was sent
// when the connection started; one on a kept connection when it was sent.
func timing(url string) workloads.FetchTiming {
	var tm workloads.FetchTiming
	perf, err := Get(Global(), "performance")
	if err != nil {
		return tm
	}
	bufferOnce.Do(func() { _, _ = perf.Call("setResourceTimingBufferSize", resourceBuffer) })
	list, err := perf.Call("getEntriesByName", url, "resource")
	if err != nil {
		return tm
	}
	n := intOf(list, "length")
	if n <= 0 {
		return tm
	}
	entry, err := list.Index(n - 1)
	if err != nil {
		return tm
	}
	origin := floatOf(perf, "timeOrigin")
	at := func(ms float64) int64 {
		if ms <= 0 {
			return 0
		}
		return int64((origin + ms) * 1000)
	}
	start, request := floatOf(entry, "startTime"), floatOf(entry, "requestStart")
	connStart, connEnd := floatOf(entry, "connectStart"), floatOf(entry, "connectEnd")
	if request >= start {
		sent := request
		if connEnd > connStart && connStart >= start {
			sent = connStart
		}
		tm.Request = at(sent)
	}
	tm.Response = at(floatOf(entry, "responseStart"))
	tm.End = at(floatOf(entry, "responseEnd"))
	if all, err := perf.Call("getEntriesByType", "resource"); err == nil && intOf(all, "length") > resourceClear {
		_, _ = perf.Call("clearResourceTimings")
	}
	return tm
}

func floatOf(v safejs.Value, name string) float64 {
	x, err := Get(v, name)
	if err != nil {
		return 0
	}
	f, err := x.Float()
	if err != nil {
		return 0
	}
	return f
}

func intOf(v safejs.Value, name string) int {
	return int(floatOf(v, name))
}
