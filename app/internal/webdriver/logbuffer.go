package webdriver

import (
	"bytes"
	"io"
	"sync"
)

// LogBuffer collects the output of a browser and of the programs around
// it, written from several goroutines; String returns its last 20,000
// bytes, for a failure message.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		// Keep the end: drop the older half.
		rest := l.b.Bytes()[l.b.Len()/2:]
		l.b = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > 20000 {
		s = "…" + s[len(s)-20000:]
	}
	return s
}

// LockedWriter serializes the writes of several goroutines to w.
func LockedWriter(w io.Writer) io.Writer { return &lockedWriter{w: w} }

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
