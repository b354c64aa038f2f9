package ui

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// Labels at one N never overlap and stay between the top and the bottom;
// labels elsewhere keep their place.
func TestPlaceNear(t *testing.T) {
	in := []chartLabel{{X: 10, Y: 50, Text: "a"}, {X: 10, Y: 52, Text: "b"}, {X: 10, Y: 49, Text: "c"}, {X: 30, Y: 50, Text: "d"}, {X: 10, Y: 198, Text: "e"}, {X: 10, Y: 2, Text: "f"}}
	for i := range in {
		in[i].CharW = 6.8
	}
	p := labelPlacer{Line: 12, Top: 10, Bottom: 200}
	out := p.placeNear(in)
	if len(out) != len(in) {
		t.Fatalf("placed %d of %d labels: %+v", len(out), len(in), out)
	}
	var ys []float64
	for _, l := range out {
		if l.X == 10 {
			ys = append(ys, l.Y)
		}
		if l.Text == "d" && l.Y != 50 {
			t.Errorf("a lone label moved: %+v", l)
		}
		if l.Y < 10 || l.Y > 200 {
			t.Errorf("%+v is outside 10 to 200", l)
		}
	}
	for i := range ys {
		for j := range ys {
			if i != j && math.Abs(ys[i]-ys[j]) < 12 {
				t.Errorf("labels overlap: %v", out)
			}
		}
	}
	// No room: the label placed last is dropped.
	q := labelPlacer{Line: 12, Top: 10, Bottom: 20}
	if got := q.placeNear([]chartLabel{{X: 0, Y: 12, Text: "1", CharW: 7}, {X: 0, Y: 14, Text: "2", CharW: 7}}); len(got) != 1 || got[0].Text != "1" {
		t.Errorf("in room for one: placed %+v", got)
	}
}

// The bound's label keeps clear of the efficiency labels of points that
// reach the bound: the subprocess lesson's two children give 2× at N = 2
// and N = 4, on the flat part of the line its label sat on.
func TestIdealLabelClearsEfficiencies(t *testing.T) {
	d := chartData{Wall: map[runKey]float64{{serSequential, 1}: 1000, {serCooperative, 1}: 1000, {serCooperative, 2}: 500, {serCooperative, 4}: 500,
		{serWorkers, 1}: 1000, {serWorkers, 2}: 505, {serWorkers, 4}: 505, {serNativeSeq, 1}: 914, {serNative, 1}: 914, {serNative, 2}: 452, {serNative, 4}: 455},
		Counts: []int{1, 2, 4}, Cores: 2, Limit: lessonBound("subprocess", map[string]any{"children": int64(2)})}
	svg := speedSVG("s", d, 400)
	label := regexp.MustCompile(`<text x="([\d.]+)" y="([\d.]+)" class="ideal-label"[^>]*>([^<]*)<`).FindStringSubmatch(svg)
	if label == nil {
		t.Fatalf("no ideal label:\n%s", svg)
	}
	lx, _ := strconv.ParseFloat(label[1], 64)
	ly, _ := strconv.ParseFloat(label[2], 64)
	lx0 := lx - float64(len([]rune(label[3])))*5.5
	for _, m := range regexp.MustCompile(`<text x="([\d.]+)" y="([\d.]+)" class="eff"[^>]*>([^<]*)<`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		if x < lx && x+float64(len(m[3]))*8 > lx0 && y > ly-11 && y-10 < ly+2 {
			t.Errorf("efficiency label %q at (%.0f, %.0f) runs into the ideal label %q at (%.0f-%.0f, %.0f)", m[3], x, y, label[3], lx0, lx, ly)
		}
	}
}

// labelBoxes returns the chart's text labels of the given classes: where
// each begins and ends (at about charW a character) and its baseline.
func labelBoxes(svg string, charW map[string]float64) []chartLabel {
	var ls []chartLabel
	re := regexp.MustCompile(`<text x="([-\d.]+)" y="([-\d.]+)" class="([a-z-]+)" text-anchor="([a-z]+)"[^>]*>([^<]*)</text>`)
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		w, ok := charW[m[3]]
		if !ok {
			continue
		}
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		ls = append(ls, chartLabel{X: x, Y: y, Text: m[5], Anchor: m[4], CharW: w})
	}
	return ls
}

// overlapping reports labels that overlap: closer than line in height
// where their widths meet.
func overlapping(t *testing.T, ls []chartLabel, line float64) {
	t.Helper()
	for i := range ls {
		for j := i + 1; j < len(ls); j++ {
			a0, a1 := ls[i].extent()
			b0, b1 := ls[j].extent()
			if a0 < b1 && b0 < a1 && math.Abs(ls[i].Y-ls[j].Y) < line {
				t.Errorf("%q at (%.0f, %.0f) and %q at (%.0f, %.0f) overlap", ls[i].Text, ls[i].X, ls[i].Y, ls[j].Text, ls[j].X, ls[j].Y)
			}
		}
	}
}

// The subprocess lesson's efficiency labels at N = 2, where every mode
// reaches the top of the chart (100 %, 96 %, 94 %), never overlap: the
// top one was lifted to the frame's top after they were spread, onto the
// next one.
func TestEfficiencyLabelsDoNotOverlap(t *testing.T) {
	d := chartData{Wall: map[runKey]float64{{serSequential, 1}: 1000, {serCooperative, 1}: 1000, {serCooperative, 2}: 532, {serCooperative, 4}: 532,
		{serWorkers, 1}: 1020, {serWorkers, 2}: 521, {serWorkers, 4}: 521, {serNativeSeq, 1}: 914, {serNative, 1}: 914, {serNative, 2}: 457, {serNative, 4}: 457},
		Counts: []int{1, 2, 4}, Cores: 2, Limit: lessonBound("subprocess", map[string]any{"children": int64(2)})}
	for _, width := range []float64{300, 460, 640} {
		svg := speedSVG("s", d, width)
		ls := labelBoxes(svg, map[string]float64{"eff": 6.8, "ideal-label": 5.5})
		if len(ls) < 6 {
			t.Fatalf("width %.0f: %d labels, want the ideal line's and the efficiencies at N = 2 and 4:\n%s", width, len(ls), svg)
		}
		overlapping(t, ls, 11)
	}
}

// Labels of points that coincide say the same once: the sleep lesson's
// three series at 62 % at N = 4 showed "62%" three times.
func TestCoincidingLabelsOnce(t *testing.T) {
	p := labelPlacer{Line: 12, Top: 0, Bottom: 200}
	got := p.placeNear([]chartLabel{{X: 10, Y: 50, Text: "62%", CharW: 6.8}, {X: 10, Y: 51, Text: "62%", CharW: 6.8}, {X: 10, Y: 50, Text: "83%", CharW: 6.8}})
	if len(got) != 2 || got[0].Text != "62%" || got[1].Text != "83%" {
		t.Errorf("placed %+v, want one 62%% and the 83%%", got)
	}
}
