package ui

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"conlab/workloads"
)

// record is one row of the results table: one run, in the browser or
// native. Every run is kept, failed ones too: a deadlock is a result.
type record struct {
	ID     string           `json:"id"`
	At     time.Time        `json:"at"`
	Mode   Mode             `json:"mode"`
	Result workloads.Result `json:"result"`
	// Set identifies the run set the run belongs to (one Run all with its
	// rounds, or one Run); Round is its round (1-based) of Rounds. Rows
	// saved before rounds existed have none.
	Set    string `json:"set,omitempty"`
	Round  int    `json:"round,omitempty"`
	Rounds int    `json:"rounds,omitempty"`
	// Frames is how the page drew during the run (frames.go); nil where
	// it was not measured.
	Frames *frameWindow `json:"frames,omitempty"`
	// Prediction is what the student wrote they expected before the run.
	Prediction string `json:"prediction,omitempty"`
}

// storageKey is where the results live in the browser's localStorage.
// The version lets a later format ignore, not misread, old rows.
const storageKey = "conlab/results/v1"

// maxRecords bounds the stored history: localStorage holds a few MB.
const maxRecords = 500

// uiModeOf returns the UI mode of a result: the browser's mode id, or
// "native" for a run of the native engine.
func uiModeOf(r *workloads.Result) Mode {
	if r.Facts.Engine == "native" {
		return modeNative
	}
	return Mode(r.Mode)
}

// native reports whether the record is a native run.
func (r record) native() bool { return r.Mode == modeNative }

// stepped reports whether the run went step by step under a schedule.
// Its clock counts steps (workloads.StepUS each), not time: it has no
// speed-up, is compared with no timed run and stays off the charts.
func (r record) stepped() bool { return r.Result.Schedule != "" }

// stepCount is how many steps a stepped run took, as its clock counts them.
func (r record) stepCount() int64 { return r.Result.WallUS / workloads.StepUS }

// ok reports whether the run finished and checked out.
func (r record) ok() bool { return r.Result.Error == "" && r.Result.Check.OK }

// paramsKey identifies a parameter set: runs compare only with runs of the
// same workload and the same parameters.
func paramsKey(workload string, params map[string]any) string {
	b, _ := json.Marshal(normParams(params)) // map keys are sorted
	return workload + " " + string(b)
}

