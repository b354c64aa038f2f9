//go:build !wasm

package site

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"conlab/workloads"
)

// appPatch is appended to go-app's app.js: its function declarations
// replace go-app's of the same name (the last declaration of a script
// wins), so go-app's file needs no fragile text surgery.
//
//go:embed apppatch.js
var appPatch string

// rootToken stands for the site's root path in go-app's environment; the
// page replaces it at run time (see apppatch.js).
const rootToken = "${root}"

// attrURL matches an attribute value go-app resolved with the placeholder
// prefix.
var attrURL = regexp.MustCompile(`(href|src|content)="` + regexp.QuoteMeta(placeholder) + `([^"]*)"`)

// ogMeta matches the Open Graph tags go-app makes absolute with a domain
// the build does not know ("https:///..."): a link preview needs the
// site's public address, so they are dropped rather than left wrong.
var ogMeta = regexp.MustCompile(`(?m)^[ \t]*<meta[^>\n]*content="https:///[^"]*"[^>\n]*>[ \t]*\n?`)

// relative turns what go-app made of a location with the placeholder
// prefix back into a URL relative to the site's root: "/web/x" becomes
// "web/x", "/" becomes "./", and queries and fragments ("?workload=x",
// "#main"), relative already, stay as written.
func relative(rest string) string {
	rest = strings.TrimPrefix(rest, "/")
	if rest == "" {
		return "./"
	}
	return rest
}

// rewriteHTML makes index.html's URLs relative to the site's root. The
// Open Graph tags are dropped, or with keepOG kept as "https:///PATH".
func rewriteHTML(b []byte, keepOG bool) ([]byte, error) {
	b = sortAttrs(b)
	if keepOG {
		b = ogMeta.ReplaceAllFunc(b, func(m []byte) []byte {
			return bytes.ReplaceAll(m, []byte(placeholder), nil)
		})
	} else {
		b = ogMeta.ReplaceAll(b, nil)
	}
	b = attrURL.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := attrURL.FindSubmatch(m)
		url := relative(string(sub[2]))
		// The page loads the toolchain's wasm_exec.js, the one the workers
		// load, not go-app's copy.
		if url == "wasm_exec.js" {
			url = "web/wasm_exec.js"
		}
		return fmt.Appendf(nil, `%s="%s"`, sub[1], url)
	})
	if bytes.Contains(b, []byte(placeholder)) {
		return nil, errors.New("site: index.html still holds an absolute URL after rewriting; go-app's page changed: update app/internal/site")
	}
	return b, nil
}

// rewriteAppJS makes go-app's app.js load the wasm binary and register the
// service worker relative to the page, leaves the root prefix to be
// computed in the page, and appends the lab's additions.
func rewriteAppJS(b []byte) ([]byte, error) {
	s := string(b)
	env := regexp.MustCompile(`(?m)^const goappEnv = .*;$`)
	line := env.FindString(s)
	if line == "" {
		return nil, errors.New("site: go-app's app.js has no goappEnv line; go-app changed: update app/internal/site")
	}
	s = strings.Replace(s, line, strings.ReplaceAll(line, placeholder, rootToken), 1)
	for _, name := range []string{"web/app.wasm", "app-worker.js"} {
		old := `"` + placeholder + "/" + name + `"`
		if !strings.Contains(s, old) {
			return nil, fmt.Errorf("site: go-app's app.js does not load %s; go-app changed: update app/internal/site", old)
		}
		s = strings.ReplaceAll(s, old, `"`+name+`"`)
	}
	if strings.Contains(s, placeholder) {
		return nil, errors.New("site: app.js still holds an absolute URL after rewriting; go-app changed: update app/internal/site")
	}
	return []byte(s + "\n" + strings.ReplaceAll(appPatch, "__ROOT_TOKEN__", jsString(rootToken))), nil
}

// rewriteManifest makes the web manifest's scope, start URL and icons
// relative to the manifest, which sits at the site's root.
func rewriteManifest(b []byte) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("site: go-app's manifest: %w", err)
	}
	m["scope"] = "./"
	m["start_url"] = "./"
	if icons, ok := m["icons"].([]any); ok {
		for _, ic := range icons {
			if o, ok := ic.(map[string]any); ok {
				if src, ok := o["src"].(string); ok {
					o["src"] = relative(strings.TrimPrefix(src, placeholder))
				}
				if o["purpose"] == "" {
					delete(o, "purpose") // go-app's empty default; "any" is meant
				}
			}
		}
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	if bytes.Contains(out, []byte(placeholder)) {
		return nil, errors.New("site: the manifest still holds an absolute URL after rewriting; go-app changed: update app/internal/site")
	}
	return append(out, '\n'), nil
}

// checkBaseline checks that b is a recorded baseline the UI can show: a
// JSON object with results, each naming a workload of the catalog.
func checkBaseline(b []byte) error {
	var f struct {
		Results []struct {
			Workload string `json:"workload"`
			WallUS   int64  `json:"wall_us"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("not a recorded baseline: %w", err)
	}
	if len(f.Results) == 0 {
		return errors.New("not a recorded baseline: it holds no results")
	}
	for i, r := range f.Results {
		if _, err := workloads.Lookup(r.Workload); err != nil {
			return fmt.Errorf("result %d: %w", i, err)
		}
		if r.WallUS < 0 {
			return fmt.Errorf("result %d (%s): negative wall time", i, r.Workload)
		}
	}
	return nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// tag matches an HTML start tag as go-app writes it: attributes are
// name="value" (value quoted by strconv.Quote) or a bare name.
var (
	tag  = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s="'<>/]+(?:="(?:[^"\\]|\\.)*")?)+)\s*(/?)>`)
	attr = regexp.MustCompile(`[^\s="'<>/]+(?:="(?:[^"\\]|\\.)*")?`)
)

// sortAttrs puts every tag's attributes in name order. go-app writes them
// from a map, in a new order on every run; sorted, an unchanged page
// gives the same bytes, so its hash, and so the service worker, stays
// the same and readers are not offered an update that changes nothing.
func sortAttrs(b []byte) []byte {
	return tag.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := tag.FindSubmatch(m)
		attrs := attr.FindAll(sub[2], -1)
		slices.SortStableFunc(attrs, func(a, b []byte) int {
			return bytes.Compare(attrName(a), attrName(b))
		})
		var out bytes.Buffer
		out.WriteByte('<')
		out.Write(sub[1])
		for _, a := range attrs {
			out.WriteByte(' ')
			out.Write(a)
		}
		out.Write(sub[3])
		out.WriteByte('>')
		return out.Bytes()
	})
}

func attrName(a []byte) []byte {
	if i := bytes.IndexByte(a, '='); i >= 0 {
		return a[:i]
	}
	return a
}
