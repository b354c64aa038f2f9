//go:build !wasm

package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"conlab/wasm"
	"conlab/workloads"
)

// CatalogEntry is a workload as the catalog shows it (GET /api/workloads,
// `conlab list -json`): the engine's fields, and the browser modes that
// cannot run it, with the reasons.
type CatalogEntry struct {
	*workloads.Workload
	Unsupported map[workloads.Mode]string `json:"unsupported,omitempty"`
}

// Catalog returns every workload as the catalog shows it, in catalog
// order.
func Catalog() []CatalogEntry {
	all := workloads.All()
	out := make([]CatalogEntry, len(all))
	for i, w := range all {
		out[i] = CatalogEntry{w, wasm.Unsupported(w)}
	}
	return out
}

// catalogFile is the catalog as GET /api/workloads serves it: encoded
// once, and compressed once, for it is large (sources, programs) and
// read often.
type catalogFile struct {
	json []byte
	gzip []byte
	etag string
}

func newCatalogFile() (*catalogFile, error) {
	b, err := json.Marshal(Catalog())
	if err != nil {
		return nil, fmt.Errorf("encoding the catalog: %w", err)
	}
	sum := sha256.Sum256(b)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(append(b, '\n'))
	zw.Close()
	return &catalogFile{json: b, gzip: gz.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}, nil
}

// ServeHTTP answers with the catalog, gzipped to a client that takes it,
// and 304 to a client that has this version.
func (c *catalogFile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", c.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == c.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if !accepts(r.Header.Get("Accept-Encoding"), "gzip") {
		writeRawJSON(w, http.StatusOK, c.json)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(len(c.gzip)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(c.gzip)
	}
}
