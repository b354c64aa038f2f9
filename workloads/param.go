package workloads

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ParamType is the type of a workload parameter.
type ParamType string

// Parameter types. Every value travels as a JSON number, bool or string.
const (
	Int    ParamType = "int"    // a whole number within [Min, Max]
	Bool   ParamType = "bool"   // true or false
	Choice ParamType = "choice" // one of Choices
)

// Param describes one parameter of a workload: its type, default and bounds.
type Param struct {
	Name    string    `json:"name"`
	Label   string    `json:"label"`
	Help    string    `json:"help"`
	Type    ParamType `json:"type"`
	Unit    string    `json:"unit,omitempty"`
	Default any       `json:"default"` // int64, bool or string, by Type
	Min     int64     `json:"min,omitempty"`
	Max     int64     `json:"max,omitempty"`
	Choices []string  `json:"choices,omitempty"`
}

// IntParam returns an Int parameter.
func IntParam(name, label, unit string, def, min, max int64, help string) Param {
	return Param{Name: name, Label: label, Unit: unit, Type: Int, Default: def, Min: min, Max: max, Help: help}
}

// BoolParam returns a Bool parameter.
func BoolParam(name, label string, def bool, help string) Param {
	return Param{Name: name, Label: label, Type: Bool, Default: def, Help: help}
}

// ChoiceParam returns a Choice parameter whose default is choices[0].
func ChoiceParam(name, label string, choices []string, help string) Param {
	return Param{Name: name, Label: label, Type: Choice, Default: choices[0], Choices: choices, Help: help}
}

// Range describes the allowed values in words, for error messages and forms.
func (p Param) Range() string {
	switch p.Type {
	case Int:
		return fmt.Sprintf("a whole number from %s to %s", GroupDigits(p.Min), GroupDigits(p.Max))
	case Bool:
		return "true or false"
	default:
		return "one of " + strings.Join(p.Choices, ", ")
	}
}

// Parse converts v (a JSON-decoded value or a string from a URL or a flag)
// into the parameter's Go type, checking its bounds.
func (p Param) Parse(v any) (any, error) {
	bad := func(why string) error {
		return &ParamError{Field: p.Name, Msg: fmt.Sprintf("parameter %s: %s; allowed: %s", p.Name, why, p.Range())}
	}
	switch p.Type {
	case Int:
		var n int64
		switch x := v.(type) {
		case int:
			n = int64(x)
		case int64:
			n = x
		case float64:
			if x != math.Trunc(x) || math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 1<<62 {
				return nil, bad(fmt.Sprintf("%v is not a whole number", x))
			}
			n = int64(x)
		case json.Number:
			i, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil {
				return nil, bad(fmt.Sprintf("%q is not a whole number", string(x)))
			}
			n = i
		case string:
			i, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(x), "_", ""), 10, 64)
			if err != nil {
				return nil, bad(fmt.Sprintf("%q is not a whole number", x))
			}
			n = i
		default:
			return nil, bad(fmt.Sprintf("got %T", v))
		}
		if n < p.Min || n > p.Max {
			return nil, bad(GroupDigits(n) + " is out of range")
		}
		return n, nil
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return nil, bad(fmt.Sprintf("%q is not a boolean", x))
			}
			return b, nil
		default:
			return nil, bad(fmt.Sprintf("got %T", v))
		}
	case Choice:
		s, ok := v.(string)
		if !ok {
			return nil, bad(fmt.Sprintf("got %T", v))
		}
		for _, c := range p.Choices {
			if c == s {
				return s, nil
			}
		}
		return nil, bad(fmt.Sprintf("%q is not a choice", s))
	}
	return nil, bad("unknown parameter type")
}

// Args holds a workload's parameters after validation: every parameter is
// present, defaults filled in, each of its declared Go type. The zero Args
// holds nothing; use [Workload.Args] to build one.
type Args struct {
	v map[string]any
}

// Int returns the Int parameter name. It panics if the workload declares
// no such Int parameter: that is a bug in the workload, not bad input.
func (a Args) Int(name string) int64 { return a.get(name).(int64) }

// Bool returns the Bool parameter name.
func (a Args) Bool(name string) bool { return a.get(name).(bool) }

// String returns the Choice parameter name.
func (a Args) String(name string) string { return a.get(name).(string) }

func (a Args) get(name string) any {
	v, ok := a.v[name]
	if !ok {
		panic("workloads: no parameter " + name)
	}
	return v
}

// Map returns a copy of the values, keyed by parameter name.
func (a Args) Map() map[string]any {
	m := make(map[string]any, len(a.v))
	for k, v := range a.v {
		m[k] = v
	}
	return m
}

// Args validates raw parameter values (from JSON, a URL or flags) against
// the workload's declarations and fills in defaults. Unknown names are an
// error: a typo must not silently run the default.
func (w *Workload) Args(raw map[string]any) (Args, error) {
	a := Args{v: make(map[string]any, len(w.Params))}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if w.Param(k) == nil {
			field := k
			if field == "" {
				field = "params"
			}
			return Args{}, &ParamError{Field: field, Msg: fmt.Sprintf("workload %s has no parameter %q (it has: %s)", w.ID, k, w.paramNames())}
		}
	}
	for _, p := range w.Params {
		v, ok := raw[p.Name]
		if !ok {
			a.v[p.Name] = p.Default
			continue
		}
		x, err := p.Parse(v)
		if err != nil {
			return Args{}, err
		}
		a.v[p.Name] = x
	}
	return a, nil
}

// Param returns the declaration of the parameter name, or nil.
func (w *Workload) Param(name string) *Param {
	for i := range w.Params {
		if w.Params[i].Name == name {
			return &w.Params[i]
		}
	}
	return nil
}

func (w *Workload) paramNames() string {
	if len(w.Params) == 0 {
		return "none"
	}
	s := make([]string, len(w.Params))
	for i, p := range w.Params {
		s[i] = p.Name
	}
	return strings.Join(s, ", ")
}
