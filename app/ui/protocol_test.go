package ui

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"conlab/workloads"
)

// Every round visits every configuration once, and the first of a round
// moves from round to round: no configuration is always first.
func TestPlanRoundsRotates(t *testing.T) {
	w, err := workloads.Lookup("countdown")
	if err != nil {
		t.Fatal(err)
	}
	plan := planAll(w, []Mode{modeSequential, modeCooperative, modeWorkers}, []int{1, 2}, false)
	if len(plan) != 5 {
		t.Fatalf("plan %+v", plan)
	}
	for _, rounds := range []int{1, 2, 3, 5, 9} {
		got := planRounds(plan, rounds)
		if len(got) != rounds*len(plan) {
			t.Fatalf("%d rounds: %d runs, want %d", rounds, len(got), rounds*len(plan))
		}
		firsts := map[string]bool{}
		for k := range rounds {
			round := got[k*len(plan) : (k+1)*len(plan)]
			var cfgs []string
			for _, s := range round {
				if s.Round != k+1 || s.Rounds != rounds {
					t.Errorf("%d rounds: spec %+v in round %d", rounds, s, k+1)
				}
				cfgs = append(cfgs, s.config())
			}
			slices.Sort(cfgs)
			var want []string
			for _, s := range plan {
				want = append(want, s.config())
			}
			slices.Sort(want)
			if !slices.Equal(cfgs, want) {
				t.Errorf("%d rounds: round %d visits %v, want every configuration once: %v", rounds, k+1, cfgs, want)
			}
			firsts[round[0].config()] = true
		}
		// Fewer rounds than configurations: every round starts elsewhere.
		if len(firsts) != min(rounds, len(plan)) {
			t.Errorf("%d rounds start with %v: a configuration is first more than once", rounds, firsts)
		}
	}
	// One configuration, or none: nothing to rotate, nothing breaks.
	if got := planRounds(plan[:1], 3); len(got) != 3 || got[2].Round != 3 {
		t.Errorf("one configuration: %+v", got)
	}
	if got := planRounds(nil, 3); len(got) != 0 {
		t.Errorf("no configuration: %+v", got)
	}
	// Out of range is clamped, never a panic or an empty plan.
	if got := planRounds(plan, 0); len(got) != len(plan) {
		t.Errorf("0 rounds: %d runs", len(got))
	}
	if got := planRounds(plan, 99); len(got) != maxRounds*len(plan) {
		t.Errorf("99 rounds: %d runs", len(got))
	}
	if l := planRounds(plan, 3)[7].label(); !strings.HasSuffix(l, ", round 2 of 3") {
		t.Errorf("label %q", l)
	}
}

// A bar is the median of its latest set's rounds, its whisker their range;
// an earlier set does not mix in.
func TestChartRoundsMedianWhisker(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	var recs []record
	add := func(id string, i int, mode string, n int, wall int64, set string, round int) {
		r := rec(id, i, mode, n, wall, p)
		r.Set, r.Round, r.Rounds = set, round, 3
		recs = append(recs, r)
	}
	// An old set, then the latest: sequential 1000, 1100, 1050 (median
	// 1050); workers × 2 600, 500, 520 (median 520, spread 100/520).
	add("o1", 0, "sequential", 1, 9000, "old", 1)
	add("o2", 1, "workers", 2, 9000, "old", 1)
	add("a", 2, "sequential", 1, 1000, "new", 1)
	add("b", 3, "workers", 2, 600, "new", 1)
	add("c", 4, "workers", 2, 500, "new", 2)
	add("d", 5, "sequential", 1, 1100, "new", 2)
	add("e", 6, "sequential", 1, 1050, "new", 3)
	add("f", 7, "workers", 2, 520, "new", 3)
	d := buildChartData(recs, nil, "countdown", p, 2)
	seq, work := d.Slots[runKey{serSequential, 1}], d.Slots[runKey{serWorkers, 2}]
	if seq.Median != 1050 || seq.Min != 1000 || seq.Max != 1100 || seq.Runs != 3 {
		t.Errorf("sequential slot %+v", seq)
	}
	if work.Median != 520 || work.Min != 500 || work.Max != 600 || work.Runs != 3 {
		t.Errorf("workers slot %+v", work)
	}
	gs := d.groups()
	if gs[0].Low[serSequential] != 1000 || gs[0].High[serSequential] != 1100 || gs[1].Low[serWorkers] != 500 || gs[1].High[serWorkers] != 600 {
		t.Errorf("whiskers: %+v", gs)
	}
	if !math.IsNaN(gs[1].Low[serCooperative]) {
		t.Errorf("a slot with no runs has a whisker: %+v", gs[1])
	}
	// The speed-up uses the medians.
	if sp := d.speedups()[1]; len(sp) != 1 || math.Abs(sp[0].Speedup-1050.0/520) > 1e-9 {
		t.Errorf("speed-up %+v", sp)
	}
	svg := wallSVG("w", d, 600)
	if n := strings.Count(svg, `class="whisker"`); n != 6 {
		t.Errorf("%d whisker lines, want 3 for each of 2 bars", n)
	}
	mustContain(t, svg, "1 ms to 1.1 ms over 3 runs")
}

