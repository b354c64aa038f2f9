//go:build !wasm

package server

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// limitListener keeps at most n connections open at once, so that
// connections cannot take the file descriptors native runs need (each
// run opens pipes, and its children more). At the limit, a new client
// does not wait behind connections that hold no request: one that never
// sent a request, or else the one idle longest, is closed to make room. Only when
// every connection carries a request does Accept wait for one to close.
// The pattern of golang.org/x/net/netutil.LimitListener, with the
// server's ConnState hook (track) telling which connections are idle.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	mu    sync.Mutex
	conns map[net.Conn]connState
}

type connState struct {
	busy  bool // a request in progress
	fresh bool // no request yet
	since time.Time
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{}), conns: map[net.Conn]connState{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	default:
		l.evict()
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	lc := &limitConn{Conn: c, release: func() { <-l.sem }}
	l.mu.Lock()
	l.conns[lc] = connState{fresh: true, since: time.Now()}
	l.mu.Unlock()
	return lc, nil
}

// evict closes, to make room, the connection that never sent a request
// for longest, or else the one idle longest between requests. It spares
// connections younger than a moment (100 ms since connecting, 1 s since
// an answer): their client may be sending its request, and a POST lost to
// a closed connection is not retried.
func (l *limitListener) evict() {
	now := time.Now()
	l.mu.Lock()
	var oldest net.Conn
	var best connState
	for c, st := range l.conns {
		// A client sends its request as soon as it connects; between
		// requests it may pause.
		moment := time.Second
		if st.fresh {
			moment = 100 * time.Millisecond
		}
		if st.busy || now.Sub(st.since) < moment {
			continue
		}
		if oldest == nil || st.fresh && !best.fresh || st.fresh == best.fresh && st.since.Before(best.since) {
			oldest, best = c, st
		}
	}
	if oldest != nil {
		delete(l.conns, oldest)
	}
	l.mu.Unlock()
	if oldest != nil {
		oldest.Close()
	}
}

// track is the http.Server's ConnState hook.
func (l *limitListener) track(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateActive:
		if _, ok := l.conns[c]; ok {
			l.conns[c] = connState{busy: true, since: time.Now()}
		}
	case http.StateIdle:
		if _, ok := l.conns[c]; ok {
			l.conns[c] = connState{since: time.Now()}
		}
	case http.StateHijacked, http.StateClosed:
		delete(l.conns, c)
	}
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// open returns the connections open now.
func (l *limitListener) open() int { return len(l.sem) }

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// outOfFiles reports whether err is the process or the system running out
// of file descriptors.
func outOfFiles(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}
