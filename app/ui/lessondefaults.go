package ui

import "slices"

// lessonWorkers are the worker counts a lesson's default view compares
// when they differ from defaultWorkers: the semaphore of K = 3 binds only
// with more lanes than permits, so its view goes up to 8.
var lessonWorkers = map[string][]int{
	"semaphore": {1, 2, 4, 8},
}

// defaultWorkersOf returns the worker counts lesson id compares when the
// URL names none.
func defaultWorkersOf(id string) []int {
	if ns, ok := lessonWorkers[id]; ok {
		return slices.Clone(ns)
	}
	return slices.Clone(defaultWorkers)
}
