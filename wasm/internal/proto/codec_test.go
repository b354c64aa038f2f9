package proto

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"conlab/workloads"
)

// The hand-written codec must speak the JSON that encoding/json gives the
// body types' struct tags: these tests hold it to encoding/json, which was
// the codec before.

// richBodies has every body type, with the values that are easy to get
// wrong: escapes, bytes that are not UTF-8, extreme numbers, empty and nil
// slices, parameters of every JSON type.
func richBodies() []Body {
	sp := []workloads.Span{
		{Lane: 0, Task: -1, Label: "start-up", State: workloads.Startup, Start: 0, End: 12},
		{Lane: 63, Task: 1<<20 - 1, Label: "tab\there \"quoted\" back\\slash \x01 é 世界 \xff\xfe", State: workloads.Running, Start: -5, End: 1 << 53},
	}
	req := workloads.Request{Workload: "count\ndown", Mode: workloads.Goroutines, Workers: 64, GOMAXPROCS: 3, TimeoutMS: 600_000, Schedule: "0.1*3~random:7",
		Params: map[string]any{"count": json.Number("-12.5e+3"), "on": true, "off": false, "s": "x\u00e9", "n": nil,
			"list": []any{json.Number("1"), "two", []any{}, map[string]any{}}, "obj": map[string]any{"b": json.Number("0"), "a": "z"},
			"ints": []any{int8(-8), int16(-16), int32(-32), int64(-64), uint(1), uint8(8), uint16(16), uint32(32), uint64(1<<64 - 1), 7, 0.25}}}
	return []Body{
		&Boot{Worker: 3, Base: "http://127.0.0.1/lab/?a=b&c=<d>", Role: RoleChild, Args: []string{"-lines", "", "\u2603"}},
		&Boot{Worker: 1, Role: RolePool},
		&Warm{ID: 1, Workloads: []string{"countdown", "sumsquares"}, Long: []string{}, MinMS: 0.000_000_5},
		&Run{ID: MaxID, Request: req, OriginUS: 1, WatchdogMS: 1},
		&Task{ID: 3, Task: 4, Lane: 1, Request: workloads.Request{Workload: "w", Mode: workloads.Sequential}, OriginUS: 5, DeadlineUS: 9, WatchdogMS: 1000, Shared: 7, More: []int{0, 5}},
		&Finish{ID: 3}, &Cancel{ID: 3}, &Ping{ID: 9}, &Pong{ID: 9}, &Collected{ID: MaxID, StartUS: 0, EndUS: 1 << 53},
		&Ready{Worker: 3, CompileMS: 1e21, InstantiateMS: 12.5, TimeOriginMS: 1796055769493.892, ScriptMS: 1e-7, GoStartMS: 123456789.123, GoVersion: "go1.26"},
		&Warmed{ID: 1, MS: 3, Kernels: []KernelWarm{{Workload: "countdown", Runs: 2, FirstUS: 900, LastUS: 90}}, Error: "oops"},
		&Warmed{ID: 1},
		&Warmed{ID: 1, Settled: true, SettledMS: 1.5, SettlePassNS: []int64{10, 0}},
		&Warm{ID: 1, SettleMS: 10_000},
		&Spans{ID: 2, Spans: sp, Done: 5},
		&Spans{ID: 2, Spans: []workloads.Span{}},
		&Result{ID: 2, Result: workloads.Result{Workload: "countdown", Mode: workloads.Goroutines, Workers: 2, Params: req.Params, WallUS: 10, StartupUS: 3, CheckUS: 4,
			Check: workloads.Check{Value: "1", Expected: "2", OK: true, Note: "lost"}, Spans: sp,
			Facts: workloads.Facts{Engine: "wasm-worker", GOOS: "js", GOARCH: "wasm", GOMAXPROCS: 1, NumCPU: 1, GoVersion: "go1.26", CPU: "x", Browser: "Mozilla/5.0 (X11)"},
			Error: "deadlock", Stuck: []workloads.StuckTask{{Task: 1, Lane: 2, Label: "waits for fork 2"}}, Shared: 3,
			Schedule: "0.1", Outcome: "deadlock", Steps: []workloads.Step{{Lane: 1, Task: 3, What: "task 3: read x = \"0\"", Shared: "x = 0"}, {}},
			Next: []workloads.Step{{Lane: 0, Task: 0, What: "task 0: wait for lock B (held by task 1)", Wait: true}}}},
		&Result{ID: 2},
		&Result{ID: 2, ErrKind: ErrTimeout, AfterMS: 12},
		&TaskDone{ID: 3, Result: workloads.TaskResult{Task: 4, Lane: 1, Value: 1<<64 - 1, Spans: sp, Err: "boom"}, Final: 1<<64 - 2, HasFinal: true, Live: sp},
		&TaskDone{ID: 3},
		&TaskDone{ID: 3, More: []workloads.TaskResult{{Task: 5, Spans: sp}, {}}, ErrKind: ErrTimeout},
		&Stuck{ID: 3, Stuck: []workloads.StuckTask{{Task: 1, Lane: 0, Label: "waits"}}, AfterMS: 300},
		&Stuck{ID: 3},
		&Error{Error: "no"}, &Exit{Code: -1, Output: "panic: x\n\tgoroutine 1"}, &Fatal{Error: "no"}, &Output{Stream: "stderr"},
		&Spawn{ID: 4, Args: []string{"-lines", "3"}, Fresh: true}, &Spawned{ID: 4, Child: 2}, &Spawned{ID: 4, Error: "no page"},
		&Reap{Child: 2}, &ChildFailed{Child: 2, Error: "the worker failed"},
	}
}

