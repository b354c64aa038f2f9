//go:build !wasm

package server

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Config configures a [Server]. The zero value serves ./public with the
// limits below sized to this machine.
type Config struct {
	// Public is the site's directory: Public/web is served at /web/.
	// "" means "public".
	Public string
	// Isolate sends Cross-Origin-Opener-Policy: same-origin and
	// Cross-Origin-Embedder-Policy: require-corp, which make the page
	// cross-origin isolated so SharedArrayBuffer is available.
	Isolate bool
	// BaselineFile is served at /api/baseline; "" means
	// Public/web/data/baseline.json, where the site ships it.
	BaselineFile string
	// Spawner starts the native runs; nil means this executable.
	Spawner *Spawner
	// Cores is the CPU budget: the runs in progress together keep at most
	// this many cores busy, by their workloads' own declarations (lanes
	// computing, child processes). 0 means runtime.NumCPU().
	Cores int
	// Memory is the memory budget in bytes: the runs in progress together
	// hold at most this much by their workloads' estimates, and a run
	// estimated above it is refused (422). 0 means half of this machine's
	// memory; negative means no budget.
	Memory int64
	// ChildMemoryFloor is what the OS memory cap of a run's process allows
	// beyond twice the run's estimate and its threads' stacks: the address
	// space a Go process reserves without using it. 0 means 128 MiB (4 GiB
	// in a build with the race detector).
	ChildMemoryFloor int64
	// PerClient bounds the runs one client address has in progress or
	// waiting; beyond it the client's next run is refused with 429. 0
	// means 3; negative means no bound (behind a proxy every student
	// shares its address).
	PerClient int
	// MaxConns bounds the connections open at once; further clients wait
	// to connect. 0 means 1024, or less when the process may open fewer
	// files.
	MaxConns int
	// IdleTimeout closes a kept-alive connection after this long without
	// a request. 0 means 30 seconds.
	IdleTimeout time.Duration
	// MaxChildren bounds the child processes alive at once, CPU-bound or
	// not. 0 means 4 × Cores.
	MaxChildren int
	// MaxQueue bounds the runs waiting for room; beyond it a run is
	// refused with 429. 0 means 4 × Cores; negative means no queue.
	MaxQueue int
	// QueueWait bounds how long a run waits in the queue before it is
	// refused with 429. 0 means 30 seconds.
	QueueWait time.Duration
	// MaxBody bounds a request body. 0 means 64 KiB.
	MaxBody int64
	// MaxTimeout bounds a run's timeout_ms. 0 means 120 seconds.
	MaxTimeout time.Duration
	// AllowOrigins are origins ("https://school.example") besides the
	// server's own whose pages may start runs; their hosts are also names
	// the server answers to on a loopback address (behind a proxy).
	AllowOrigins []string
	// ShutdownGrace is how long [Server.ListenAndServe] lets runs finish
	// after its context is done before it kills them. 0 means 10 seconds.
	ShutdownGrace time.Duration
	// Logger receives one line per request and one per native run; nil
	// means slog.Default().
	Logger *slog.Logger
}

// withDefaults returns cfg with every zero field set to its default, as
// [Config] documents, and the allowed origins normalised. It fails when an
// allowed origin is malformed or the executable that runs native runs
// cannot be found.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Public == "" {
		cfg.Public = "public"
	}
	if cfg.BaselineFile == "" {
		cfg.BaselineFile = filepath.Join(cfg.Public, "web", "data", "baseline.json")
	}
	if cfg.Cores <= 0 {
		cfg.Cores = runtime.NumCPU()
	}
	if cfg.MaxChildren <= 0 {
		cfg.MaxChildren = 4 * cfg.Cores
	}
	switch {
	case cfg.Memory == 0:
		cfg.Memory = MachineMemory() / 2
	case cfg.Memory < 0:
		cfg.Memory = 0
	}
	if cfg.ChildMemoryFloor <= 0 {
		cfg.ChildMemoryFloor = 128 << 20
		if raceEnabled {
			// The race detector's shadow memory must fit under the cap.
			cfg.ChildMemoryFloor = 4 << 30
		}
	}
	switch {
	case cfg.PerClient == 0:
		cfg.PerClient = 3
	case cfg.PerClient < 0:
		cfg.PerClient = 0
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = defaultMaxConns()
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Second
	}
	switch {
	case cfg.MaxQueue == 0:
		cfg.MaxQueue = 4 * cfg.Cores
	case cfg.MaxQueue < 0:
		cfg.MaxQueue = 0
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = 30 * time.Second
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.MaxTimeout <= 0 {
		cfg.MaxTimeout = 120 * time.Second
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	for i, o := range cfg.AllowOrigins {
		n, err := ParseOrigin(o)
		if err != nil {
			return cfg, err
		}
		cfg.AllowOrigins[i] = n
	}
	if cfg.Spawner == nil {
		exe, err := os.Executable()
		if err != nil {
			return cfg, fmt.Errorf("finding the conlab executable for native runs: %w", err)
		}
		cfg.Spawner = &Spawner{Exe: exe}
	}
	return cfg, nil
}
