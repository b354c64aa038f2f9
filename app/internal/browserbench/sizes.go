package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"

	"github.com/andybalholm/brotli"
)

// wasmSizes returns a wasm file's sizes: raw, gzip (the copy gz the
// benchmark's page downloads) and brotli, as make build ships it
// (app/internal/precompress: quality 11, a 2^24-byte window).
func wasmSizes(raw, gz string) map[string]int64 {
	out := map[string]int64{}
	for k, f := range map[string]string{"raw": raw, "gzip": gz} {
		if st, err := os.Stat(f); err == nil {
			out[k] = st.Size()
		}
	}
	if n, err := brotliSize(raw); err == nil {
		out["brotli"] = n
	}
	return out
}

// brotliSize is the size of file brotli-compressed at quality 11 with a
// 2^24-byte window.
func brotliSize(file string) (int64, error) {
	in, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	var n counter
	bw := brotli.NewWriterOptions(&n, brotli.WriterOptions{Quality: 11, LGWin: 24})
	if _, err := io.Copy(bw, in); err != nil {
		return 0, err
	}
	if err := bw.Close(); err != nil {
		return 0, err
	}
	return int64(n), nil
}

// counter counts the bytes written to it.
type counter int64

func (c *counter) Write(p []byte) (int, error) {
	*c += counter(len(p))
	return len(p), nil
}

// gzipFile writes src gzip-compressed to dst.
func gzipFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}
