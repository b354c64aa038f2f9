package main

import (
	"conlab/wasm/benchwire"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// printSummary prints, per engine measured, the three figures the
// benchmark holds the lab to: the first round's error against the steady
// state (of every page load), workers ×1 over sequential per kernel, and
// mergesort's speed-up at 2 workers; then the engines it skipped or that
// failed, and why.
func printSummary(w io.Writer, rep *Report, cfg benchwire.Config) {
	fmt.Fprintf(w, "\nthe targets per engine (load average before %s, after %s; %d page load(s) each):\n", rep.LoadBefore, rep.LoadAfter, rep.Loads)
	fmt.Fprintf(w, "first round: its worst run's time over the median of the later rounds, minus 1 (target within ±%.0f %%), of each page load\n", 100*maxFirstRound)
	fmt.Fprintf(w, "later rounds: the same of the later round that strays most from its others, of each page load (the steady state's own spread)\n")
	fmt.Fprintf(w, "workers ×1 / sequential: medians, and paired by round (target ≤ %.2f)\n\n", maxOneWorkerSeq)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "engine\tkernel\tfirst round\tlater rounds\tworkers ×1 / sequential\tload before, after\t")
	for _, er := range rep.Engines {
		for _, k := range cfg.Kernels {
			f, ok := er.Kernels[k.Workload]
			if !ok {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.3f (%.3f)%s\t%s; %s\t\n", er.Engine, k.Workload, loadsText(f.FirstRoundLoads), percents(f.LaterRoundLoads),
				f.OneWorkerSeqRatio, f.OneWorkerSeqPaired, mark(f.OneWorkerSeqRatio <= maxOneWorkerSeq), er.LoadBefore, er.LoadAfter)
		}
	}
	tw.Flush()
	for _, er := range rep.Engines {
		if f, ok := er.Kernels["mergesort"]; ok {
			fmt.Fprintf(w, "mergesort speed-up at 2 workers in %s (target ≥ %.1f on a quiet machine): %.2f, paired %.2f; JavaScript control x2 %.2f%s\n",
				er.Engine, minMergesortTwo, f.SpeedUp[2], 2*f.EfficiencyPaired[2], f.ControlSpeedUp, mark(f.SpeedUp[2] >= minMergesortTwo))
		}
	}
	for _, m := range []struct {
		what string
		by   map[string]string
	}{{"skipped", rep.Skipped}, {"failed", rep.Failed}} {
		for _, e := range slices.Sorted(maps.Keys(m.by)) {
			fmt.Fprintf(w, "%s %s: %s\n", e, m.what, m.by[e])
		}
	}
	fmt.Fprintln(w)
}

// loadsText writes the first round's worst error of each page load, the
// ones beyond the target marked ✗, and with several loads their range.
func loadsText(loads []map[string]float64) string {
	if len(loads) == 0 {
		return "none"
	}
	var parts []string
	var ws []float64
	for _, fr := range loads {
		v := worstOf(fr)
		ws = append(ws, v)
		parts = append(parts, fmt.Sprintf("%+.1f %%%s", 100*v, mark(math.Abs(v) <= maxFirstRound)))
	}
	s := strings.Join(parts, ", ")
	if len(ws) > 1 {
		s += fmt.Sprintf(" (%+.1f..%+.1f %%)", 100*slices.Min(ws), 100*slices.Max(ws))
	}
	return s
}

// percents writes fractions as signed percentages, "none" for none.
func percents(vs []float64) string {
	if len(vs) == 0 {
		return "none"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%+.1f %%", 100*v)
	}
	return strings.Join(parts, ", ")
}