// A configuration whose rounds are more than 20 % apart is flagged, in
// the chart and its text, in a student's words; one within is not.
func TestChartSpreadFlag(t *testing.T) {
	cases := []struct {
		walls []float64
		busy  bool
	}{
		{[]float64{100_000}, false},
		{[]float64{100_000, 119_000}, false},          // 19 % of the median 109.5 ms
		{[]float64{100_000, 110_000, 120_000}, false}, // 20/110 = 18 %
		{[]float64{100_000, 105_000, 130_000}, true},  // 30/105 = 29 %
		{[]float64{90_000, 100_000, 100_000, 100_000}, false},
		{[]float64{50_000, 100_000, 100_000}, true},
		{[]float64{30_000, 45_000, 31_000}, true}, // a 31 ms run taking 45: 15 ms
	}
	for _, c := range cases {
		s := summarize(c.walls)
		if s.busy() != c.busy {
			t.Errorf("%v: spread %.3f, busy %v, want %v", c.walls, s.spread(), s.busy(), c.busy)
		}
		if strings.Contains(s.slotText(), busyText) != c.busy {
			t.Errorf("%v: text %q", c.walls, s.slotText())
		}
	}
	// The multiply lesson's rounds on a quiet machine: runs of 10 to 50
	// ms, 20 % or more apart by a few milliseconds. They are not flagged
	// busy, and say why they differ.
	for _, walls := range [][]float64{{14_200, 19_800, 12_900}, {9_800, 13_100, 10_200}, {41_000, 48_500, 39_900}} {
		s := summarize(walls)
		if s.spread() <= spreadLimit {
			t.Fatalf("%v: spread %.2f, not the case this tests", walls, s.spread())
		}
		if s.busy() || strings.Contains(s.slotText(), busyText) || !strings.Contains(s.slotText(), shortText) {
			t.Errorf("quiet short runs %v (spread %.0f %%) flagged: %q", walls, 100*s.spread(), s.slotText())
		}
	}
	if s := summarize([]float64{100_000, 105_000, 130_000}); strings.Contains(s.slotText(), shortText) {
		t.Errorf("a long run's spread called short noise: %q", s.slotText())
	}
	if s := summarize(nil); s.busy() || s.Runs != 0 {
		t.Errorf("no runs: %+v", s)
	}

	p := map[string]any{"count": int64(1000)}
	var recs []record
	for i, w := range []int64{100_000, 150_000, 101_000} {
		r := rec(string(rune('a'+i)), i, "cooperative", 2, w, p)
		r.Set, r.Round, r.Rounds = "s", i+1, 3
		recs = append(recs, r)
	}
	d := buildChartData(recs, nil, "countdown", p, 2)
	svg := wallSVG("w", d, 600)
	mustContain(t, svg, `class="flag-mark"`, ">!<", busyText, "50 % apart")
	mustContain(t, d.wallSummary(), busyText)

	// The flag's line under the chart names the bar once.
	var seq []record
	for i, w := range []int64{100_000, 150_000, 101_000} {
		r := rec(string(rune('a'+i)), i, "sequential", 1, w, p)
		r.Set = "s"
		seq = append(seq, r)
	}
	flags := render(chartFlags(buildChartData(seq, nil, "countdown", p, 2)))
	mustContain(t, flags, "sequential: "+busyText)
	mustNotContain(t, flags, "sequential, sequential")
}

