//go:build !wasm

// Package server is conlab's native side: the HTTP server behind
// `conlab serve` (the lab's pages and static files, and a JSON API that
// runs workloads natively), the child-process runner it uses, and the
// recorded baseline written by `conlab baseline`.
//
// The lab's pages (index.html, app.js, the web manifest) and its service
// worker (app-worker.js) are the static site's, made by package site for
// the files of the web root and served from memory: a first visit caches
// one version whole for offline use, and a rebuild of the web root is a
// new version the page offers and switches to only when the reader
// accepts it. go-app's own service worker is not served.
//
// Every native run of the API happens in a child process of the server's
// own executable (`conlab run -json -request -`): GOMAXPROCS is then per
// run, a deadline can kill the run (its whole process group), and a run
// that misbehaves cannot disturb the server. [RunJSON] is the child's side
// of that protocol and [Execute] runs a request in the current process.
//
// # API
//
// Every endpoint answers JSON; an error is
//
//	{"error": "workers: 65 is out of range; allowed: ...", "field": "workers"}
//
// with status 400 (bad JSON or parameter), 403 (a POST from another
// origin), 404 (unknown path, or no recorded baseline), 405 (wrong method,
// with Allow), 413 (body over the limit), 415 (a POST that is not
// application/json), 421 (on loopback, a Host that is not the server's:
// DNS rebinding), 422 (a mode the workload or the native engine cannot
// run, or a run over the whole memory budget, with what fits), 429 (busy,
// or the client's own runs at their bound; with Retry-After), 503 (the
// server is shutting down, or out of file descriptors), 504 (the run
// outlived its deadline; "result" then holds what the run did until then)
// or 500 (a child process crashed, or was stopped at its memory cap:
// field "memory"; the error holds its stderr).
//
// Runs are admitted by what they use, as each workload declares it
// (workloads.Cost): the cores they keep busy and their peak memory, within
// the server's budgets (Config.Cores, Config.Memory), with at most
// Config.PerClient runs per client address in progress or waiting. Each
// run's process is capped at twice its estimate (GOMEMLIMIT, and
// RLIMIT_DATA on Linux).
//
// A run that ends in a deadlock or a task's error is still a result (200)
// whose "error" field says what happened: it is what the lesson shows.
// Every run answer is live: no outcome is stored for later requests.
//
//	GET  /api/workloads  the catalog: every workload with its parameters and bounds
//	POST /api/run        a workloads.Request in, a workloads.Result out
//	GET  /api/delay      the download workload's endpoint (?ms=&id=&run=)
//	GET  /api/health     liveness and the run queue's state
//	GET  /api/baseline   the recorded baseline file (see [Baseline])
//
// A run request uses the modes "sequential" and "goroutines" with the
// GOMAXPROCS it names (0: every core). Identical requests in flight at the
// same moment may share one run: each then gets the same result, with
// "shared" set to how many requests received it (see
// workloads.Result.Shared). Workloads whose outcome varies from run to run
// (races, deadlock: workloads.Workload.Varies) always run once per request.
// The recorded baseline (/api/baseline) is the one stored figure; it
// carries the date and the machine it was recorded on.
package server
