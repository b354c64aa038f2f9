//go:build js && wasm && conlabtest

package main

// The test runner builds worker.wasm with the tag conlabtest, so the
// workers know the workloads the tests of package conlab/wasm use.
import _ "conlab/wasm/internal/testworkloads"
