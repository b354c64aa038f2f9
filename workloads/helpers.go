package workloads

import (
	"strconv"
	"time"
)

// split divides total into n parts that differ by at most one, dropping
// empty parts (so there are never more tasks than units of work).
func split(total int64, n int) []int64 {
	if int64(n) > total {
		n = int(max(total, 1))
	}
	parts := make([]int64, n)
	for i := range parts {
		parts[i] = total / int64(n)
		if int64(i) < total%int64(n) {
			parts[i]++
		}
	}
	return parts
}

// sum adds values with wrap-around, the arithmetic of every checksum here.
func sum(v []uint64) uint64 {
	var s uint64
	for _, x := range v {
		s += x
	}
	return s
}

// equalCheck compares a combined value with the expected one.
func equalCheck(got, want uint64, okNote string) Check {
	c := Check{Value: strconv.FormatUint(got, 10), Expected: strconv.FormatUint(want, 10), OK: got == want}
	if c.OK {
		c.Note = okNote
	} else {
		c.Note = "the combined value differs from the expected one"
	}
	return c
}

// plural writes n and the noun, singular for one: "1 lane", "2 lanes".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// formatDuration writes d for a student: whole microseconds below a
// millisecond, else three significant digits in ms or s ("999 µs",
// "61.8 ms", "1.25 s"), never Go's "61.801ms".
func formatDuration(d time.Duration) string {
	us := float64(d) / float64(time.Microsecond)
	sig3 := func(v float64) string {
		switch {
		case v >= 100:
			return strconv.FormatFloat(v, 'f', 0, 64)
		case v >= 10:
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	switch {
	case us < 1000:
		return strconv.FormatFloat(us, 'f', 0, 64) + " µs"
	case us < 1e6:
		return sig3(us/1e3) + " ms"
	}
	return sig3(us/1e6) + " s"
}
