//go:build !wasm

package main

// How conlab run prints a result for a reader.

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"conlab/workloads"
)

// ms formats microseconds as milliseconds for a table.
func ms(us int64) string {
	switch {
	case us == 0:
		return "0"
	case us < 10_000:
		return fmt.Sprintf("%.2f ms", float64(us)/1000)
	case us < 10_000_000:
		return fmt.Sprintf("%.1f ms", float64(us)/1000)
	}
	return fmt.Sprintf("%.2f s", float64(us)/1e6)
}

// printResult prints a result as a readable table; seq, if set, is the
// sequential run it is compared with.
func printResult(w io.Writer, res *workloads.Result, seq *workloads.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	title := res.Workload
	if wl, err := workloads.Lookup(res.Workload); err == nil {
		title += ": " + wl.Title
	}
	f := res.Facts
	fmt.Fprintf(tw, "workload\t%s\n", title)
	fmt.Fprintf(tw, "mode\t%s, %d workers, GOMAXPROCS %d (%d CPUs, %s/%s, %s)\n", res.Mode, res.Workers, f.GOMAXPROCS, f.NumCPU, f.GOOS, f.GOARCH, f.GoVersion)
	if f.CPU != "" {
		fmt.Fprintf(tw, "cpu\t%s\n", f.CPU)
	}
	if len(res.Params) > 0 {
		fmt.Fprintf(tw, "params\t%s\n", params(res.Params))
	}
	if res.Outcome != "" {
		fmt.Fprintf(tw, "steps\t%d (run step by step: its clock counts steps, not time)\n", len(res.Steps))
	} else {
		fmt.Fprintf(tw, "wall\t%s\n", ms(res.WallUS))
	}
	if res.Error != "" {
		fmt.Fprintf(tw, "error\t%s\n", res.Error)
		for _, s := range res.Stuck {
			fmt.Fprintf(tw, "stuck\ttask %d on lane %d: %s\n", s.Task, s.Lane, s.Label)
		}
	} else if res.Outcome != workloads.OutcomePaused {
		verdict := "ok"
		if !res.Check.OK {
			verdict = "MISMATCH"
		}
		took := ""
		if res.CheckUS >= 1000 { // worth saying: the wall time ends before it
			took = fmt.Sprintf(" (checked in %s, not part of the wall time)", ms(res.CheckUS))
		}
		fmt.Fprintf(tw, "check\t%s: value %s, expected %s%s\n", verdict, res.Check.Value, res.Check.Expected, took)
		if res.Check.Note != "" {
			fmt.Fprintf(tw, "\t%s\n", res.Check.Note)
		}
	}
	if seq != nil {
		fmt.Fprintf(tw, "speed-up\t%.2fx vs sequential (%s)\n", speedup(seq, res), ms(seq.WallUS))
	}
	tw.Flush()
	if res.Outcome != "" {
		printSteps(w, res)
		return
	}

	lanes := laneSummary(res.Spans)
	if len(lanes) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lane\ttasks\trunning\twaiting\tblocked\tfirst start\tlast end\t")
	for _, l := range lanes {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", l.lane, len(l.tasks), ms(l.by[workloads.Running]), ms(l.by[workloads.Waiting]), ms(l.by[workloads.Blocked]), ms(l.first), ms(l.last))
	}
	tw.Flush()
}

// lane is one lane's spans, totalled by state.
type lane struct {
	lane        int
	tasks       map[int]bool
	by          map[workloads.State]int64
	first, last int64
}

// laneSummary totals each lane's spans by state.
func laneSummary(spans []workloads.Span) []*lane {
	m := map[int]*lane{}
	for _, s := range spans {
		l := m[s.Lane]
		if l == nil {
			l = &lane{lane: s.Lane, tasks: map[int]bool{}, by: map[workloads.State]int64{}, first: s.Start, last: s.End}
			m[s.Lane] = l
		}
		if s.Task >= 0 {
			l.tasks[s.Task] = true
		}
		l.by[s.State] += s.End - s.Start
		l.first, l.last = min(l.first, s.Start), max(l.last, s.End)
	}
	out := make([]*lane, 0, len(m))
	for _, l := range m {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lane < out[j].lane })
	return out
}