// A bar whose first round alone disagrees says so, still flagged: the
// multiply lesson's rounds in the browser, a slow first round and two
// that agree. A first round that is not the slowest, or later rounds that
// disagree too, keep "this machine was busy".
func TestChartFirstRoundFlag(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	flagsOf := func(set string, walls ...int64) (string, string) {
		var recs []record
		for i, w := range walls {
			r := rec(string(rune('a'+i)), i, "sequential", 1, w, p)
			r.Set, r.Round, r.Rounds = set, i+1, len(walls)
			recs = append(recs, r)
		}
		d := buildChartData(recs, nil, "countdown", p, 2)
		return render(chartFlags(d)), wallSVG("w", d, 600)
	}
	flags, svg := flagsOf("s", 45_000, 30_000, 31_500)
	mustContain(t, flags, "sequential: "+firstText, "30 ms to 45 ms over 3 runs")
	mustContain(t, svg, ">!<", firstText)
	mustNotContain(t, flags+svg, busyText)
	for _, walls := range [][]int64{{100_000, 150_000, 101_000}, {150_000, 100_000, 130_000}, {45_000, 30_000}} {
		flags, _ := flagsOf("s", walls...)
		mustContain(t, flags, "sequential: "+busyText)
		mustNotContain(t, flags, firstText)
	}
	// Runs outside a run set have no rounds to speak of.
	flags, _ = flagsOf("", 45_000, 30_000, 31_500)
	mustContain(t, flags, "sequential: "+busyText)
}

// A run whose check failed is drawn and marked ✗ with the check's note,
// and has no speed-up: dbupdate unlocked's N = 2 group appears.
func TestChartFailedCheckDrawn(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	seq := rec("a", 0, "sequential", 1, 1000, p)
	bad := rec("b", 1, "cooperative", 2, 900, p)
	bad.Result.Check = workloads.Check{OK: false, Value: "1", Expected: "2", Note: "an update was lost"}
	d := buildChartData([]record{seq, bad}, nil, "countdown", p, 2)
	gs := d.groups()
	if len(gs) != 2 || gs[1].Label != "N = 2" || gs[1].Values[serCooperative] != 900 {
		t.Fatalf("groups %+v", gs)
	}
	svg := wallSVG("w", d, 600)
	mustContain(t, svg, "bar-failed", ">✗<", "✗ 1, expected 2 (an update was lost)")
	if sp := d.speedups()[0]; len(sp) != 0 {
		t.Errorf("a failed run has a speed-up: %+v", sp)
	}
}

func TestParseViewRounds(t *testing.T) {
	v, probs := parse(t, "workload=countdown&rounds=5")
	if len(probs) != 0 || v.Rounds != 5 || v.rounds() != 5 {
		t.Errorf("rounds=5: %+v %v", v, probs)
	}
	if got := v.Encode(); !strings.Contains(got, "rounds=5") {
		t.Errorf("encode %q", got)
	}
	v, _ = parse(t, "workload=countdown")
	if v.rounds() != defaultRounds || strings.Contains(v.Encode(), "rounds") {
		t.Errorf("default rounds: %d, %q", v.rounds(), v.Encode())
	}
	for _, c := range []struct{ q, says string }{
		{"workload=countdown&rounds=0", "rounds 0 is out of range; allowed: 1 to 9"},
		{"workload=countdown&rounds=10", "rounds 10 is out of range; allowed: 1 to 9"},
		{"workload=countdown&rounds=three", `rounds "three" is not a whole number`},
		{"workload=countdown&rounds=", `rounds "" is not a whole number`},
	} {
		v, probs := parse(t, c.q)
		if len(probs) != 1 || probs[0].Key != keyRounds || !strings.Contains(probs[0].Msg, c.says) {
			t.Errorf("%s: problems %v, want one on rounds saying %q", c.q, probs, c.says)
		}
		if v.rounds() != defaultRounds {
			t.Errorf("%s: rounds %d, want the default", c.q, v.rounds())
		}
	}
}

