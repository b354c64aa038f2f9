package ui

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"conlab/workloads"
)

// Query keys of the lab's URL. A workload's parameters use their own names
// as keys (?workload=countdown&count=1000000).
const (
	keyWorkload = "workload"
	keyModes    = "modes"
	keyWorkers  = "workers"
	keyAutorun  = "autorun"
	keyEmbed    = "embed"
	keyRounds   = "rounds"
	keySchedule = "schedule"
)

// reservedKeys are the keys that are not parameters. "wasm" belongs to
// go-app's loader (?wasm=false shows the pre-rendered page only).
var reservedKeys = []string{keyWorkload, keyModes, keyWorkers, keyRounds, keyAutorun, keyEmbed, keySchedule, "wasm"}

// View is the state of the lab that lives in its URL, so any view is a
// shareable link. The zero View is the catalog.
type View struct {
	Workload string            // "" shows the catalog
	Params   map[string]string // parameter values as typed, only those given
	Modes    []Mode            // in display order
	Workers  []int             // worker counts, ascending
	Rounds   int               // rounds of Run all, 1 to maxRounds (0: the default)
	Autorun  bool              // run everything chosen once the page loads
	Embed    bool              // minimal chrome, for an iframe
	Schedule string            // a step-by-step run to open (workloads.Schedule's text form)
}

// Problem is a value of the URL that could not be used, and why.
type Problem struct {
	Key string
	Msg string
}

func (p Problem) String() string { return p.Msg }

// ParseView reads the lab's state from a URL query. It never fails: every
// value it cannot use is reported as a Problem and replaced by its default,
// so a mistyped link still opens and says what was wrong. Parameter values
// are kept as typed; the form validates them and shows their errors.
func ParseView(q url.Values) (View, []Problem) {
	v := View{Modes: slices.Clone(defaultModes), Workers: slices.Clone(defaultWorkers)}
	var probs []Problem
	report := func(key, format string, a ...any) {
		probs = append(probs, Problem{Key: key, Msg: fmt.Sprintf(format, a...)})
	}
	first := func(key string) (string, bool) {
		vals, ok := q[key]
		if !ok {
			return "", false
		}
		if len(vals) > 1 {
			report(key, "%s is given %d times; the first value (%q) is used", key, len(vals), vals[0])
		}
		return strings.TrimSpace(vals[0]), true
	}

	var w *workloads.Workload
	if id, ok := first(keyWorkload); ok && id != "" {
		var err error
		if w, err = workloads.Lookup(id); err != nil {
			report(keyWorkload, "%v", err)
		} else {
			v.Workload = id
		}
	}

	if s, ok := first(keyModes); ok {
		var modes []Mode
		for _, id := range splitList(s) {
			switch m := Mode(id); {
			case !validUIMode(m):
				report(keyModes, "unknown mode %q (the modes are %s)", m, joinModes(uiModes, ", "))
			case slices.Contains(modes, m):
			default:
				modes = append(modes, m)
			}
		}
		if len(modes) == 0 {
			report(keyModes, "no usable mode in %q; comparing the default modes", s)
		} else {
			v.Modes = orderModes(modes)
		}
	}
	if w != nil {
		v.Workers = defaultWorkersOf(w.ID)
		var ok []Mode
		for _, m := range v.Modes {
			if yes, why := supportsMode(w, m); yes {
				ok = append(ok, m)
			} else if q.Has(keyModes) {
				// Only a mode the link asked for is worth a word; an
				// unsupported default is simply not offered.
				report(keyModes, "%s cannot run in %s mode: %s", w.ID, modeLabel(m), why)
			}
		}
		v.Modes = ok
	}

	if s, ok := first(keyWorkers); ok {
		var ns []int
		for _, f := range splitList(s) {
			n, err := strconv.Atoi(f)
			switch {
			case err != nil:
				report(keyWorkers, "worker count %q is not a whole number", f)
			case n < 1 || n > workloads.MaxWorkers:
				report(keyWorkers, "worker count %d is out of range; allowed: 1 to %d", n, workloads.MaxWorkers)
			case !slices.Contains(ns, n):
				ns = append(ns, n)
			}
		}
		if len(ns) == 0 {
			report(keyWorkers, "no usable worker count in %q; using %s", s, joinInts(v.Workers))
		} else {
			sort.Ints(ns)
			v.Workers = ns
		}
	}

	if s, ok := first(keyRounds); ok {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			report(keyRounds, "rounds %q is not a whole number; using %d", s, defaultRounds)
		case n < 1 || n > maxRounds:
			report(keyRounds, "rounds %d is out of range; allowed: 1 to %d (using %d)", n, maxRounds, defaultRounds)
		default:
			v.Rounds = n
		}
	}

	if s, ok := first(keySchedule); ok && s != "" {
		if _, err := workloads.ParseSchedule(s); err != nil {
			report(keySchedule, "%v", err)
		} else {
			v.Schedule = s
		}
	}

	v.Autorun = parseFlag(q, keyAutorun, first, report)
	v.Embed = parseFlag(q, keyEmbed, first, report)

	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(reservedKeys, k) {
			continue
		}
		switch {
		case w != nil && w.Param(k) != nil:
			val, _ := first(k)
			if v.Params == nil {
				v.Params = map[string]string{}
			}
			v.Params[k] = val
			if _, err := w.Param(k).Parse(val); err != nil {
				report(k, "%v", err)
			}
		case w != nil:
			report(k, "%s has no parameter %q (it has: %s)", w.ID, k, paramNames(w))
		default:
			report(k, "unknown URL parameter %q", k)
		}
	}
	return v, probs
}

