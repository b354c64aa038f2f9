package workloads

import "strconv"

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
