// Package site writes the lab as a static website: a self-contained
// folder that any plain static file server can serve at any sub-path
// (https://school.example/course/week3/lab/), with no server code and no
// URL to another host, and that keeps working offline after one visit.
//
// go-app bakes absolute URLs into the files it generates (the resource
// prefix, the service worker's URL and cache list, the manifest's start
// URL, app.js's wasm URL). Pages renders them with a placeholder
// prefix and rewrites every such URL to one relative to the folder's root,
// where the only page, index.html, lives; the prefix go-app's router and
// the worker pool need is computed in the page at run time from its own
// address. The service worker is the lab's own (see sw.js): it precaches
// every file of one version, checked against the hashes of this build, and
// switches versions only when the reader accepts the update, so a new
// deployment is never half-applied.
//
// `conlab serve` serves the same pages and service worker from memory
// (Pages, Version, ServiceWorker): one mechanism for both.
//
// The package builds natively only (go-app's generator is not in its
// wasm build); this file alone builds everywhere, so that tools run
// over the whole module for js/wasm find a package here.
package site
