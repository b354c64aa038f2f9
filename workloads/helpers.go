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

// plural writes n and the noun, singular for one: "1 lane", "2 lanes",
// "10,000 steps".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return GroupDigits(int64(n)) + " " + noun + "s"
}

// GroupDigits writes n with a comma between groups of three digits, as
// every count a student reads is written: "8,454,856", "250,000,000",
// "-12,345", "999".
func GroupDigits(n int64) string {
	if n < 0 {
		return "-" + groupString(strconv.FormatUint(uint64(-(n+1))+1, 10))
	}
	return groupString(strconv.FormatInt(n, 10))
}

// groupU is GroupDigits for the unsigned counts of the checks.
func groupU(n uint64) string { return groupString(strconv.FormatUint(n, 10)) }

// groupString puts a comma between groups of three of digits.
func groupString(digits string) string {
	out := digits[:1+(len(digits)-1)%3]
	for i := len(out); i < len(digits); i += 3 {
		out += "," + digits[i:i+3]
	}
	return out
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