// referenceDecode is the decoding the protocol had with encoding/json.
func referenceDecode(body string, v any) error {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	// (Decoder.More, which the protocol used, let a stray '}' or ']'
	// after the object pass.)
	if strings.TrimLeft(body[dec.InputOffset():], " \t\r\n") != "" || !strings.HasPrefix(strings.TrimLeft(body, " \t\r\n"), "{") {
		return errorString("not one object")
	}
	return nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// stdJSON is b as encoding/json writes it, without its escaping of <, >
// and & for HTML pages (the codec leaves them: both are JSON).
func stdJSON(t *testing.T, b Body) string {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(want.String(), "\n")
}

func TestCodecWritesWhatEncodingJSONWrites(t *testing.T) {
	for _, b := range richBodies() {
		got, err := encodeJSON(b)
		if err != nil {
			t.Errorf("%T: %v", b, err)
			continue
		}
		if w := stdJSON(t, b); got != w {
			t.Errorf("%T:\n got %s\nwant %s", b, got, w)
		}
	}
}

func TestCodecReadsWhatEncodingJSONReads(t *testing.T) {
	for _, b := range richBodies() {
		text, err := json.Marshal(b) // with HTML escapes: \u003c
		if err != nil {
			t.Fatal(err)
		}
		want := reflect.New(reflect.TypeOf(b).Elem()).Interface().(walkable)
		if err := referenceDecode(string(text), want); err != nil {
			t.Fatal(err)
		}
		got := reflect.New(reflect.TypeOf(b).Elem()).Interface().(walkable)
		if err := decodeJSON(string(text), got); err != nil {
			t.Errorf("%T: %v\n%s", b, err, text)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%T:\n got %+v\nwant %+v", b, got, want)
		}
	}
}

func TestCodecRefusesWhatIsNoParameter(t *testing.T) {
	for _, v := range []any{json.Number("1e"), json.Number("01"), json.Number(""), 1.0 / zero(), -1.0 / zero(), struct{}{}, float32(1), []int{1}} {
		r := &Result{ID: 1, Result: workloads.Result{Params: map[string]any{"x": v}}}
		if b, err := encodeJSON(r); err == nil {
			t.Errorf("%v encoded as %s", v, b)
		}
	}
}

func zero() float64 { return 0 }

// agreementSeeds are the bodies the codecs are compared on: every body
// type's rich example as encoding/json writes it, and a few hand-written
// forms (nulls, white space, escapes, deep nesting).
func agreementSeeds() []seed {
	var seeds []seed
	for _, b := range richBodies() {
		text, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		seeds = append(seeds, seed{b.kind(), string(text)})
	}
	return append(seeds,
		seed{KSpans, `{"id":1,"spans":[null,{"lane":1,"label":null}],"done":null}`},
		seed{KStuck, ` {"id" : 1 , "stuck" : [ ] } `},
		seed{KError, `{"id":1,"error":"\ud83d\ude00 \ud800 \udc00x \u00e9\/\b\f"}`},
		seed{KResult, `{"id":1,"result":{"params":{"a":[[[[{"b":[]}]]]]}}}`})
}

// agreementCorpus is the seed corpus of FuzzCodecAgreesWithEncodingJSON:
// the seeds themselves, then 40,000 of them cut, spliced and flipped at
// random (seeded, so the corpus is the same on every run).
func agreementCorpus() []seed {
	seeds := agreementSeeds()
	corpus := slices.Clone(seeds)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := len(seeds); i < 40000; i++ {
		s := seeds[i%len(seeds)]
		b := []byte(s.body)
		for range 1 + rng.IntN(2) {
			switch k := rng.IntN(5); {
			case k == 0 && len(b) > 0:
				b = b[:rng.IntN(len(b))]
			case k == 1 && len(b) > 0:
				b[rng.IntN(len(b))] = byte(rng.IntN(256))
			case k == 2:
				o := seeds[rng.IntN(len(seeds))].body
				at, from := rng.IntN(len(b)+1), rng.IntN(len(o))
				b = append(b[:at:at], append([]byte(o[from:min(len(o), from+12)]), b[at:]...)...)
			case k == 3 && len(b) > 0:
				at := rng.IntN(len(b))
				b = append(b[:at:at], b[min(len(b), at+1+rng.IntN(6)):]...)
			default:
				at := rng.IntN(len(b) + 1)
				b = append(b[:at:at], append([]byte{`-9e.\"{}[],:n0u `[rng.IntN(16)]}, b[at:]...)...)
			}
		}
		corpus = append(corpus, seed{s.kind, string(b)})
	}
	return corpus
}

// FuzzCodecAgreesWithEncodingJSON decodes a body of a kind with both
// codecs: what one accepts the other must accept, with the same value.
// The one difference allowed: encoding/json matches a key to a field
// whatever its case, the codec only exactly.
func FuzzCodecAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range seedCorpus(agreementSeeds(), agreementCorpus) {
		f.Add(string(s.kind), s.body)
	}
	f.Fuzz(func(t *testing.T, kind, body string) {
		k, ok := kinds[Kind(kind)]
		if !ok {
			t.Skip("not a kind")
		}
		want, got := k.new(), k.new()
		werr := referenceDecode(body, want)
		gerr := decodeJSON(body, got)
		switch {
		case werr == nil && gerr == nil:
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q (%s): the codecs read different values:\n got %+v\nwant %+v", body, kind, got, want)
			}
		case werr != nil && gerr == nil:
			t.Fatalf("%q (%s): the codec accepted what encoding/json refuses: %v", body, kind, werr)
		case werr == nil && gerr != nil:
			if !strings.Contains(gerr.Error(), "unknown field") {
				t.Fatalf("%q (%s): the codec refused what encoding/json accepts: %v", body, kind, gerr)
			}
		}
	})
}

