//go:build !conlab_nosource

package workloads

import _ "embed"

// Every lesson's Go file and its Python counterpart, which the UI shows
// side by side. The worker binary, which only runs the lessons, is built
// with the conlab_nosource tag and leaves them out (nosource.go): 280 KB
// it would otherwise download and never read.

//go:embed blocking.go
var blockingSource string

//go:embed python/lesson_blocking.py
var blockingPython string

//go:embed countdown.go
var countdownSource string

//go:embed python/lesson_countdown.py
var countdownPython string

//go:embed counter.go
var counterSource string

//go:embed python/lesson_counter.py
var counterPython string

//go:embed dbupdate.go
var dbupdateSource string

//go:embed python/lesson_dbupdate.py
var dbupdatePython string

//go:embed deadlock.go
var deadlockSource string

//go:embed python/lesson_deadlock.py
var deadlockPython string

//go:embed download.go
var downloadSource string

//go:embed python/lesson_download.py
var downloadPython string

//go:embed mergesort.go
var mergesortSource string

//go:embed python/lesson_mergesort.py
var mergesortPython string

//go:embed multiply.go
var multiplySource string

//go:embed python/lesson_multiply.py
var multiplyPython string

//go:embed pool.go
var poolSource string

//go:embed python/lesson_pool.py
var poolPython string

//go:embed queue.go
var queueSource string

//go:embed python/lesson_queue.py
var queuePython string

//go:embed responsive.go
var responsiveSource string

//go:embed python/lesson_responsive.py
var responsivePython string

//go:embed semaphore.go
var semaphoreSource string

//go:embed python/lesson_semaphore.py
var semaphorePython string

//go:embed sleep.go
var sleepSource string

//go:embed python/lesson_sleep.py
var sleepPython string

//go:embed spawn.go
var spawnSource string

//go:embed python/lesson_spawn.py
var spawnPython string

//go:embed subprocess.go
var subprocessSource string

//go:embed python/lesson_subprocess.py
var subprocessPython string

//go:embed sumsquares.go
var sumsquaresSource string

//go:embed python/lesson_sumsquares.py
var sumsquaresPython string
