//go:build !wasm && linux

package server

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// limitData caps the private writable memory (the heap, RLIMIT_DATA) of
// process pid and of the processes it starts later. A Go program over the
// cap fails its next allocation with "fatal error: runtime: out of
// memory" rather than taking the machine's memory from the other runs.
func limitData(pid int, bytes int64) error {
	lim := syscall.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_DATA,
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// memoryCapped reports whether limitData works here.
const memoryCapped = true

// maxRSS is the peak resident memory of a process that has exited (for
// the child itself: Linux reports kilobytes).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}

var pageSize = int64(os.Getpagesize())

// groupRSS sums the resident memory of the processes of group pgid now.
func groupRSS(pgid int) int64 {
	var sum int64
	eachProcStat(func(_ int, f [][]byte) {
		if len(f) < 22 {
			return
		}
		if g, _ := strconv.Atoi(string(f[2])); g == pgid {
			rss, _ := strconv.ParseInt(string(f[21]), 10, 64)
			sum += rss * pageSize
		}
	})
	return sum
}

// eachProcStat calls fn for each process now, with its id and the fields
// of its /proc/PID/stat after the command's name: f[0] the state, f[1]
// the parent's id, f[2] the process group, ..., f[21] the resident pages.
// A process that ends meanwhile is left out.
func eachProcStat(fn func(pid int, f [][]byte)) {
	d, err := os.Open("/proc")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: the name may hold spaces and
		// parentheses, so the fields start after the last ')'.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 {
			fn(pid, bytes.Fields(b[i+1:]))
		}
	}
}
