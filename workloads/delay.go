package workloads

import (
	"fmt"
	"strconv"
	"strings"
)

// The download workload fetches small pages, each with its id in its body,
// from one of two sources:
//
//   - the lab's server: /api/delay?ms=D&id=I&run=R answers after D ms
//     (see DelayHandler), so the wait is a real network wait;
//   - files shipped with a static site: web/data/page-III.txt?run=R, a
//     path relative to the lab's root (where its index.html is), so a site
//     published under any sub-path serves them. There is no delay: the
//     wait is whatever the network and the browser take.
//
// R is unique per run, so the browser neither merges nor caches requests.

// MaxDelayMS bounds the delay the delay endpoint accepts.
const MaxDelayMS = 5000

// MaxPageID bounds the page ids the delay endpoint accepts.
const MaxPageID = 999_999

// DownloadPages is the number of page files a static site ships for the
// download workload: ids 0 to DownloadPages-1, the most one run fetches.
const DownloadPages = 200

// maxRunTag bounds the length of the run= cache-buster.
const maxRunTag = 64

// PageBody is the body of page id, served by the delay endpoint and by the
// static page files alike.
func PageBody(id int) []byte {
	return fmt.Appendf(nil, "conlab download page %d\n", id)
}

// ParsePage returns the id of a page body made by PageBody.
func ParsePage(body []byte) (int, error) {
	s, ok := strings.CutPrefix(string(body), "conlab download page ")
	if !ok {
		return 0, fmt.Errorf("not a conlab page: %q", clipText(string(body), 40))
	}
	s, _, _ = strings.Cut(s, "\n")
	id, err := strconv.Atoi(s)
	if err != nil || id < 0 {
		return 0, fmt.Errorf("not a conlab page: bad id %q", clipText(s, 20))
	}
	return id, nil
}

// DownloadFile is the path, relative to the site's root, of the static
// file holding page id.
func DownloadFile(id int) string { return fmt.Sprintf("web/data/page-%03d.txt", id) }

// DownloadFiles returns every file a static site must ship for the
// download workload, keyed by path relative to the site's root.
func DownloadFiles() map[string][]byte {
	m := make(map[string][]byte, DownloadPages)
	for id := range DownloadPages {
		m[DownloadFile(id)] = PageBody(id)
	}
	return m
}

// DelayURL is the delay endpoint's URL for page id after ms milliseconds;
// run makes it unique.
func DelayURL(ms, id int, run string) string {
	return fmt.Sprintf("/api/delay?ms=%d&id=%d&run=%s", ms, id, queryEscape(run))
}

// queryEscape is url.QueryEscape, written out because net/url brings
// net/netip and its start-up work into every worker that only needs this.
func queryEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(s) {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// ParseDelayQuery validates the delay endpoint's query: ms from 0 to
// MaxDelayMS, id from 0 to MaxPageID, both required; run, optional, at
// most 64 characters. Other keys are ignored. Errors are *ParamError
// naming the key.
func ParseDelayQuery(q map[string][]string) (ms, id int, err error) {
	num := func(key string, hi int) (int, error) {
		vs, ok := q[key]
		if !ok || len(vs) != 1 {
			return 0, &ParamError{Field: key, Msg: fmt.Sprintf("%s: exactly one value is required; allowed: a whole number from 0 to %d", key, hi)}
		}
		n, err := strconv.Atoi(vs[0])
		if err != nil || n < 0 || n > hi {
			return 0, &ParamError{Field: key, Msg: fmt.Sprintf("%s: %q is not allowed; allowed: a whole number from 0 to %d", key, clipText(vs[0], 20), hi)}
		}
		return n, nil
	}
	if ms, err = num("ms", MaxDelayMS); err != nil {
		return 0, 0, err
	}
	if id, err = num("id", MaxPageID); err != nil {
		return 0, 0, err
	}
	if r := q["run"]; len(r) > 0 && len(r[0]) > maxRunTag {
		return 0, 0, &ParamError{Field: "run", Msg: fmt.Sprintf("run: longer than %d characters", maxRunTag)}
	}
	return ms, id, nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
