//go:build js && wasm

package wasm

import "testing"

func TestCoresOf(t *testing.T) {
	for _, c := range []struct {
		ratio    float64
		reported int
		want     int
	}{
		{1.0, 2, 1}, {1.3, 2, 1}, {1.45, 2, 1}, {1.5, 2, 2}, {1.95, 2, 2}, {2.0, 4, 2}, {2.05, 4, 2}, {3.9, 4, 4}, {5, 4, 4}, {0, 8, 1}, {0.2, 1, 1},
		// Noisy ratios of two cores measured with four threads (one held
		// off until the others ended): still 2, not 3.
		{2.2, 4, 2}, {2.45, 4, 2}, {2.5, 4, 3}, {2.9, 4, 3}, {3.3, 4, 3}, {3.45, 4, 4},
		// Never more than the threads measured, whatever the ratio.
		{2.2, 2, 2}, {9, 3, 3},
		// Many cores rarely all run flat out: 85 % of them counts.
		{6.85, 8, 8}, {6.7, 8, 7}, {13.7, 16, 16},
	} {
		if got := coresOf(c.ratio, c.reported); got != c.want {
			t.Errorf("coresOf(%.2f, %d) = %d, want %d", c.ratio, c.reported, got, c.want)
		}
	}
}

func TestCoresRatio(t *testing.T) {
	for _, c := range []struct {
		tries  []float64
		ratio  float64
		enough bool
	}{
		{nil, 0, false},
		{[]float64{1.9}, 1.9, false},
		// Two tries that agree: the lower.
		{[]float64{1.9, 1.7}, 1.7, true},
		// Two that disagree (3 cores against 2): a third decides.
		{[]float64{2.6, 1.8}, 1.8, false},
		{[]float64{2.6, 1.8, 1.9}, 1.9, true},
		{[]float64{1.2, 3.6, 3.5}, 3.5, true},
	} {
		r, ok := coresRatio(c.tries, 4)
		if r != c.ratio || ok != c.enough {
			t.Errorf("coresRatio(%v, 4) = %v, %v; want %v, %v", c.tries, r, ok, c.ratio, c.enough)
		}
	}
}

// The pool measures the cores when it first starts, and a pool of the
// default size takes the measured figure.
func TestMeasuredCores(t *testing.T) {
	p := warmPool(t, Config{})
	st := p.Stats()
	t.Logf("reported %d, measured %d (ratio %.2f, %.0f ms)", st.ReportedCores, st.MeasuredCores, st.CoresRatio, st.MeasureMS)
	if st.ReportedCores != HardwareConcurrency() || st.MeasuredCores < 1 || st.MeasuredCores > st.ReportedCores || st.CoresRatio <= 0 || st.MeasureMS <= 0 {
		t.Fatalf("Stats: %+v", st)
	}
	if st.Size != st.MeasuredCores || st.Alive != st.MeasuredCores {
		t.Errorf("a pool of the default size has %d workers (%d alive), want the measured %d", st.Size, st.Alive, st.MeasuredCores)
	}
	// A size given is kept, and not measured.
	q := warmPool(t, Config{Size: 3})
	if st := q.Stats(); st.Size != 3 || st.MeasuredCores != 0 || st.MeasureMS != 0 {
		t.Errorf("a pool of 3: %+v", st)
	}
}
