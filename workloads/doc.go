// Package workloads is the catalog of conlab's experiments and the engine
// that runs them.
//
// Every lesson of the lab is a [Workload]: an id, a student-facing
// explanation, typed parameters with bounds, and a [Plan] that splits the
// work into tasks, runs one task, and combines the tasks' outputs into a
// value that can be checked. The same workload code runs natively (real
// threads), inside one Go WebAssembly instance (cooperative goroutines) and
// spread over Web Workers (one instance per task runner): only the [Env]
// it is given differs.
//
// The package is pure Go (standard library and golang.org/x/sync) and
// imports nothing of the project, so both the native server and the
// browser build depend on it.
//
// A run is described by a [Request] and reported as a [Result]. Both have a
// stable JSON form that the worker protocol, the server API, the recorded
// baseline and the embedding API all use unchanged.
package workloads
