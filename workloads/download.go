package workloads

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

func init() {
	Register(&Workload{
		ID:    "download",
		Title: "Download: many requests in flight at once",
		Kind:  IO,
		Summary: "Fetch many small pages over HTTP. Each request mostly waits for the server, so a loop " +
			"that fetches one page after another spends nearly all its time waiting; lanes that fetch " +
			"concurrently overlap the waits, and the run takes about the total divided by the number of " +
			"lanes. Like Python's threads (a ThreadPoolExecutor with 20 workers) or asyncio, goroutines " +
			"overlap them even on one thread (cooperative mode). But the browser opens at most about six " +
			"connections to one server at a time: beyond six lanes the requests queue, exactly as a pool's " +
			"max_workers limits it. The timeline shows it: in the browser a request held in its queue is " +
			"drawn blocked (waiting for a connection another request holds), and never more than about six " +
			"are on the wire at once. " +
			"Every URL is unique, so the browser cannot merge or cache requests, and each page's body " +
			"carries its number, which the check adds up.",
		Mapping: "`urllib.request.urlopen(url).read()` is t.Fetch; `ThreadPoolExecutor(max_workers=N).map` " +
			"is the goroutines mode with N lanes; the plain loop is the sequential mode. In the browser a " +
			"fetch is the browser's own fetch(), so its connection limit applies.",
		Params: []Param{
			IntParam("pages", "Pages", "pages", 30, 1, DownloadPages,
				"How many pages to fetch, each with its own URL."),
			IntParam("delay", "Server delay", "ms", 200, 0, MaxDelayMS,
				"How long the lab's server waits before answering each page (source api only)."),
			ChoiceParam("source", "Source", []string{"api", "static"},
				"api: the lab's server answers each page after the delay (conlab serve). "+
					"static: the page files shipped with the site, answered at once by any static server."),
		},
		Python: downloadPython,
		Source: downloadSource,
		Quick:  map[string]any{"pages": 3, "delay": 1},
		Plan:   planDownload,
		Cost:   waits,
	})
}

func planDownload(a Args, n int) (*Plan, error) {
	pages, delay, source := int(a.Int("pages")), int(a.Int("delay")), a.String("source")
	labels := make([]string, pages)
	for i := range labels {
		labels[i] = fmt.Sprintf("page %d", i)
	}
	return &Plan{
		Tasks: labels,
		New: func() Instance {
			// A tag of this run (and this memory) makes every URL unique.
			return downloadInstance{source: source, delay: delay, run: strconv.FormatUint(rand.Uint64(), 36)}
		},
		Combine: func(o Outputs) Check {
			// Task i answers i+1, so a page missing or answered twice
			// changes the sum.
			want := uint64(pages) * uint64(pages+1) / 2
			return equalCheck(sum(o.Values), want, fmt.Sprintf("all %d pages arrived, each with its own content", pages))
		},
	}, nil
}

type downloadInstance struct {
	source string
	delay  int
	run    string
}

// url is page i's unique address.
func (d downloadInstance) url(i int) string {
	if d.source == "static" {
		return DownloadFile(i) + "?run=" + d.run
	}
	return DelayURL(d.delay, i, d.run)
}

// Run fetches page i and checks that its body is page i.
func (d downloadInstance) Run(t *T, i int) (uint64, error) {
	// The API answers after the delay; a static file at once.
	wait := time.Duration(0)
	if d.source != "static" {
		wait = time.Duration(d.delay) * time.Millisecond
	}
	body, err := t.FetchQueued(d.url(i), wait)
	if err != nil {
		return 0, err
	}
	id, err := ParsePage(body)
	if err != nil {
		return 0, fmt.Errorf("page %d: %w", i, err)
	}
	if id != i {
		return 0, fmt.Errorf("page %d: the server answered page %d", i, id)
	}
	return uint64(id + 1), nil
}
