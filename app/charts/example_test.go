package charts_test

import (
	"fmt"

	"conlab/app/charts"
)

func ExampleTicks() {
	fmt.Println(charts.Ticks(0, 97, 5))
	fmt.Println(charts.NiceMax(97, 5))
	// Output:
	// [0 20 40 60 80]
	// 100
}

func ExampleLayoutSpeedup() {
	f := charts.Frame{W: 400, H: 300, Left: 40, Right: 20, Top: 20, Bottom: 40}
	workers := []charts.SpeedPoint{{N: 1, Speedup: 1}, {N: 2, Speedup: 1.9}, {N: 4, Speedup: 2}}
	s := charts.LayoutSpeedup(f, [][]charts.SpeedPoint{workers}, 2, nil)
	for _, p := range s.Series[0] {
		fmt.Printf("N=%d: %.1f× faster, efficiency %.0f%%\n", p.N, p.Speedup, 100*p.Efficiency)
	}
	fmt.Println("ideal line points:", len(s.Ideal)) // up to 2 cores, then flat
	// Output:
	// N=1: 1.0× faster, efficiency 100%
	// N=2: 1.9× faster, efficiency 95%
	// N=4: 2.0× faster, efficiency 50%
	// ideal line points: 3
}

func ExampleView_Zoom() {
	v := charts.FullView(1000) // a run of 1 ms
	v = v.Zoom(4, 500, 1000)   // 4× around its middle
	fmt.Println(v.T0, v.T1)
	v = v.Pan(-1e6, 1000) // far earlier: stops at the start
	fmt.Println(v.T0, v.T1)
	// Output:
	// 375 625
	// 0 250
}

func ExampleFormatMicros() {
	for _, us := range []float64{850, 12_500, 3_421_000} {
		fmt.Println(charts.FormatMicros(us))
	}
	// Output:
	// 850 µs
	// 12.5 ms
	// 3.42 s
}
