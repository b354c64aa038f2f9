//go:build !js

package workloads

import (
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"testing/fstest"
)

// pageServer serves the download workload's endpoint and its static page
// files, like conlab serve and a static site do. One server serves every
// test; it lives as long as the test binary.
var pageServer = sync.OnceValue(func() *httptest.Server {
	return httptest.NewServer(pageMux())
})

func pageMux() *http.ServeMux {
	files := fstest.MapFS{}
	for name, body := range DownloadFiles() {
		files[name] = &fstest.MapFile{Data: body}
	}
	mux := http.NewServeMux()
	mux.Handle("/api/delay", DelayHandler())
	mux.Handle("/web/", http.FileServerFS(files))
	return mux
}

func platformTestEnv(t *testing.T) Env {
	t.Helper()
	return NativeEnv{BaseURL: pageServer().URL, Exe: os.Args[0]}
}
