// Package e2e holds the lab's end-to-end tests of its two ways of being
// published: the static site (package site) under a sub-path behind a
// plain net/http file server, and `conlab serve` (package server,
// in-process). They build the wasm binaries and the site once into a
// temporary folder, serve the lab on 127.0.0.1, and drive it in the
// three engines through package webdriver: Chromium, Firefox ESR and
// WebKitGTK.
//
//   - The embedding scenario (embed_test.go): a host page of another
//     origin (the test's collector) embeds the lab in an iframe and opens
//     it in a window, drives it with the embedding API (lab:run,
//     lab:result, lab:resize, lab:offline), checks how malformed
//     messages are answered, and posts everything it saw to the
//     collector. Between the two phases the test stops the lab's server:
//     the second phase loads the lab again, offline, from its service
//     worker, and runs the same lessons.
//   - Offline after one visit, the update prompt (a new version deployed
//     under two open pages), and 20 fresh-profile first visits that must
//     not offer an update: each against both labs.
//
// The tests skip with a message when a browser is missing, and fail
// instead when CONLAB_REQUIRE_BROWSERS=1 (as CI sets it). -short skips
// them.
package e2e
