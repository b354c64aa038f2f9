//go:build !wasm

package server

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
)

var machineMemory = sync.OnceValue(func() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
})

// MachineMemory returns this machine's memory in bytes, from
// /proc/meminfo; 0 where the OS does not say (the default memory budget
// is then none).
func MachineMemory() int64 { return machineMemory() }
