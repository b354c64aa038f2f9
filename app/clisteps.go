//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"conlab/workloads"
)

// findFlags are conlab run's flags for searching the schedules of a run.
type findFlags struct {
	find string
	runs int
	seed uint64
}

func stepFlags(fs *flag.FlagSet) *findFlags {
	f := &findFlags{}
	fs.StringVar(&f.find, "find", "", "search the schedules for an outcome (lost-update, deadlock or all-finish) and print the shortest found")
	fs.IntVar(&f.runs, "runs", workloads.DefaultFindRuns, "with -find: the most schedules to check")
	fs.Uint64Var(&f.seed, "seed", 1, "with -find: the seed of the random schedules tried when there are too many to check them all")
	return f
}

// run searches req's schedules and prints what it found.
func (f *findFlags) run(ctx context.Context, req workloads.Request, asJSON bool, w io.Writer) error {
	if req.Schedule != "" {
		return &usageError{"run: -find searches the schedules itself; leave out -schedule"}
	}
	if f.runs < 1 {
		return &workloads.ParamError{Field: "runs", Msg: fmt.Sprintf("runs: %d is out of range; allowed: 1 or more", f.runs)}
	}
	found, err := workloads.Find(ctx, req, f.find, workloads.FindOptions{MaxRuns: f.runs, Seed: f.seed}, workloads.Options{})
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(found)
	}
	switch {
	case found.Found:
		fmt.Fprintf(w, "found %s after checking %d schedules: -schedule %s\n\n", found.Outcome, found.Checked, found.Schedule)
		printResult(w, found.Result, nil)
	case found.Exhaustive:
		fmt.Fprintf(w, "no schedule ends in %s: all %d schedules were checked\n", found.Outcome, found.Checked)
	default:
		fmt.Fprintf(w, "no %s found in %d schedules (not every schedule was checked: raise -runs or change -seed)\n", found.Outcome, found.Checked)
	}
	return nil
}

// printSteps prints a step-by-step run: its schedule, outcome and steps.
func printSteps(w io.Writer, res *workloads.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "outcome\t%s\n", res.Outcome)
	if res.Schedule != "" {
		fmt.Fprintf(tw, "schedule\t%s\n", res.Schedule)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "step\tgoroutine\twhat\tshared after")
	for i, s := range res.Steps {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", i+1, s.Lane, s.What, s.Shared)
	}
	for _, s := range res.Next {
		can := "next"
		if s.Wait {
			can = "waits"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", can, s.Lane, s.What)
	}
	tw.Flush()
}
