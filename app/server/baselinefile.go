//go:build !wasm

package server

// The recorded baseline, as GET /api/baseline serves it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func (s *Server) handleBaseline(w http.ResponseWriter, r *http.Request) {
	f, err := os.Open(s.cfg.BaselineFile)
	if err != nil {
		writeError(w, errorf(http.StatusNotFound, "", "no recorded baseline on this server (record one with: conlab baseline -o %s)", filepath.Base(s.cfg.BaselineFile)))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		writeError(w, errorf(http.StatusNotFound, "", "no recorded baseline on this server"))
		return
	}
	b, err := io.ReadAll(io.LimitReader(f, maxBaselineBytes+1))
	if err != nil || len(b) > maxBaselineBytes {
		writeError(w, errorf(http.StatusInternalServerError, "", "the recorded baseline could not be read (larger than %d bytes or unreadable)", maxBaselineBytes))
		return
	}
	// A stored figure is shown only with the date and the machine it was
	// recorded on: a file without them is not served as a baseline.
	label, err := baselineLabel(b)
	if err != nil {
		writeError(w, errorf(http.StatusNotFound, "", "the recorded baseline on this server cannot be shown: %v; record it again with: conlab baseline -o %s", err, filepath.Base(s.cfg.BaselineFile)))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Conlab-Recorded", label)
	http.ServeContent(w, r, "baseline.json", st.ModTime(), bytes.NewReader(b))
}

// maxBaselineBytes bounds the recorded baseline file the server reads.
const maxBaselineBytes = 16 << 20

// baselineLabel returns the label of a recorded baseline file, its date
// and machine in one line (the X-Conlab-Recorded header):
//
//	2026-11-02T10:00:00Z; cpu="AMD EPYC 7B13"; cores=2; os=linux/amd64; go=go1.26.8
//
// It fails when the file is not JSON or lacks its date or the machine's
// cores, OS or Go version. The CPU model is left out where the recording
// machine's OS did not name it.
func baselineLabel(b []byte) (string, error) {
	var f struct {
		Date    time.Time `json:"date"`
		Machine Machine   `json:"machine"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return "", fmt.Errorf("it is not a baseline file (%v)", err)
	}
	m := f.Machine
	switch {
	case f.Date.IsZero():
		return "", errors.New("it has no date")
	case m.NumCPU < 1 || m.GOOS == "" || m.GOARCH == "" || m.GoVersion == "":
		return "", errors.New("it does not say which machine recorded it (cores, OS and Go version)")
	}
	label := f.Date.UTC().Format(time.RFC3339)
	if m.CPU != "" {
		label += "; cpu=" + strconv.Quote(m.CPU)
	}
	return label + fmt.Sprintf("; cores=%d; os=%s/%s; go=%s", m.NumCPU, m.GOOS, m.GOARCH, m.GoVersion), nil
}
