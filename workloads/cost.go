package workloads

// Cost is what one native run uses at its peak: the cores it keeps busy
// and the memory it holds, its child processes included. A workload
// declares it from its parameters (Workload.Cost) so that a server can
// admit runs by what they really use, and cap each one.
type Cost struct {
	// Cores is how many cores the run keeps busy at once: threads running
	// Go code (at most GOMAXPROCS) and child processes computing.
	Cores int `json:"cores"`
	// Bytes is the peak memory of the run's process and its children, the
	// Go runtime of each included.
	Bytes int64 `json:"bytes"`
	// Processes is how many child processes the run has alive at once.
	Processes int `json:"processes,omitempty"`
}

// Layout is how a native run is laid out, for a cost estimate.
type Layout struct {
	// Lanes is how many tasks run at once: the workers, at most the number
	// of tasks; 1 in the sequential mode.
	Lanes int
	// GOMAXPROCS is the run's, resolved: at least 1.
	GOMAXPROCS int
	// NumCPU is the machine's cores: a child process gets them all.
	NumCPU int
}

// Memory a process of the lab holds before its workload allocates
// anything: the Go runtime, the catalog, the engine's buffers, with the
// collector's headroom. Measured with a quick run of each workload
// (app/server's TestCostEstimates); rounded up.
const (
	// ProcessBytes is a native run's own process.
	ProcessBytes = 12 << 20
	// ChildBytes is one child process of the subprocess and spawn
	// workloads (`conlab child`).
	ChildBytes = 10 << 20
)

// gcHeadroom is the factor between the bytes a run keeps live and the
// heap the collector lets it reach at GOGC=100: garbage waits until the
// heap has doubled.
const gcHeadroom = 2

// cpuLanes is the cost of a run whose every lane computes.
func cpuLanes(_ Args, l Layout) Cost {
	return Cost{Cores: min(l.Lanes, l.GOMAXPROCS), Bytes: ProcessBytes}
}

// waits is the cost of a run whose lanes sleep or wait for each other.
func waits(Args, Layout) Cost { return Cost{Bytes: ProcessBytes} }

// cpuOption is the cost of a run that computes when its "cpu" option is
// set, at most limit lanes at once (0: no limit), and waits otherwise.
func cpuOption(limitParam string) func(Args, Layout) Cost {
	return func(a Args, l Layout) Cost {
		if !a.Bool("cpu") {
			return waits(a, l)
		}
		n := l.Lanes
		if limitParam != "" {
			n = min(n, int(a.Int(limitParam)))
		}
		return Cost{Cores: min(n, l.GOMAXPROCS), Bytes: ProcessBytes}
	}
}

// costMergeSort: each lane holds its list and a scratch buffer of the same
// length (4-byte numbers), and the lists already sorted wait as garbage.
func costMergeSort(a Args, l Layout) Cost {
	lists := min(int64(l.Lanes), a.Int("lists"))
	return Cost{Cores: min(l.Lanes, l.GOMAXPROCS), Bytes: ProcessBytes + gcHeadroom*lists*a.Int("size")*8}
}

// costMultiply: a, b and c (8-byte numbers) of the whole array, made at
// once by the one task of the loop method; the chunk methods add each
// chunk's input (a and b packed) and output, as much again.
func costMultiply(a Args, l Layout) Cost {
	perElement := int64(3 * 8)
	if a.String("method") != multiplyLoop {
		perElement *= 2
	}
	return Cost{Cores: min(l.Lanes, l.GOMAXPROCS), Bytes: ProcessBytes + perElement*a.Int("size")}
}

// costBlocking: one task busy-waits, the others sleep.
func costBlocking(a Args, l Layout) Cost {
	c := waits(a, l)
	if a.Int("blocker") >= 0 && a.Int("block") > 0 {
		c.Cores = 1
	}
	return c
}

// costSubprocess: one child per task alive at once per lane; they print
// and pause, using next to no CPU.
func costSubprocess(a Args, l Layout) Cost {
	n := min(l.Lanes, int(a.Int("children")))
	return Cost{Bytes: ProcessBytes + int64(n)*ChildBytes, Processes: n}
}

// costSpawn: child processes start at once, one per lane, and starting a
// process is CPU work (loading, the runtime's start) besides the job:
// each computes on a core of its own. As goroutines they are lanes.
func costSpawn(a Args, l Layout) Cost {
	if a.String("kind") != childKindProcess {
		return cpuLanes(a, l)
	}
	n := min(l.Lanes, int(a.Int("children")))
	return Cost{Cores: min(n, l.NumCPU), Bytes: ProcessBytes + int64(n)*ChildBytes, Processes: n}
}

// Cost returns the job's cost natively on a machine with numCPU cores.
func (j *Job) Cost(numCPU int) Cost {
	l := Layout{Lanes: 1, GOMAXPROCS: j.Request.GOMAXPROCS, NumCPU: max(numCPU, 1)}
	if j.Request.Mode != Sequential {
		l.Lanes = max(1, min(j.Request.Workers, len(j.Plan.Tasks)))
	}
	if l.GOMAXPROCS <= 0 {
		l.GOMAXPROCS = l.NumCPU
	}
	if j.Workload.Cost == nil {
		return Cost{Cores: min(l.Lanes, l.GOMAXPROCS), Bytes: ProcessBytes}
	}
	return j.Workload.Cost(j.Args, l)
}
