// Package e2e holds the lab's end-to-end tests of the static site: they
// build the wasm binaries and the site (package site) into a temporary
// folder, serve it with a plain net/http file server under a sub-path on
// 127.0.0.1, and drive it in the three engines, through package
// webdriver: Chromium, Firefox ESR and WebKitGTK.
//
// In each, the browser opens a host page of another origin (another port:
// the test's collector), which embeds the lab in an iframe and opens it in
// a window, drives it with the embedding API (lab:run, lab:result,
// lab:resize, lab:offline), checks how malformed messages are answered,
// and posts everything it saw to the collector. Between the two phases
// the test stops the lab's server: the second phase loads the lab again,
// offline, from its service worker, and runs the same lessons.
//
// The tests skip with a message when a browser is missing, and fail
// instead when CONLAB_REQUIRE_BROWSERS=1 (as CI sets it). -short skips
// them.
package e2e
