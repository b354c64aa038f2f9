package proto

import (
	"errors"
	"flag"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"conlab/workloads"
)

func TestRoundTrip(t *testing.T) {
	bodies := []Body{
		&Boot{Worker: 3, Base: "http://127.0.0.1/lab/", Role: RoleChild, Args: []string{"-lines", "2"}},
		&Warm{ID: 1, Workloads: []string{"countdown"}, MinMS: 25, SettleMS: 5000, SettleMinMS: 1500},
		&Run{ID: 2, Request: workloads.Request{Workload: "countdown", Mode: workloads.Goroutines, Workers: 2, Params: map[string]any{"count": 12}}, OriginUS: 5, WatchdogMS: 1000},
		&Task{ID: 3, Task: 4, Lane: 1, Request: workloads.Request{Workload: "countdown", Mode: workloads.Sequential, Workers: 2}, OriginUS: 5, DeadlineUS: 9, WatchdogMS: 1000, More: []int{5, 6}},
		&Finish{ID: 3}, &Cancel{ID: 3}, &Ping{ID: 9},
		&Ready{Worker: 3, InstantiateMS: 12.5, GoVersion: "go1.26"},
		&Warmed{ID: 1, MS: 3, Kernels: []KernelWarm{{Workload: "countdown", Runs: 2, FirstUS: 900, LastUS: 90}}, Settled: true, SettledMS: 45.5, SettlePassNS: []int64{12000, 10500}},
		&Spans{ID: 2, Spans: []workloads.Span{{Lane: 1, Task: 0, Label: "x", State: workloads.Running, Start: 1, End: 2}}},
		&Result{ID: 2, Result: workloads.Result{Workload: "countdown", WallUS: 10}},
		&Result{ID: 2, Result: workloads.Result{Error: "deadlock"}, ErrKind: ErrDeadlock, AfterMS: 300},
		&TaskDone{ID: 3, Result: workloads.TaskResult{Task: 4, Lane: 1, Value: 1 << 63}, Final: 7, HasFinal: true,
			Live: []workloads.Span{{Lane: 1, Task: 4, Label: "x", State: workloads.Running, Start: 1, End: 2}},
			More: []workloads.TaskResult{{Task: 5, Lane: 1, Value: 3}, {Task: 6, Lane: 1}}},
		&TaskDone{ID: 3, Result: workloads.TaskResult{Task: 4, Lane: 1, Err: "context deadline exceeded"}, ErrKind: ErrTimeout},
		&Stuck{ID: 3, Stuck: []workloads.StuckTask{{Task: 1, Lane: 0, Label: "waits"}}, AfterMS: 300},
		&Pong{ID: 9}, &Collected{ID: 2, StartUS: 1500, EndUS: 1520},
		&Error{Error: "no"}, &Exit{Code: 2, Output: "panic: x"}, &Fatal{Error: "no"}, &Output{Stream: "stderr"},
		&Spawn{ID: 4, Args: []string{"-lines", "3"}, Fresh: true}, &Spawned{ID: 4, Child: 2}, &Spawned{ID: 4, Error: "no page"},
		&Reap{Child: 2}, &ChildFailed{Child: 2, Error: "the worker failed"},
	}
	for _, b := range bodies {
		kind, text, err := Encode(b)
		if err != nil {
			t.Errorf("Encode(%T): %v", b, err)
			continue
		}
		dir := ToPage
		if kinds[kind].dir == ToWorker {
			dir = ToWorker
		}
		got, err := Decode(dir, Version, string(kind), text)
		if err != nil {
			t.Errorf("Decode(%s): %v", text, err)
			continue
		}
		_, again, _ := Encode(got)
		if again != text {
			t.Errorf("%s: round trip changed the body:\n%s\n%s", kind, text, again)
		}
	}
	// Big numbers survive: values are uint64, not JavaScript numbers.
	_, text, _ := Encode(&TaskDone{ID: 1, Result: workloads.TaskResult{Value: 1<<64 - 2}, Final: 1<<64 - 1, HasFinal: true})
	got, _ := Decode(ToPage, Version, string(KTaskDone), text)
	if d := got.(*TaskDone); d.Final != 1<<64-1 || d.Result.Value != 1<<64-2 {
		t.Errorf("values lost precision: %d, %d", d.Final, d.Result.Value)
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := []struct {
		dir        Direction
		v          float64
		kind, body string
		why        string
	}{
		{ToWorker, Version + 1, "ping", `{"id":1}`, "version"},
		{ToWorker, Version - 1, "ping", `{"id":1}`, "version"},
		{ToWorker, 1.5, "ping", `{"id":1}`, "version"},
		{ToWorker, Version, "fly", `{}`, "unknown kind"},
		{ToWorker, Version, "pong", `{"id":1}`, "does not travel"},
		{ToPage, Version, "task", `{"id":1}`, "does not travel"},
		{ToWorker, Version, "ping", `{"id":1,"extra":2}`, "unknown field"},
		{ToWorker, Version, "ping", `{"id":1} {"id":2}`, "after the JSON"},
		{ToWorker, Version, "ping", `{"id":`, "body"},
		{ToWorker, Version, "ping", `null`, "not a JSON object"},
		{ToWorker, Version, "ping", `[1]`, "body"},
		{ToWorker, Version, "ping", `{"id":0}`, "out of range"},
		{ToWorker, Version, "ping", `{"id":"1"}`, "body"},
		{ToWorker, Version, "ping", `{"id":9007199254740993}`, "out of range"},
		{ToWorker, Version, "task", `{"id":1,"task":0,"lane":64,"request":{"workload":"countdown","mode":"sequential"},"origin_us":1,"deadline_us":5,"watchdog_ms":1,"shared":0}`, "lane"},
		{ToWorker, Version, "task", `{"id":1,"task":-1,"lane":0,"request":{"workload":"countdown","mode":"sequential"},"origin_us":1,"deadline_us":5,"watchdog_ms":1,"shared":0}`, "task"},
		{ToWorker, Version, "task", `{"id":1,"task":0,"lane":0,"request":{"workload":"countdown","mode":"goroutines"},"origin_us":1,"deadline_us":5,"watchdog_ms":1,"shared":0}`, "workers-mode"},
		{ToWorker, Version, "task", `{"id":1,"task":0,"lane":0,"request":{"workload":"countdown","mode":"sequential","bogus":1},"origin_us":1,"deadline_us":5,"watchdog_ms":1,"shared":0}`, "unknown field"},
		{ToWorker, Version, "run", `{"id":1,"request":{"workload":"countdown","mode":"cooperative"},"origin_us":1,"watchdog_ms":1}`, "engine mode"},
		{ToWorker, Version, "run", `{"id":1,"request":{"workload":"","mode":"sequential"},"origin_us":1,"watchdog_ms":1}`, "no workload"},
		{ToWorker, Version, "run", `{"id":1,"request":{"workload":"countdown","mode":"sequential"},"origin_us":0,"watchdog_ms":1}`, "origin_us"},
		{ToWorker, Version, "run", `{"id":1,"request":{"workload":"countdown","mode":"sequential"},"origin_us":1,"watchdog_ms":0}`, "watchdog_ms"},
		{ToWorker, Version, "warm", `{"id":1,"workloads":[""],"min_ms":0}`, "bad workload"},
		{ToWorker, Version, "warm", `{"id":1,"workloads":[],"min_ms":-1}`, "min_ms"},
		{ToWorker, Version, "warm", `{"id":1,"workloads":[],"min_ms":0,"settle_ms":100,"settle_min_ms":200}`, "settle_min_ms"},
		{ToPage, Version, "warmed", `{"id":1,"ms":1,"kernels":[],"settle_pass_ns":[-5]}`, "settle pass"},
		{ToPage, Version, "collected", `{"id":1,"start_us":5,"end_us":4}`, "collection"},
		{ToPage, Version, "collected", `{"id":1,"start_us":-1,"end_us":4}`, "collection"},
		{ToPage, Version, "collected", `{"id":0,"start_us":1,"end_us":4}`, "out of range"},
		{ToWorker, Version, "collected", `{"id":1,"start_us":1,"end_us":4}`, "does not travel"},
		{ToWorker, Version, "boot", `{"worker":1,"base":"","role":"daemon","args":null}`, "role"},
		{ToWorker, Version, "boot", `{"worker":1,"base":"","role":"","args":["x"]}`, "no arguments"},
		{ToPage, Version, "spans", `{"id":1,"spans":[{"lane":0,"task":0,"label":"","state":"running","start_us":5,"end_us":4}]}`, "malformed"},
		{ToPage, Version, "spans", `{"id":1,"spans":[{"lane":0,"task":0,"label":"","state":"dancing","start_us":1,"end_us":4}]}`, "unknown state"},
		{ToPage, Version, "taskdone", `{"id":1,"result":{"task":0,"lane":0,"value":1,"data":"AAEC","spans":null}}`, "data"},
		{ToPage, Version, "taskdone", `{"id":1,"result":{"task":0,"lane":0,"value":1,"spans":null},"live":[{"lane":0,"task":0,"label":"","state":"running","start_us":5,"end_us":4}]}`, "malformed"},
		{ToPage, Version, "error", `{"id":1,"error":""}`, "empty"},
		{ToPage, Version, "exit", `{"code":300,"output":""}`, "exit code"},
		{ToPage, Version, "output", `{"stream":"stdin"}`, "stream"},
		{ToPage, Version, "taskdone", `{"id":1,"result":{"task":0,"lane":0,"value":1,"spans":null},"final":-1,"has_final":true}`, "body"},
		{ToPage, Version, "final", `{"id":1,"value":1,"has":true}`, "unknown kind"},
		{ToPage, Version, "spawn", `{"id":0,"args":[],"fresh":false}`, "out of range"},
		{ToWorker, Version, "spawn", `{"id":1,"args":[],"fresh":false}`, "does not travel"},
		{ToWorker, Version, "spawned", `{"id":1,"child":0}`, "child id"},
		{ToWorker, Version, "spawned", `{"id":1,"child":3,"error":"no"}`, "no child"},
		{ToPage, Version, "reap", `{"child":-1}`, "child id"},
		{ToWorker, Version, "childfailed", `{"child":1,"error":""}`, "empty"},
	}
	for _, c := range cases {
		_, err := Decode(c.dir, c.v, c.kind, c.body)
		if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("Decode(%v, %s, %s) = %v, want a rejection mentioning %q", c.v, c.kind, c.body, err, c.why)
		}
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	for _, b := range []Body{&Ping{}, &Task{ID: 1, Lane: -1}, &Error{ID: 1}, nil} {
		if _, _, err := Encode(b); err == nil {
			t.Errorf("Encode(%#v) accepted", b)
		}
	}
}

// seed is a message of the fuzz targets' seed corpora.
type seed struct {
	kind Kind
	body string
}

// decodeCorpus is the seed corpus of FuzzDecode: valid messages cut,
// spliced and flipped at random (seeded, so the corpus is the same on
// every run).
func decodeCorpus() []seed {
	seeds := []seed{
		{KPing, `{"id":1}`},
		{KTaskDone, `{"id":1,"result":{"task":0,"lane":0,"value":1,"spans":[{"lane":0,"task":0,"label":"x","state":"running","start_us":1,"end_us":2}]}}`},
		{KTask, `{"id":1,"task":0,"lane":0,"request":{"workload":"countdown","mode":"sequential","params":{"count":5}},"origin_us":1,"deadline_us":5,"watchdog_ms":1,"shared":0}`},
		{KStuck, `{"id":1,"stuck":[{"task":0,"lane":0,"label":"w"}],"after_ms":3}`},
	}
	corpus := slices.Clone(seeds)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		s := seeds[i%len(seeds)]
		b := []byte(s.body)
		for range 1 + rng.IntN(3) {
			switch k := rng.IntN(4); {
			case k == 0 && len(b) > 0: // cut
				b = b[:rng.IntN(len(b))]
			case k == 1 && len(b) > 0: // flip a byte
				b[rng.IntN(len(b))] = byte(rng.IntN(256))
			case k == 2: // splice in a piece of another seed
				o := seeds[rng.IntN(len(seeds))].body
				at, from := rng.IntN(len(b)+1), rng.IntN(len(o))
				b = append(b[:at:at], append([]byte(o[from:min(len(o), from+8)]), b[at:]...)...)
			default: // insert a digit or sign
				at := rng.IntN(len(b) + 1)
				b = append(b[:at:at], append([]byte{`-9e\"{`[rng.IntN(6)]}, b[at:]...)...)
			}
		}
		corpus = append(corpus, seed{s.kind, string(b)})
	}
	return corpus
}

