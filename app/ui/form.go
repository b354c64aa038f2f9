package ui

import (
	"fmt"
	"strconv"
	"strings"

	"conlab/workloads"
)

// field is one parameter of the lesson's form: its declaration, the value
// as the student typed it, and why that value cannot be used ("" if it can).
type field struct {
	Param workloads.Param
	Raw   string
	Err   string
}

// newFields builds the form of w from the values given (by the URL): every
// parameter, its default where none was given, each one validated.
func newFields(w *workloads.Workload, given map[string]string) []field {
	fs := make([]field, len(w.Params))
	for i, p := range w.Params {
		raw, ok := given[p.Name]
		if !ok {
			raw = defaultRaw(p)
		}
		fs[i] = field{Param: p}
		fs[i].set(raw)
	}
	return fs
}

// set stores raw and validates it with the parameter's own rules, so the
// form and the engine never disagree on what is allowed.
func (f *field) set(raw string) {
	f.Raw = raw
	f.Err = ""
	if strings.TrimSpace(raw) == "" {
		f.Err = fmt.Sprintf("%s is required; allowed: %s", f.Param.Label, f.Param.Range())
		return
	}
	if _, err := f.Param.Parse(raw); err != nil {
		f.Err = err.Error()
	}
}

// defaultRaw is a parameter's default as the form shows it.
func defaultRaw(p workloads.Param) string {
	switch d := p.Default.(type) {
	case int64:
		return strconv.FormatInt(d, 10)
	case int:
		return strconv.Itoa(d)
	case bool:
		return strconv.FormatBool(d)
	case string:
		return d
	default:
		return fmt.Sprint(d)
	}
}

// formValid reports whether every field holds a usable value.
func formValid(fs []field) bool {
	for _, f := range fs {
		if f.Err != "" {
			return false
		}
	}
	return true
}

// formParams returns the parsed values of a valid form, keyed by
// parameter name, ready for a Request. It returns false if any is invalid.
func formParams(fs []field) (map[string]any, bool) {
	m := make(map[string]any, len(fs))
	for _, f := range fs {
		v, err := f.Param.Parse(f.Raw)
		if err != nil {
			return nil, false
		}
		m[f.Param.Name] = v
	}
	return m, true
}

// formRaw returns the values that differ from the defaults, as typed: what
// the URL keeps.
func formRaw(fs []field) map[string]string {
	var m map[string]string
	for _, f := range fs {
		if f.Raw != defaultRaw(f.Param) {
			if m == nil {
				m = map[string]string{}
			}
			m[f.Param.Name] = f.Raw
		}
	}
	return m
}

// isDefault reports whether the form holds the workload's defaults: the
// parameters the recorded native baseline was measured with.
func isDefault(fs []field) bool { return len(formRaw(fs)) == 0 }
