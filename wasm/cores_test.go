//go:build js && wasm

package wasm

import "testing"

func TestCoresOf(t *testing.T) {
	for _, c := range []struct {
		ratio    float64
		reported int
		want     int
	}{
		{1.0, 2, 1}, {1.3, 2, 1}, {1.5, 2, 2}, {1.95, 2, 2}, {2.0, 4, 2}, {2.05, 4, 2}, {2.2, 4, 3}, {3.9, 4, 4}, {5, 4, 4}, {0, 8, 1}, {0.2, 1, 1},
	} {
		if got := coresOf(c.ratio, c.reported); got != c.want {
			t.Errorf("coresOf(%.2f, %d) = %d, want %d", c.ratio, c.reported, got, c.want)
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
