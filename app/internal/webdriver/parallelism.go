package webdriver

import (
	"sync"
	"sync/atomic"
	"time"
)

// Parallelism is how many cores the test process gets right now: the
// time one goroutine takes for a fixed spin, over the time each of two
// takes for it at once, times two. About 2 on an idle machine of two
// cores or more, about 1 when other processes keep the cores busy. A
// test whose timing needs two free cores measures it, and says it could
// not judge the timing when it is under FreeCores.
func Parallelism() float64 {
	spin := func() {
		x := uint64(1)
		for i := 0; i < 30_000_000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		sink.Store(x)
	}
	start := time.Now()
	spin()
	one := time.Since(start)
	var wg sync.WaitGroup
	start = time.Now()
	for range 2 {
		wg.Go(spin)
	}
	wg.Wait()
	return 2 * float64(one) / float64(time.Since(start))
}

// FreeCores is the Parallelism at which a machine counts as having two
// free cores.
const FreeCores = 1.6

var sink atomic.Uint64
