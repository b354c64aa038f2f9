//go:build js && wasm

package jsenv

import (
	"context"
	"sync"

	"github.com/hack-pad/safejs"
)

// FetchTimed implements workloads.FetchTimer: Fetch, then the moment the
// request went on the wire, from its Resource Timing entry (same-origin,
// so its fields are not zeroed). The request waited in the browser's
// queue from fetch() to then.
func (e *Env) FetchTimed(ctx context.Context, url string) ([]byte, int64, error) {
	body, err := Fetch(ctx, e.Base, url)
	if err != nil {
		return nil, 0, err
	}
	return body, wireStart(absolute(e.Base, url)), nil
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

// wireStart returns when the latest request to url went on the wire, on
// the shared clock (µs: performance.timeOrigin + the entry's time), or 0
// when the browser does not say. A request on a connection it had to open
// went on the wire when the connection started; one on a kept connection
// when it was sent.
func wireStart(url string) int64 {
	perf, err := Get(Global(), "performance")
	if err != nil {
		return 0
	}
	bufferOnce.Do(func() { _, _ = perf.Call("setResourceTimingBufferSize", resourceBuffer) })
	list, err := perf.Call("getEntriesByName", url, "resource")
	if err != nil {
		return 0
	}
	n := intOf(list, "length")
	if n <= 0 {
		return 0
	}
	entry, err := list.Index(n - 1)
	if err != nil {
		return 0
	}
	start, request := floatOf(entry, "startTime"), floatOf(entry, "requestStart")
	connStart, connEnd := floatOf(entry, "connectStart"), floatOf(entry, "connectEnd")
	if request <= 0 || request < start {
		return 0
	}
	wire := request
	if connEnd > connStart && connStart >= start {
		wire = connStart
	}
	origin := floatOf(perf, "timeOrigin")
	if all, err := perf.Call("getEntriesByType", "resource"); err == nil && intOf(all, "length") > resourceClear {
		_, _ = perf.Call("clearResourceTimings")
	}
	return int64((origin + wire) * 1000)
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