// Run all runs R rounds; the table keeps every round, each row with its
// round, and the charts draw one bar per configuration.
//
// Each run counts down long enough to take milliseconds: a run timed at 0
// (shorter than a browser clock's 0.1-1 ms step) is left out of the
// charts, and the bars would then depend on the clock.
func TestRunAllRounds(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown&count=2000000&modes=sequential,cooperative,workers&workers=1,2")
	fb := &fakeBrowser{}
	l.browser = fb
	l.native = nativeInfo{Source: nativeNone}
	l.runAll(ctx)
	eng.ConsumeAll()
	if l.running || l.statusKind != "ok" || !strings.HasPrefix(l.status, "Done: 15 runs") {
		t.Fatalf("after the runs: %s %q %v", l.statusKind, l.status, l.errs)
	}
	if len(fb.reqs) != 15 || fb.reqs[0].Mode != workloads.Sequential || fb.reqs[5].Mode == workloads.Sequential {
		t.Errorf("requests: %d, the second round starts with %s", len(fb.reqs), fb.reqs[5].Mode)
	}
	sets := map[string]bool{}
	perRound := map[int]int{}
	for _, r := range l.recs {
		sets[r.Set] = true
		perRound[r.Round]++
		if r.Rounds != 3 {
			t.Errorf("record %+v has rounds %d", r, r.Rounds)
		}
	}
	if len(sets) != 1 || perRound[1] != 5 || perRound[2] != 5 || perRound[3] != 5 {
		t.Errorf("sets %v, rounds %v", sets, perRound)
	}
	for _, r := range l.recs {
		if r.Result.WallUS <= 0 {
			t.Fatalf("%s × %d timed at %d µs: a count of 2,000,000 should take milliseconds", r.Mode, r.Result.Workers, r.Result.WallUS)
		}
	}
	doc := render(l)
	mustContain(t, doc, "15 runs of this lesson", ">1 of 3<", ">3 of 3<", `id="rounds"`)
	// 1 sequential + 2 cooperative + 2 workers bars, each with a whisker.
	wall := doc[strings.Index(doc, `id="chart-wall"`):]
	wall = wall[:strings.Index(wall, "</svg>")]
	if n := strings.Count(wall, `<g class="bar `); n != 5 {
		t.Errorf("%d bars, want 5", n)
	}
	if n := strings.Count(wall, `class="whisker"`); n != 15 {
		t.Errorf("%d whisker lines, want 15", n)
	}
}

// dbupdate unlocked loses an update at N = 2: its run is on the chart,
// in its own N = 2 group, marked with the check's note.
func TestDBUpdateUnlockedDrawn(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=dbupdate&variant=unlocked&delay=20&modes=sequential,cooperative&workers=2&rounds=1")
	l.browser = &fakeBrowser{}
	l.native = nativeInfo{Source: nativeNone}
	l.runAll(ctx)
	eng.ConsumeAll()
	var lost bool
	for _, r := range l.recs {
		if r.Mode == modeCooperative && !r.Result.Check.OK {
			lost = true
		}
	}
	if !lost {
		t.Fatalf("the unlocked run lost no update: %+v", l.recs)
	}
	doc := render(l)
	wall := doc[strings.Index(doc, `id="chart-wall"`):]
	wall = wall[:strings.Index(wall, "</svg>")]
	mustContain(t, wall, ">N = 2<", "bar-failed", ">✗<")
	mustContain(t, doc, `class="chart-flags"`, "cooperative, N = 2: ")
}

// Value labels of bars side by side at about the same height never
// overlap: the dbupdate lesson's 407 ms and 402 ms, 203 ms and 201 ms.
func TestWallLabelsDoNotOverlap(t *testing.T) {
	p := map[string]any{"count": int64(1000)}
	var recs []record
	i := 0
	add := func(mode string, n int, wall int64) {
		recs = append(recs, rec(string(rune('a'+i)), i, mode, n, wall, p))
		i++
	}
	add("sequential", 1, 407_000)
	recs = append(recs, rec("n0", i, "sequential", 1, 402_000, p))
	for _, n := range []int{1, 2, 4} {
		add("cooperative", n, 406_000/int64(min(n, 2)))
		add("goroutines", n, 402_000/int64(min(n, 2)))
	}
	svg := wallSVG("w", buildChartData(recs, nil, "countdown", p, 2), 460)
	type label struct{ x, y, half float64 }
	var ls []label
	for _, m := range regexp.MustCompile(`<text x="([-\d.]+)" y="([-\d.]+)" class="value"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		// About 6.8 px a character: "407 ms" is about 40 px wide.
		ls = append(ls, label{x, y, 6.8 * float64(utf8.RuneCountInString(m[3])) / 2})
	}
	if len(ls) < 4 {
		t.Fatalf("%d value labels, want the bars' values:\n%s", len(ls), svg)
	}
	for i := range ls {
		for j := i + 1; j < len(ls); j++ {
			a, b := ls[i], ls[j]
			if math.Abs(a.y-b.y) < 10 && math.Abs(a.x-b.x) < a.half+b.half {
				t.Errorf("labels at x %.0f and %.0f (y %.0f, %.0f) overlap", a.x, b.x, a.y, b.y)
			}
		}
	}
}