// The seed corpus holds enough valid bodies for the fuzz target to
// compare the codecs' values, not only their errors. (The codec counts
// them: the target holds it to encoding/json.)
func TestAgreementCorpusHasValidBodies(t *testing.T) {
	valid := 0
	for _, s := range agreementCorpus() {
		if decodeJSON(s.body, kinds[s.kind].new()) == nil {
			valid++
		}
	}
	if valid < 1000 {
		t.Errorf("only %d of the corpus's bodies are valid: the fuzz target's seeds check little", valid)
	}
}

// The codec exists for speed: compare it with encoding/json on a
// workers-mode answer of a typical size.
func BenchmarkCodec(b *testing.B) {
	body := &TaskDone{ID: 12, Result: workloads.TaskResult{Task: 3, Lane: 1, Value: 150_000_000, Spans: []workloads.Span{
		{Lane: 1, Task: 3, Label: "copy in 0 B", State: workloads.Waiting, Start: 1200, End: 1260},
		{Lane: 1, Task: 3, Label: "count down 150000000", State: workloads.Running, Start: 1260, End: 251_000},
		{Lane: 1, Task: 3, Label: "copy out 0 B", State: workloads.Waiting, Start: 251_000, End: 251_100},
	}}, Final: 1, HasFinal: true}
	text, _ := json.Marshal(body)
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := encodeJSON(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode-encoding-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if err := decodeJSON(string(text), new(TaskDone)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-encoding-json", func(b *testing.B) {
		for b.Loop() {
			if err := referenceDecode(string(text), new(TaskDone)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Every exported field of every body, and of every struct a body holds,
// travels: filled with values that are not empty, a body is written as
// encoding/json writes it and read back whole. (A field the walks lack
// would be left out, or refused as unknown.)
func TestCodecCarriesEveryField(t *testing.T) {
	for k, info := range kinds {
		b := info.new()
		fill(t, reflect.ValueOf(b).Elem())
		got, err := encodeJSON(b)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		if w := stdJSON(t, b); got != w {
			t.Errorf("%s (is walk_gen.go stale? go generate ./wasm/internal/proto):\n got %s\nwant %s", k, got, w)
		}
		back := info.new()
		if err := decodeJSON(got, back); err != nil {
			t.Errorf("%s: %v", k, err)
		} else if !reflect.DeepEqual(back, b) {
			t.Errorf("%s: read back\n%+v\nwant %+v", k, back, b)
		}
	}
}

// fill gives every exported field of v a value that is not empty.
func fill(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("s")
	case reflect.Int, reflect.Int64:
		v.SetInt(-7)
	case reflect.Uint64, reflect.Uint8: // (a []byte's)
		v.SetUint(1 << (v.Type().Bits() - 1))
	case reflect.Float64:
		v.SetFloat(0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(t, s.Index(0))
		v.Set(s)
	case reflect.Map:
		if v.Type() != reflect.TypeFor[map[string]any]() {
			t.Fatalf("no value for a %s", v.Type())
		}
		v.Set(reflect.ValueOf(map[string]any{"k": json.Number("1")}))
	default:
		t.Fatalf("no value for a %s", v.Type())
	}
}
