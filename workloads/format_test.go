package workloads

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		999 * time.Microsecond:   "999 µs",
		61801 * time.Microsecond: "61.8 ms",
		1500 * time.Microsecond:  "1.50 ms",
		250 * time.Millisecond:   "250 ms",
		1250 * time.Millisecond:  "1.25 s",
		0:                        "0 µs",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
