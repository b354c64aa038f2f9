package ui

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// Labels at one N never overlap; labels elsewhere keep their place.
func TestSpreadLabels(t *testing.T) {
	in := []effLabel{{X: 10, Y: 50, Text: "a"}, {X: 10, Y: 52, Text: "b"}, {X: 10, Y: 49, Text: "c"}, {X: 30, Y: 50, Text: "d"}, {X: 10, Y: 198, Text: "e"}}
	out := spreadLabels(in, 12, 0, 200)
	var ys []float64
	for _, l := range out {
		if l.X == 10 {
			ys = append(ys, l.Y)
		}
		if l.Text == "d" && l.Y != 50 {
			t.Errorf("a lone label moved: %+v", l)
		}
	}
	for i := range ys {
		for j := range ys {
			if i != j && math.Abs(ys[i]-ys[j]) < 12 {
				t.Errorf("labels overlap: %v", out)
			}
		}
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
