//go:build conlab_nosource

package workloads

// Built with conlab_nosource (the worker binary): the lessons' source
// texts are left out, and Workload.Source and Workload.Python are empty.
var (
	blockingSource   string
	blockingPython   string
	countdownSource  string
	countdownPython  string
	counterSource    string
	counterPython    string
	dbupdateSource   string
	dbupdatePython   string
	deadlockSource   string
	deadlockPython   string
	downloadSource   string
	downloadPython   string
	mergesortSource  string
	mergesortPython  string
	multiplySource   string
	multiplyPython   string
	poolSource       string
	poolPython       string
	queueSource      string
	queuePython      string
	responsiveSource string
	responsivePython string
	semaphoreSource  string
	semaphorePython  string
	sleepSource      string
	sleepPython      string
	spawnSource      string
	spawnPython      string
	subprocessSource string
	subprocessPython string
	sumsquaresSource string
	sumsquaresPython string
)
