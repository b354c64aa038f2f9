package main

import (
	"conlab/wasm/benchwire"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
)

// printTable prints what engine er measured for a reader, each target
// marked ✗ where it is missed.
func printTable(w io.Writer, rep *Report, er *EngineReport, cfg benchwire.Config) {
	cs := er.ColdStart
	fmt.Fprintf(w, "\nconlab browser benchmark in %s: %s; Go %s; %d CPUs (browser reports %d); medians of %d runs\n", er.Engine, er.Browser, rep.GoVersion, rep.NumCPU, er.BrowserCores, rep.Reps)
	fmt.Fprintf(w, "load average before %s, after %s (compare the native speed-ups: they show what the machine could give)\n\n", er.LoadBefore, er.LoadAfter)
	b, _ := json.Marshal(cs)
	fmt.Fprintf(w, "worker.wasm bytes: %v\n", rep.Worker)
	first, _ := json.Marshal(er.FirstCold)
	fmt.Fprintf(w, "pool cold start, median: %s\n", b)
	fmt.Fprintf(w, "pool cold start, the page's first (it also compiles each function on first call): %s\n", first)
	for i, c := range er.Revisits {
		b, _ := json.Marshal(c)
		fmt.Fprintf(w, "pool cold start, the page's first on visit %d (worker.wasm and its code from the browser's caches): %s\n", i+2, b)
	}
	if f := er.Floor; f != nil {
		fb, _ := json.Marshal(f.Median)
		ff, _ := json.Marshal(f.First)
		fmt.Fprintf(w, "the floor, an empty Go program (%d bytes) started in the same workers, median: %s\n", f.Bytes["raw"], fb)
		fmt.Fprintf(w, "the floor, the page's first: %s\n", ff)
		fmt.Fprintf(w, "pool cold start over the floor: median %.2f, the page's first %.2f\n", ratio(cs.TotalMS, f.Median.TotalMS), ratio(er.FirstCold.TotalMS, f.First.TotalMS))
	}
	fmt.Fprintf(w, "warm per-run overhead (µs): median %v, fastest %v\n\n", er.OverheadUS, er.OverheadMin)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "kernel\tnative seq ms\twasm seq ms\twasm/native\t(fastest)\tcoop/seq\tJS control x2\t")
	for _, n := range cfg.Workers {
		fmt.Fprintf(tw, "workers %d ms\tspeed-up %d\teff %d\t(fastest)\t(paired)\tnative speed-up %d\t", n, n, n, n)
	}
	fmt.Fprintln(tw)
	names := make([]string, 0, len(er.Kernels))
	for _, k := range cfg.Kernels {
		names = append(names, k.Workload)
	}
	for _, name := range names {
		f := er.Kernels[name]
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t", name, ms(f.Native["sequential"]), ms(f.Wasm["sequential"]), f.WasmNativeRatio, f.WasmNativeBest, f.CoopSeqRatio, f.ControlSpeedUp)
		for _, n := range cfg.Workers {
			fmt.Fprintf(tw, "%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t", ms(f.Wasm[fmt.Sprintf("workers/%d", n)]), f.SpeedUp[n], f.Efficiency[n], f.EfficiencyBest[n], f.EfficiencyPaired[n], f.NativeSpeedUp[n])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintf(w, "workers ×1 / sequential (target ≤ %.2f), medians and paired:", maxOneWorkerSeq)
	for _, name := range names {
		f := er.Kernels[name]
		fmt.Fprintf(w, " %s %.3f (%.3f)%s", name, f.OneWorkerSeqRatio, f.OneWorkerSeqPaired, mark(f.OneWorkerSeqRatio <= maxOneWorkerSeq))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "first round after settling / steady state - 1 (target within ±%.0f %%), worst run per kernel:", 100*maxFirstRound)
	for _, name := range names {
		f := er.Kernels[name]
		fmt.Fprintf(w, " %s %+.1f %%%s", name, 100*worstOf(f.FirstRound), mark(f.FirstRoundError <= maxFirstRound))
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, "settling before each kernel's runs (Pool.Settle with the kernel):")
	for _, name := range names {
		if st := er.Kernels[name].Settle; st != nil {
			fmt.Fprintf(w, " %s %.0f ms (%d of %d workers agreed; %d untimed runs of %d workers, %.0f ms; threads running together %s, reached %v, %.0f ms);",
				name, st.MS, st.Settled, st.Workers, st.PrimeRuns, st.Primed, st.PrimeMS, runningText(st.Together), st.TogetherSettled, st.TogetherMS)
		}
	}
	fmt.Fprintln(w)
	if f, ok := er.Kernels["mergesort"]; ok {
		fmt.Fprintf(w, "mergesort speed-up at 2 workers (target ≥ %.1f on a quiet machine): %.2f (paired efficiency %.2f, i.e. %.2f); JavaScript control x2 %.2f%s\n",
			minMergesortTwo, f.SpeedUp[2], f.EfficiencyPaired[2], 2*f.EfficiencyPaired[2], f.ControlSpeedUp, mark(f.SpeedUp[2] >= minMergesortTwo))
	}
	fmt.Fprintln(w)
}

// mark flags a figure that misses its target.
func mark(ok bool) string {
	if ok {
		return ""
	}
	return " ✗"
}

func ms(us int64) float64 { return float64(us) / 1000 }

// loadAverage reads the load averages, where the system has them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// worstOf is the value of m farthest from 0.
func worstOf(m map[string]float64) float64 {
	w := 0.0
	for _, v := range m {
		if math.Abs(v) > math.Abs(w) {
			w = v
		}
	}
	return w
}

// runningText writes the threads each gauge saw running at once.
func runningText(rs []float64) string {
	if len(rs) == 0 {
		return "not gauged"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.2f", r)
	}
	return strings.Join(parts, " ")
}
