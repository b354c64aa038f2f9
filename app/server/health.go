//go:build !wasm

package server

import (
	"net/http"
	"runtime"
	"time"
)

// Health is the answer of GET /api/health.
type Health struct {
	OK         bool   `json:"ok"`
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	NumCPU     int    `json:"numcpu"`
	CPU        string `json:"cpu,omitempty"`
	Cores      int    `json:"cores"`       // the CPU budget for native runs
	CoresBusy  int    `json:"cores_busy"`  // cores the runs in progress keep busy
	Memory     int64  `json:"memory"`      // the memory budget for native runs, bytes (0: none)
	MemoryUsed int64  `json:"memory_used"` // estimated peak of the runs in progress, bytes
	PerClient  int    `json:"per_client"`  // runs one client may have in progress or waiting (0: no bound)
	Running    int    `json:"running"`     // native runs in progress
	Queued     int    `json:"queued"`      // native runs waiting for room
	Shared     int    `json:"shared"`      // runs in flight that identical requests may join
	Isolated   bool   `json:"isolated"`    // COOP/COEP sent
	UptimeSecs int64  `json:"uptime_secs"` // since the server started
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	running, queued := s.adm.state()
	busy, used := s.adm.usage()
	writeJSON(w, http.StatusOK, Health{
		CoresBusy: busy, Memory: s.cfg.Memory, MemoryUsed: used, PerClient: s.cfg.PerClient,
		OK: s.ctx.Err() == nil, GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		NumCPU: runtime.NumCPU(), CPU: CPUModel(), Cores: s.cfg.Cores, Running: running, Queued: queued,
		Shared: s.flights.len(), Isolated: s.cfg.Isolate, UptimeSecs: int64(time.Since(s.started) / time.Second),
	})
}
