//go:build js

package workloads

import (
	"context"
	"time"
)

var processStart = time.Now()

// basicEnv is the fallback Env inside wasm when the caller supplies none:
// it has a clock and Go memory but cannot fetch (the browser engine in
// package wasm supplies a real one).
type basicEnv struct{}

func (basicEnv) Now() int64                                    { return int64(time.Since(processStart) / time.Microsecond) }
func (basicEnv) Shared(n int) Shared                           { return make(Int32s, n) }
func (basicEnv) Fetch(context.Context, string) ([]byte, error) { return nil, ErrNoFetch }

func defaultEnv() Env { return basicEnv{} }

const engineName = "wasm"