// seedCorpus returns the fixed mutations of a fuzz target's seeds, which
// go test checks on every run; or, when go test -fuzz explores, the seeds
// alone, so that it starts exploring at once instead of first measuring
// the coverage of every fixed mutation.
func seedCorpus(seeds []seed, mutations func() []seed) []seed {
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		return seeds
	}
	return mutations()
}

// FuzzDecode checks that Decode never panics, that what it accepts Encode
// sends, and that sending it again gives the same body.
func FuzzDecode(f *testing.F) {
	for _, s := range seedCorpus(decodeCorpus()[:4], decodeCorpus) {
		f.Add(string(s.kind), s.body)
	}
	f.Fuzz(func(t *testing.T, kind, body string) {
		dir := ToWorker
		if k, ok := kinds[Kind(kind)]; ok {
			dir = k.dir
		}
		v, err := Decode(dir, Version, kind, body)
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("%q: an error that is no rejection: %v", body, err)
			}
			return
		}
		k, text, err := Encode(v)
		if err != nil {
			t.Fatalf("%q: Decode accepted what Encode refuses: %v", body, err)
		}
		again, err := Decode(dir, Version, string(k), text)
		if err != nil {
			t.Fatalf("%q: Decode refused what Encode sent (%s): %v", body, text, err)
		}
		if _, text2, _ := Encode(again); text2 != text {
			t.Fatalf("%q: sent again, the body changed:\n%s\n%s", body, text, text2)
		}
	})
}
