package charts

// Frame is a chart's size and the margins around its plot area, where
// axis labels and legends go.
type Frame struct {
	W, H                     float64
	Left, Right, Top, Bottom float64
}

// X0 is the left edge of the plot area.
func (f Frame) X0() float64 { return f.Left }

// X1 is the right edge of the plot area.
func (f Frame) X1() float64 { return max(f.Left, f.W-f.Right) }

// Y0 is the top edge of the plot area.
func (f Frame) Y0() float64 { return f.Top }

// Y1 is the bottom edge of the plot area (the x axis).
func (f Frame) Y1() float64 { return max(f.Top, f.H-f.Bottom) }

// Point is a position in the chart.
type Point struct{ X, Y float64 }