func parseFlag(q url.Values, key string, first func(string) (string, bool), report func(string, string, ...any)) bool {
	s, ok := first(key)
	if !ok {
		return false
	}
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on", "":
		return true
	case "0", "false", "no", "off":
		return false
	}
	report(key, "%s=%q is not understood; use %s=1 or %s=0", key, s, key, key)
	return false
}

// Encode returns the query string of v, keys in a stable, readable order:
// the workload, its parameters in declaration order, then the modes and
// worker counts when they differ from the defaults. Values equal to a
// parameter's default are left out, so links stay short.
func (v View) Encode() string {
	var parts []string
	add := func(k, val string) { parts = append(parts, url.QueryEscape(k)+"="+val) }
	if v.Workload != "" {
		add(keyWorkload, url.QueryEscape(v.Workload))
		if w, err := workloads.Lookup(v.Workload); err == nil {
			for _, p := range w.Params {
				raw, ok := v.Params[p.Name]
				if !ok || raw == defaultRaw(p) {
					continue
				}
				add(p.Name, url.QueryEscape(raw))
			}
		}
	}
	if !slices.Equal(v.Modes, defaultModes) {
		// Mode ids are lower-case letters: the commas need no escaping.
		add(keyModes, joinModes(v.Modes, ","))
	}
	if !slices.Equal(v.Workers, defaultWorkersOf(v.Workload)) {
		add(keyWorkers, joinInts(v.Workers))
	}
	if v.Rounds != 0 && v.Rounds != defaultRounds {
		add(keyRounds, strconv.Itoa(v.Rounds))
	}
	if v.Schedule != "" {
		// Digits, dots and the tilde stay as they are; a star is escaped.
		add(keySchedule, url.QueryEscape(v.Schedule))
	}
	if v.Embed {
		add(keyEmbed, "1")
	}
	if v.Autorun {
		add(keyAutorun, "1")
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

// rounds returns the rounds of Run all: the view's, or the default.
func (v View) rounds() int {
	if v.Rounds < 1 || v.Rounds > maxRounds {
		return defaultRounds
	}
	return v.Rounds
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// orderModes returns modes in display order.
func orderModes(modes []Mode) []Mode {
	var out []Mode
	for _, m := range uiModes {
		if slices.Contains(modes, m) {
			out = append(out, m)
		}
	}
	return out
}

func paramNames(w *workloads.Workload) string {
	if len(w.Params) == 0 {
		return "none"
	}
	s := make([]string, len(w.Params))
	for i, p := range w.Params {
		s[i] = p.Name
	}
	return strings.Join(s, ", ")
}
