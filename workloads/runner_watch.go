package workloads

// A watchdog outside the engine (the browser's worker pool, which runs one
// Runner per Web Worker) needs what Job.Run's own watchdog reads.

// Stuck returns the tasks this runner is running now if every one of them
// is Blocked, sorted by task; nil when any is not, or none runs.
func (r *Runner) Stuck() []StuckTask { return r.stuck() }

// Progress counts the runner's state changes and finished tasks: while it
// stays the same, no task of this runner has moved.
func (r *Runner) Progress() int64 { return r.progress.Load() }
