package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
	"golang.org/x/sync/errgroup"
)

// Sizes are a file's size and its compressed copies' sizes, in bytes.
type Sizes struct {
	Raw, Gzip, Brotli int64
}

// brotliWindow is the LZ77 window, 2^24 - 16 bytes: the brotli command's
// choice for files that large (the UI's wasm is 15 MB), and the largest a
// browser's decoder accepts without the large-window extension.
const brotliWindow = 24

// Compress writes name.gz and name.br beside name. quality is brotli's (0
// to 11); gzip always uses its best level. When either copy fails, both
// are removed: a server would otherwise send an older copy for a newer
// file.
func Compress(ctx context.Context, name string, quality int) (Sizes, error) {
	var s Sizes
	fi, err := os.Stat(name)
	if err != nil {
		return s, err
	}
	if !fi.Mode().IsRegular() {
		return s, fmt.Errorf("%s is not a regular file", name)
	}
	s.Raw = fi.Size()
	// The two copies are made side by side: each takes one core.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		s.Gzip, err = write(gctx, name, ".gz", func(w io.Writer) (io.WriteCloser, error) {
			return gzip.NewWriterLevel(w, gzip.BestCompression)
		})
		return err
	})
	g.Go(func() (err error) {
		s.Brotli, err = write(gctx, name, ".br", func(w io.Writer) (io.WriteCloser, error) {
			return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: quality, LGWin: brotliWindow}), nil
		})
		return err
	})
	if err := g.Wait(); err != nil {
		os.Remove(name + ".gz")
		os.Remove(name + ".br")
		return Sizes{}, err
	}
	return s, nil
}

// write compresses name into name+ext through a temporary file in the
// same folder, renamed into place once complete.
func write(ctx context.Context, name, ext string, wrap func(io.Writer) (io.WriteCloser, error)) (n int64, err error) {
	in, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+ext+".*")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buf := bufio.NewWriterSize(tmp, 1<<20)
	zw, err := wrap(buf)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(zw, ctxReader{ctx, in}); err != nil {
		return 0, fmt.Errorf("compressing %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("compressing %s: %w", name, err)
	}
	if err := buf.Flush(); err != nil {
		return 0, err
	}
	if n, err = tmp.Seek(0, io.SeekCurrent); err != nil {
		return 0, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), name+ext); err != nil {
		return 0, err
	}
	return n, nil
}

// ctxReader stops a long compression when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, errors.Join(errors.New("interrupted"), err)
	}
	return c.r.Read(p)
}
