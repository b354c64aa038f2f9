//go:build !wasm && linux

package server

import (
	"os"
	"syscall"
	"testing"
)

// /proc is read right: this process's parent is its parent, and its group
// holds at least this process's resident memory.
func TestEachProcStat(t *testing.T) {
	if got := procParents()[os.Getpid()]; got != os.Getppid() {
		t.Errorf("parent of %d read as %d, want %d", os.Getpid(), got, os.Getppid())
	}
	if rss := groupRSS(syscall.Getpgrp()); rss < 1<<20 {
		t.Errorf("group %d holds %d bytes, want at least this process's MB", syscall.Getpgrp(), rss)
	}
}
