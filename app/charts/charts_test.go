package charts

import (
	"math"
	"reflect"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestLinear(t *testing.T) {
	s := Linear{D0: 0, D1: 100, R0: 300, R1: 0} // y axis: 0 at the bottom
	for _, c := range []struct{ v, r float64 }{{0, 300}, {100, 0}, {50, 150}, {150, -150}} {
		if got := s.Map(c.v); !near(got, c.r) {
			t.Errorf("Map(%v) = %v, want %v", c.v, got, c.r)
		}
		if got := s.Invert(c.r); !near(got, c.v) {
			t.Errorf("Invert(%v) = %v, want %v", c.r, got, c.v)
		}
	}
	deg := Linear{D0: 5, D1: 5, R0: 0, R1: 10}
	if got := deg.Map(123); got != 5 {
		t.Errorf("degenerate domain maps to %v, want the middle 5", got)
	}
	if got := (Linear{D0: 0, D1: 10, R0: 4, R1: 4}).Invert(4); got != 5 {
		t.Errorf("degenerate range inverts to %v, want 5", got)
	}
}

func TestBand(t *testing.T) {
	b := Band{N: 4, R0: 0, R1: 400}
	for i := range 4 {
		if !near(b.Start(i), float64(100*i)) || !near(b.Width(), 100) {
			t.Errorf("band %d: start %v width %v", i, b.Start(i), b.Width())
		}
	}
	p := Band{N: 3, R0: 10, R1: 310, Inner: 0.2, Outer: 0.1}
	// The bands and their padding fill the range exactly.
	end := p.Start(2) + p.Width() + p.step()*p.Outer
	if !near(end, 310) || !near(p.Start(0)-p.step()*p.Outer, 10) {
		t.Errorf("padded bands do not fill the range: first %v, end %v", p.Start(0), end)
	}
	if p.Width() >= p.Start(1)-p.Start(0) {
		t.Errorf("inner padding missing: width %v, step %v", p.Width(), p.Start(1)-p.Start(0))
	}
	if (Band{}).Width() != 0 || (Band{}).Start(3) != 0 {
		t.Error("an empty band must not divide by zero")
	}
}

func TestTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10, 5, []float64{0, 2, 4, 6, 8, 10}},
		{0, 1, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 97, 5, []float64{0, 20, 40, 60, 80}},
		{3, 17, 3, []float64{5, 10, 15}},
		{-1, 1, 4, []float64{-1, -0.5, 0, 0.5, 1}},
		{0, 3400, 4, []float64{0, 1000, 2000, 3000}},
		{7, 7, 5, []float64{7}},
	}
	for _, c := range cases {
		if got := Ticks(c.lo, c.hi, c.n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Ticks(%v, %v, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
		}
	}
	if got := Ticks(math.NaN(), 1, 5); got != nil {
		t.Errorf("Ticks(NaN) = %v, want nil", got)
	}
	for _, c := range []struct{ hi, want float64 }{{97, 100}, {100, 100}, {1.3, 1.4}, {0, 1}, {-5, 1}, {math.Inf(1), 1}, {4.2, 5}} {
		if got := NiceMax(c.hi, 5); !near(got, c.want) {
			t.Errorf("NiceMax(%v) = %v, want %v", c.hi, got, c.want)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := map[float64]string{
		0: "0 µs", 850: "850 µs", 999.4: "999 µs", 1000: "1 ms", 12_500: "12.5 ms",
		123_456: "123 ms", 3_421_000: "3.42 s", 61_000_000: "61 s", -2500: "-2.5 ms",
	}
	for us, want := range cases {
		if got := FormatMicros(us); got != want {
			t.Errorf("FormatMicros(%v) = %q, want %q", us, got, want)
		}
	}
	if got := FormatMicros(math.NaN()); got != "–" {
		t.Errorf("FormatMicros(NaN) = %q", got)
	}
	lab := TimeTickLabel(2_000_000)
	if got := lab(500_000); got != "0.5 s" {
		t.Errorf("second ticks: %q", got)
	}
	if got := TimeTickLabel(40_000)(20_000); got != "20 ms" {
		t.Errorf("ms ticks: %q", got)
	}
	if got := FormatNumber(2.0004); got != "2" {
		t.Errorf("FormatNumber = %q", got)
	}
	if got := FormatMillis(0.01234); got != "0.01" {
		t.Errorf("FormatMillis = %q", got)
	}
}

func TestLayoutBars(t *testing.T) {
	f := Frame{W: 500, H: 300, Left: 50, Right: 10, Top: 10, Bottom: 40}
	nan := math.NaN()
	groups := []Group{
		{Label: "sequential", Values: []float64{1000, nan, nan, 400}},
		{Label: "N=2", Values: []float64{nan, 980, 510, 210}},
	}
	b := LayoutBars(f, groups, nil)
	if len(b.Bars) != 5 {
		t.Fatalf("bars = %d, want 5 (missing values have no bar)", len(b.Bars))
	}
	if b.Y.D1 != 1000 {
		t.Errorf("value axis tops at %v, want 1000", b.Y.D1)
	}
	for _, bar := range b.Bars {
		if !near(bar.Y+bar.H, f.Y1()) {
			t.Errorf("bar %+v does not stand on the axis", bar)
		}
		if bar.X < f.X0() || bar.X+bar.W > f.X1()+1e-9 {
			t.Errorf("bar %+v leaves the plot", bar)
		}
		if want := bar.Value / 1000 * (f.Y1() - f.Y0()); !near(bar.H, want) {
			t.Errorf("bar height %v, want %v (proportional to value)", bar.H, want)
		}
	}
	// Bars of one group do not overlap and stay inside the group's band.
	g1 := b.Bars[2:]
	for i := 1; i < len(g1); i++ {
		if g1[i].X < g1[i-1].X+g1[i-1].W {
			t.Errorf("bars overlap: %+v and %+v", g1[i-1], g1[i])
		}
	}
	if b.Bars[0].W != b.Bars[1].W || b.Bars[2].W >= b.Bars[0].W {
		t.Errorf("a group of 2 gets wider bars than a group of 3: %v %v", b.Bars[0].W, b.Bars[2].W)
	}
	if len(b.Groups) != 2 || b.Groups[0].Pos >= b.Groups[1].Pos {
		t.Errorf("group labels %+v", b.Groups)
	}
	if len(b.YTicks) < 3 || b.YTicks[0].Pos != f.Y1() {
		t.Errorf("y ticks %+v", b.YTicks)
	}
	empty := LayoutBars(f, nil, nil)
	if len(empty.Bars) != 0 || empty.Y.D1 != 1 {
		t.Errorf("empty chart: %+v", empty)
	}
}

// A bar's whisker spans its runs' range on the same axis as the bar, and
// the axis reaches the highest whisker; a range that does not hold its
// value, or a missing one, draws no whisker.
func TestLayoutBarsWhiskers(t *testing.T) {
	f := Frame{W: 500, H: 300, Left: 50, Right: 10, Top: 10, Bottom: 40}
	nan := math.NaN()
	groups := []Group{
		{Label: "sequential", Values: []float64{1000, nan}, Low: []float64{900, nan}, High: []float64{1700, nan}},
		{Label: "N=2", Values: []float64{500, 400}, Low: []float64{600, nan}, High: []float64{700, 450}},
		{Label: "N=4", Values: []float64{300}},
	}
	b := LayoutBars(f, groups, nil)
	if len(b.Bars) != 4 {
		t.Fatalf("bars = %d, want 4", len(b.Bars))
	}
	if b.Y.D1 < 1700 {
		t.Errorf("value axis tops at %v, below the highest whisker 1700", b.Y.D1)
	}
	w := b.Bars[0]
	if !w.Whisker || w.Low != 900 || w.High != 1700 || !near(w.YLow, b.Y.Map(900)) || !near(w.YHigh, b.Y.Map(1700)) {
		t.Errorf("whisker of the first bar: %+v", w)
	}
	if w.YHigh >= w.Y || w.YLow <= w.Y {
		t.Errorf("the whisker does not straddle the bar's top: %+v", w)
	}
	for _, i := range []int{1, 2, 3} {
		if b.Bars[i].Whisker {
			t.Errorf("bar %d has a whisker from an unusable range: %+v", i, b.Bars[i])
		}
	}
}

func TestLayoutSpeedup(t *testing.T) {
	f := Frame{W: 400, H: 300, Left: 40, Right: 20, Top: 10, Bottom: 30}
	workers := []SpeedPoint{{4, 2.0}, {1, 1.0}, {2, 1.9}, {0, 9}, {8, math.NaN()}}
	coop := []SpeedPoint{{1, 1}, {2, 1.01}, {4, 0.99}}
	s := LayoutSpeedup(f, [][]SpeedPoint{workers, coop}, 2, nil)
	if len(s.Series) != 2 || len(s.Series[0]) != 3 {
		t.Fatalf("series %+v: invalid points must be dropped", s.Series)
	}
	w := s.Series[0]
	if w[0].N != 1 || w[1].N != 2 || w[2].N != 4 {
		t.Errorf("points not sorted by N: %+v", w)
	}
	if !near(w[1].Efficiency, 0.95) || !near(w[2].Efficiency, 0.5) {
		t.Errorf("efficiency: %+v", w)
	}
	// Ideal: up to 2 cores along y = n, then flat to N = 4.
	if len(s.Ideal) != 3 {
		t.Fatalf("ideal line %+v", s.Ideal)
	}
	if !near(s.Ideal[1].X, s.X.Map(2)) || !near(s.Ideal[1].Y, s.Y.Map(2)) || !near(s.Ideal[2].Y, s.Ideal[1].Y) || !near(s.Ideal[2].X, s.X.Map(4)) {
		t.Errorf("ideal line %+v", s.Ideal)
	}
	if s.X.D1 != 4 || s.Y.D1 < 2 {
		t.Errorf("axes x %+v y %+v", s.X, s.Y)
	}
	var xs []string
	for _, tk := range s.XTicks {
		xs = append(xs, tk.Label)
	}
	if !reflect.DeepEqual(xs, []string{"1", "2", "4"}) {
		t.Errorf("x ticks %v, want the measured worker counts", xs)
	}
	// More cores than workers: the ideal line is straight to the last N.
	s8 := LayoutSpeedup(f, [][]SpeedPoint{{{1, 1}, {2, 2}}}, 8, nil)
	if len(s8.Ideal) != 2 || !near(s8.Ideal[1].Y, s8.Y.Map(2)) {
		t.Errorf("ideal with many cores: %+v", s8.Ideal)
	}
	if z := LayoutSpeedup(f, nil, 0, nil); z.Cores != 1 || len(z.Ideal) != 2 {
		t.Errorf("empty speed-up chart: %+v", z)
	}
	// Worker counts without a point (their runs did the work wrong) keep
	// their place on the x axis.
	c := LayoutSpeedup(f, [][]SpeedPoint{{{1, 1}}}, 2, []int{1, 2, 4, 0})
	xs = nil
	for _, tk := range c.XTicks {
		xs = append(xs, tk.Label)
	}
	if c.X.D1 != 4 || !reflect.DeepEqual(xs, []string{"1", "2", "4"}) || !near(c.Ideal[len(c.Ideal)-1].X, c.X.Map(4)) {
		t.Errorf("counts 1, 2, 4 with a point at 1: x %+v, ticks %v, ideal %+v", c.X, xs, c.Ideal)
	}
}

func TestView(t *testing.T) {
	total := 1000.0
	v := FullView(total)
	if v != (View{0, 1000}) || v.Zoomed(total) {
		t.Fatalf("full view %+v", v)
	}
	z := v.Zoom(2, 250, total)
	if !near(z.Width(), 500) || !near(z.T0, 125) {
		t.Errorf("zoom around 250: %+v", z)
	}
	// The anchor stays at the same fraction of the view.
	if fa, fb := (250-v.T0)/v.Width(), (250-z.T0)/z.Width(); !near(fa, fb) {
		t.Errorf("anchor moved: %v -> %v", fa, fb)
	}
	if !z.Zoomed(total) {
		t.Error("zoomed view not reported as zoomed")
	}
	if p := z.Pan(-1e6, total); p.T0 != 0 || !near(p.Width(), 500) {
		t.Errorf("pan past the start: %+v", p)
	}
	if p := z.Pan(1e6, total); p.T1 != total || !near(p.Width(), 500) {
		t.Errorf("pan past the end: %+v", p)
	}
	if o := z.Zoom(0.01, 0, total); o != v {
		t.Errorf("zooming far out: %+v, want the full view", o)
	}
	if in := v.Zoom(1e9, 500, total); !near(in.Width(), MinViewUS) {
		t.Errorf("zooming far in: %+v, want width %v", in, MinViewUS)
	}
	if bad := v.Zoom(math.NaN(), 1, total); bad != v {
		t.Errorf("NaN zoom: %+v", bad)
	}
	if bad := (View{math.NaN(), 5}).Clamp(total); bad != v {
		t.Errorf("NaN view: %+v", bad)
	}
	if tiny := FullView(0); tiny.Width() != MinViewUS {
		t.Errorf("empty run view %+v", tiny)
	}
}

func TestLayoutTimeline(t *testing.T) {
	f := Frame{W: 600, Left: 80, Right: 20, Top: 4, Bottom: 24}
	spans := []Interval{
		{Lane: 1, Start: 0, End: 500, Index: 0},
		{Lane: 0, Start: 0, End: 1000, Index: 1},
		{Lane: 1, Start: 500, End: 501, Index: 2}, // 1 µs: widened to stay visible
		{Lane: 3, Start: 200, End: 100, Index: 3}, // malformed
	}
	tl := LayoutTimeline(f, 20, 4, spans, FullView(1000))
	if len(tl.Lanes) != 2 || tl.Lanes[0].ID != 0 || tl.Lanes[1].ID != 1 {
		t.Fatalf("lanes %+v, want one per lane id, in order", tl.Lanes)
	}
	if want := 4 + 2*24 - 4 + 24.0; tl.Frame.H != want {
		t.Errorf("height %v, want %v", tl.Frame.H, want)
	}
	if len(tl.Rects) != 3 || tl.Hidden != 1 {
		t.Fatalf("rects %+v hidden %d", tl.Rects, tl.Hidden)
	}
	byIdx := map[int]Rect{}
	for _, r := range tl.Rects {
		byIdx[r.Index] = r
	}
	if r := byIdx[1]; !near(r.X, 80) || !near(r.W, 500) || r.Y != tl.Lanes[0].Y {
		t.Errorf("full-width span %+v", r)
	}
	if r := byIdx[0]; !near(r.W, 250) || r.Y != tl.Lanes[1].Y {
		t.Errorf("half span %+v", r)
	}
	if r := byIdx[2]; r.W != MinRectW {
		t.Errorf("short span width %v, want %v", r.W, MinRectW)
	}
	// Lanes asked for are drawn with no span, in order with the others.
	wl := LayoutTimelineLanes(f, 20, 4, spans, FullView(1000), []int{2, 0})
	if len(wl.Lanes) != 3 || wl.Lanes[0].ID != 0 || wl.Lanes[1].ID != 1 || wl.Lanes[2].ID != 2 || len(wl.Rects) != 3 {
		t.Errorf("lanes %+v, rects %d: want lanes 0, 1 and the empty 2", wl.Lanes, len(wl.Rects))
	}
	// Zoomed on [400, 600]: the first span is clipped, the others too.
	zl := LayoutTimeline(f, 20, 4, spans, View{400, 600})
	for _, r := range zl.Rects {
		if r.X < f.Left-1e-9 || r.X+r.W > f.W-f.Right+1e-9 {
			t.Errorf("rect %+v leaves the plot when zoomed", r)
		}
	}
	if got := LayoutTimeline(f, 20, 4, spans, View{600, 700}); len(got.Rects) != 1 || got.Hidden != 3 {
		t.Errorf("late view: %d rects, %d hidden", len(got.Rects), got.Hidden)
	}
	if len(tl.Ticks) < 2 || tl.Ticks[0].Label != "0 ms" || tl.Ticks[len(tl.Ticks)-1].Label != "1 ms" {
		t.Errorf("ticks %+v", tl.Ticks)
	}
	if e := LayoutTimeline(f, 20, 4, nil, FullView(0)); len(e.Lanes) != 0 || e.Frame.H != 48 {
		t.Errorf("empty timeline %+v", e)
	}
}

func TestMaxOverlap(t *testing.T) {
	iv := func(s, e float64) Interval { return Interval{Start: s, End: e} }
	cases := []struct {
		spans []Interval
		want  int
	}{
		{nil, 0},
		{[]Interval{iv(0, 10)}, 1},
		{[]Interval{iv(0, 10), iv(10, 20)}, 1}, // hand-over, not overlap
		{[]Interval{iv(0, 10), iv(5, 20), iv(6, 7), iv(30, 40)}, 3},
		{[]Interval{iv(0, 10), iv(0, 10), iv(0, 10), iv(0, 10), iv(10, 20)}, 4},
		{[]Interval{iv(5, 5), iv(3, 1)}, 0},
	}
	for _, c := range cases {
		if got := MaxOverlap(c.spans); got != c.want {
			t.Errorf("MaxOverlap(%v) = %d, want %d", c.spans, got, c.want)
		}
	}
}