// normParams makes values that went through JSON (float64) and values from
// the form (int64) compare equal.
func normParams(p map[string]any) map[string]string {
	out := make(map[string]string, len(p))
	for k, v := range p {
		switch x := v.(type) {
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				out[k] = strconv.FormatInt(int64(x), 10)
				continue
			}
			out[k] = strconv.FormatFloat(x, 'g', -1, 64)
		case json.Number:
			out[k] = x.String()
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// isBaseline reports whether r is the sequential run its side's speed-ups
// are measured against: the browser's sequential mode, or the native
// sequential mode (GOMAXPROCS=1).
func (r record) isBaseline() bool {
	return r.Result.Mode == workloads.Sequential && r.Result.Error == "" && r.Result.WallUS > 0 && !r.stepped()
}

// speedups returns, by record id, each successful run's speed-up against
// the sequential run of the same side (browser or native), workload and
// parameters: the one of its own round of a Run all, else the latest one
// taken at or before it, else the first after.
func speedups(recs []record) map[string]float64 {
	out := map[string]float64{}
	type key struct {
		native bool
		params string
	}
	base := map[key][]record{}
	for _, r := range recs {
		if r.isBaseline() {
			k := key{r.native(), paramsKey(r.Result.Workload, r.Result.Params)}
			base[k] = append(base[k], r)
		}
	}
	for _, bs := range base {
		sort.SliceStable(bs, func(i, j int) bool { return bs[i].At.Before(bs[j].At) })
	}
	for _, r := range recs {
		if r.Result.Error != "" || r.Result.WallUS <= 0 || r.stepped() {
			continue
		}
		bs := base[key{r.native(), paramsKey(r.Result.Workload, r.Result.Params)}]
		if len(bs) == 0 {
			continue
		}
		b := bs[0]
		for _, c := range bs {
			if c.At.After(r.At) {
				break
			}
			b = c
		}
		// In a Run all, a run compares with its own round's baseline,
		// wherever the rotation put it in the round.
		if r.Set != "" {
			for _, c := range bs {
				if c.Set == r.Set && c.Round == r.Round {
					b = c
				}
			}
		}
		out[r.ID] = float64(b.Result.WallUS) / float64(r.Result.WallUS)
	}
	return out
}

// loadRecords reads the stored results. Rows that do not decode are a
// reported error, not a crash: the table then starts empty.
func loadRecords(get func(key string, v any) error) ([]record, error) {
	var recs []record
	if err := get(storageKey, &recs); err != nil {
		return nil, fmt.Errorf("the saved results could not be read (%v); starting with an empty table", err)
	}
	valid := recs[:0]
	for _, r := range recs {
		if r.ID != "" && r.Result.Workload != "" {
			valid = append(valid, r)
		}
	}
	return valid, nil
}

// storable returns the records to save: the newest maxRecords, without
// their spans and steps (a timeline can hold thousands, a stepped run up
// to workloads.MaxSteps steps; localStorage is small).
func storable(recs []record) []record {
	if len(recs) > maxRecords {
		recs = recs[len(recs)-maxRecords:]
	}
	out := make([]record, len(recs))
	for i, r := range recs {
		r.Result.Spans, r.Result.Steps, r.Result.Next = nil, nil, nil
		out[i] = r
	}
	return out
}

// exportJSON writes every record, with the spans still in memory, as one
// JSON document: the engine's result form plus the table's own columns.
func exportJSON(recs []record, spans map[string][]workloads.Span, now time.Time) ([]byte, error) {
	type row struct {
		record
		Speedup *float64 `json:"speedup,omitempty"`
	}
	sp := speedups(recs)
	doc := struct {
		Exported time.Time `json:"exported"`
		Results  []row     `json:"results"`
	}{Exported: now.UTC(), Results: []row{}}
	for _, r := range recs {
		if s, ok := spans[r.ID]; ok {
			r.Result.Spans = s
		}
		x := row{record: r}
		if v, ok := sp[r.ID]; ok {
			x.Speedup = &v
		}
		doc.Results = append(doc.Results, x)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// csvHeader are the CSV export's columns.
var csvHeader = []string{
	"time", "workload", "mode", "engine", "workers", "gomaxprocs", "params", "round",
	"wall_ms", "startup_ms", "speedup", "check_ok", "value", "expected", "note", "error",
	"goos", "goarch", "numcpu", "go_version", "browser",
	"steps", "schedule", "outcome", "prediction",
}

// exportCSV writes one line per record. A stepped run's times are steps:
// its wall_ms is empty and its steps column says how many it took.
func exportCSV(recs []record) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(csvHeader); err != nil {
		return nil, err
	}
	sp := speedups(recs)
	for _, r := range recs {
		res := r.Result
		speed := ""
		if v, ok := sp[r.ID]; ok {
			speed = strconv.FormatFloat(v, 'f', 3, 64)
		}
		wall, steps := strconv.FormatFloat(float64(res.WallUS)/1000, 'f', 3, 64), ""
		if r.stepped() {
			wall, steps = "", strconv.FormatInt(r.stepCount(), 10)
		}
		line := []string{
			r.At.UTC().Format(time.RFC3339), res.Workload, string(r.Mode), res.Facts.Engine,
			strconv.Itoa(res.Workers), strconv.Itoa(res.Facts.GOMAXPROCS), paramsText(res.Workload, res.Params), roundCell(r),
			wall,
			strconv.FormatFloat(float64(res.StartupUS)/1000, 'f', 3, 64),
			speed, strconv.FormatBool(r.ok()), res.Check.Value, res.Check.Expected, res.Check.Note, res.Error,
			res.Facts.GOOS, res.Facts.GOARCH, strconv.Itoa(res.Facts.NumCPU), res.Facts.GoVersion, res.Facts.Browser,
			steps, res.Schedule, res.Outcome, r.Prediction,
		}
		if err := w.Write(csvSafe(line)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// roundCell is a run's round as the CSV writes it: "2 of 3" (not "2/3",
// which a spreadsheet reads as a date), or "" for a run outside a Run
// all.
func roundCell(r record) string {
	if r.Round <= 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d", r.Round, r.Rounds)
}

// csvSafe defuses cells a spreadsheet would run as formulas: an error
// message is text from a run, and a run's text must not execute.
func csvSafe(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			if _, err := strconv.ParseFloat(c, 64); err != nil {
				cells[i] = "'" + c
			}
		}
	}
	return cells
}

// paramsText writes params as "name=value" pairs in the workload's
// declaration order (sorted by name for an unknown workload), numbers
// plain, as a file a program reads takes them.
func paramsText(workload string, params map[string]any) string {
	return joinParams(workload, normParams(params))
}

// paramsShown is paramsText for a student: whole numbers are grouped
// ("count=1,000,000,000"), which also lets a narrow cell wrap between
// groups rather than in the middle of a number.
func paramsShown(workload string, params map[string]any) string {
	norm := normParams(params)
	for k, v := range norm {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			norm[k] = workloads.GroupDigits(n)
		}
	}
	return joinParams(workload, norm)
}

// joinParams joins norm's pairs in the workload's declaration order.
func joinParams(workload string, norm map[string]string) string {
	var names []string
	if w, err := workloads.Lookup(workload); err == nil {
		for _, p := range w.Params {
			if _, ok := norm[p.Name]; ok {
				names = append(names, p.Name)
			}
		}
	}
	if len(names) != len(norm) {
		names = names[:0]
		for k := range norm {
			names = append(names, k)
		}
		sort.Strings(names)
	}
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + "=" + norm[k]
	}
	return strings.Join(parts, " ")
}
