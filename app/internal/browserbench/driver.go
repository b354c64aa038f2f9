package main

import (
	"bufio"
	"bytes"
	"conlab/app/internal/browsertest"
	"conlab/app/internal/webdriver"
	"conlab/wasm/benchwire"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// floorColdStart runs the driver in engine e on a fresh page that serves
// the floor program as worker.wasm, and returns its cold starts.
func floorColdStart(ctx context.Context, b *bench, e webdriver.Engine) (*floor, error) {
	bin := filepath.Join(b.tmp, "floor.wasm")
	if _, err := os.Stat(bin); err != nil {
		if err := browsertest.BuildStripped(ctx, b.root, "./wasm/internal/floorworker", bin); err != nil {
			return nil, err
		}
	}
	gz := bin + ".gz"
	if err := gzipFile(bin, gz); err != nil {
		return nil, err
	}
	cfgJSON, _ := json.Marshal(benchwire.Config{Reps: b.cfg.Reps, Pool: b.cfg.Pool})
	var stdout bytes.Buffer
	fmt.Fprintf(os.Stderr, "browserbench: the floor in %s: the same cold starts of an empty Go program\n", e.Title())
	code, err := browsertest.Run(ctx, browsertest.Options{
		Program: b.driver,
		Args:    []string{"-config", string(cfgJSON)},
		Env:     map[string]string{"CONLAB_FLOOR": "1"},
		Web:     filepath.Join(b.root, "public", "web"),
		Files:   map[string]string{"worker.wasm": bin, "worker.wasm.gz": gz, "wasm_exec.js": b.wasmExec},
		Engine:  e,
		Browser: b.browser,
		Timeout: 5 * time.Minute,
		Stdout:  &stdout,
		Stderr:  os.Stderr,
	})
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("the floor's browser half exited with code %d", code)
	}
	f, err := parseFloor(&stdout)
	if err != nil {
		return nil, err
	}
	f.Bytes = wasmSizes(bin, gz)
	return f, nil
}

// parseFloor reads the floor run's report.
func parseFloor(r io.Reader) (*floor, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "CONLAB-BENCH-FLOOR "); ok {
			f := new(floor)
			if err := json.Unmarshal([]byte(rest), f); err != nil {
				return nil, fmt.Errorf("the floor's report: %w", err)
			}
			if f.First.TotalMS <= 0 || f.Median.TotalMS <= 0 {
				return nil, fmt.Errorf("the floor's report has no cold start: %s", rest)
			}
			return f, nil
		}
	}
	return nil, fmt.Errorf("the floor's browser half printed no report")
}

func parseDriver(r io.Reader) (*benchwire.Report, []benchwire.ColdStart, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var br *benchwire.Report
	var revisits []benchwire.ColdStart
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "CONLAB-BENCH-JSON "); ok {
			br = new(benchwire.Report)
			if err := json.Unmarshal([]byte(rest), br); err != nil {
				return nil, nil, fmt.Errorf("the browser's report: %w", err)
			}
		}
		if rest, ok := strings.CutPrefix(sc.Text(), "CONLAB-BENCH-REVISIT "); ok {
			var c benchwire.ColdStart
			if err := json.Unmarshal([]byte(rest), &c); err != nil {
				return nil, nil, fmt.Errorf("the browser's report of a later visit: %w", err)
			}
			revisits = append(revisits, c)
		}
	}
	if br == nil {
		return nil, nil, fmt.Errorf("the browser half printed no report")
	}
	return br, revisits, nil
}
