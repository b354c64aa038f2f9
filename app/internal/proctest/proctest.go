//go:build !wasm

// Package proctest reads Linux's /proc for tests that check a run leaves no
// process behind: a zombie counts as gone, since only its parent's wait is
// missing, not the process.
package proctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// stat returns the state and parent of pid, from /proc/PID/stat.
func stat(dir string) (state string, ppid int, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", dir, "stat"))
	if err != nil {
		return "", 0, false
	}
	s := string(b)
	// The command name, in parentheses, may hold spaces: read after it.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", 0, false
	}
	if _, err := fmt.Sscan(s[i+1:], &state, &ppid); err != nil {
		return "", 0, false
	}
	return state, ppid, true
}

// Children lists the live (not zombie) processes whose parent is pid.
func Children(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		var p int
		if _, err := fmt.Sscan(e.Name(), &p); err != nil {
			continue
		}
		if state, ppid, ok := stat(e.Name()); ok && ppid == pid && state != "Z" {
			out = append(out, p)
		}
	}
	return out
}

// Alive reports whether pid is a live, not zombie, process.
func Alive(pid int) bool {
	state, _, ok := stat(fmt.Sprint(pid))
	return ok && state != "Z"
}

// Gone waits up to d for pid to be dead (or a zombie) and reports whether
// it is.
func Gone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for Alive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
