//go:build js && wasm

package jsenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"conlab/wasm/internal/proto"
	"conlab/workloads"

	"github.com/hack-pad/safejs"
)

func eval(t *testing.T, src string) safejs.Value {
	t.Helper()
	fn, err := Get(Global(), "Function")
	if err != nil {
		t.Fatal(err)
	}
	f, err := fn.New("return (" + src + ");")
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	v, err := f.Invoke()
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

func TestClockIsTheBrowsers(t *testing.T) {
	c, err := NewClock()
	if err != nil {
		t.Fatal(err)
	}
	// Bracket each reading with the browser's clock; a reading taken
	// while the thread was descheduled has a wide bracket, so the best
	// of a few counts.
	off := int64(1 << 62)
	for range 10 {
		before, _ := eval(t, "performance.timeOrigin + performance.now()").Float()
		got := c.Now()
		after, _ := eval(t, "performance.timeOrigin + performance.now()").Float()
		lo, hi := int64(before*1000), int64(after*1000)
		switch {
		case got < lo:
			off = min(off, lo-got)
		case got > hi:
			off = min(off, got-hi)
		default:
			off = 0
		}
	}
	if off > 1000 {
		t.Errorf("clock is %d µs off performance.timeOrigin+now()", off)
	}
	a := c.Now()
	time.Sleep(30 * time.Millisecond)
	if d := c.Now() - a; d < 29_000 || d > 1_000_000 {
		t.Errorf("30 ms slept measured as %d µs", d)
	}
}

func TestAwait(t *testing.T) {
	ctx := context.Background()
	v, err := Await(ctx, eval(t, "Promise.resolve(42)"))
	if n, _ := v.Int(); err != nil || n != 42 {
		t.Errorf("resolved: %v %v", n, err)
	}
	if _, err := Await(ctx, eval(t, `Promise.reject(new TypeError("nope"))`)); err == nil || err.Error() != "TypeError: nope" {
		t.Errorf("rejected: %v", err)
	}
	if _, err := Await(ctx, eval(t, "42")); !errors.Is(err, ErrNotPromise) {
		t.Errorf("not a promise: %v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := Await(cctx, eval(t, "new Promise(() => {})")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("never settles: %v", err)
	}
}

func TestBytes(t *testing.T) {
	in := []byte("hello, worker")
	a, err := Uint8Array(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Bytes(a, 100)
	if err != nil || !bytes.Equal(in, out) {
		t.Errorf("round trip: %q %v", out, err)
	}
	if _, err := Bytes(a, 5); err == nil {
		t.Error("the limit was not applied")
	}
	if _, err := Bytes(eval(t, `"text"`), 100); err == nil {
		t.Error("a string was taken for bytes")
	}
}

func TestFetch(t *testing.T) {
	ctx := context.Background()
	base, _ := eval(t, "location.href").String()
	body, err := Fetch(ctx, base, workloads.DownloadFile(7)+"?run=jsenv")
	if id, perr := workloads.ParsePage(body); err != nil || perr != nil || id != 7 {
		t.Skipf("the runner's page files are not served here: %v %v", err, perr)
	}
	if _, err := Fetch(ctx, base, "/nothing/here"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing page: %v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	if _, err := Fetch(cctx, base, "/api/delay?ms=3000&id=1"); !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) > 2*time.Second {
		t.Errorf("a cancelled fetch: %v after %v", err, time.Since(t0))
	}
}

func TestStringLength(t *testing.T) {
	if n := StringLength(eval(t, `"héllo"`)); n != 5 {
		t.Errorf("StringLength = %d, want 5", n)
	}
	if n := StringLength(eval(t, `42`)); n != -1 {
		t.Errorf("StringLength(42) = %d, want -1", n)
	}
}

// A body over the limit is refused before it is copied into this
// program's memory (which never shrinks).
func TestReadDoesNotCopyHugeBodies(t *testing.T) {
	msg := eval(t, versioned(`({v: V, kind: "pong", body: " ".repeat(100 * 1024 * 1024)})`))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := Read(msg, proto.ToPage); !errors.Is(err, proto.ErrRejected) {
		t.Fatalf("a 100 MB body: %v, want a rejection", err)
	}
	runtime.ReadMemStats(&after)
	if grew := int64(after.Sys) - int64(before.Sys); grew > 8<<20 {
		t.Errorf("reading a 100 MB body grew the program's memory by %d MB", grew>>20)
	}
}

func TestReadRejects(t *testing.T) {
	for _, src := range []string{
		`42`, `"ping"`, `null`, `[]`,
		`({kind: "pong", body: '{"id":1}'})`,
		`({v: "1", kind: "pong", body: '{"id":1}'})`,
		`({v: W, kind: "pong", body: '{"id":1}'})`,
		`({v: V, kind: "ping", body: '{"id":1}'})`,
		`({v: V, kind: "pong", body: {id: 1}})`,
		`({v: V, kind: "pong", body: '{"id":1}', data: "bytes"})`,
		`({v: V, kind: "pong", body: '{"id":1}', data: new Uint16Array(2)})`,
		`({v: V, kind: "pong", body: '{"id":1}', shared: new ArrayBuffer(8)})`,
		`({v: V, kind: "x".repeat(100000), body: '{"id":1}'})`,
		`({v: V, kind: "pong", body: " ".repeat(64 * 1024 * 1024 + 1)})`,
	} {
		if m, err := Read(eval(t, versioned(src)), proto.ToPage); !errors.Is(err, proto.ErrRejected) {
			t.Errorf("Read(%s) = %+v, %v; want a rejection", src, m, err)
		}
	}
	m, err := Read(eval(t, versioned(`({v: V, kind: "output", body: '{"stream":"stdout"}', data: new Uint8Array([104, 105])})`)), proto.ToPage)
	if err != nil || string(m.Data) != "hi" || m.Body.(*proto.Output).Stream != "stdout" {
		t.Errorf("a good message: %+v %v", m, err)
	}
}

// versioned writes the protocol's version for V, and another for W.
func versioned(src string) string {
	return strings.NewReplacer("v: V", fmt.Sprintf("v: %d", proto.Version), "v: W", fmt.Sprintf("v: %d", proto.Version+1)).Replace(src)
}

func TestSharedInt32(t *testing.T) {
	if ok, _ := eval(t, `typeof SharedArrayBuffer === "function"`).Bool(); !ok {
		t.Skip("no SharedArrayBuffer: the page is not cross-origin isolated")
	}
	buf := eval(t, "new SharedArrayBuffer(16)")
	s, err := NewSharedInt32(buf, 4)
	if err != nil {
		t.Fatal(err)
	}
	s.Store(1, 40)
	if got := s.Add(1, 2); got != 42 || s.Load(1) != 42 || s.Len() != 4 {
		t.Errorf("Add returned %d, Load %d", got, s.Load(1))
	}
	if _, err := NewSharedInt32(buf, 5); err == nil {
		t.Error("5 cells in 16 bytes")
	}
	defer func() {
		if recover() == nil {
			t.Error("an index out of range did not panic")
		}
	}()
	s.Load(4)
}

func TestEnvShared(t *testing.T) {
	if sh := (&Env{OneMemory: true}).Shared(3); sh == nil || sh.Len() != 3 {
		t.Errorf("one memory: %v", sh)
	}
	if sh := (&Env{}).Shared(3); sh != nil {
		t.Errorf("separate workers without a SharedArrayBuffer got %v", sh)
	}
	if _, err := (&Env{}).Spawn(context.Background(), workloads.SpawnOptions{}); !errors.Is(err, workloads.ErrNoSpawn) {
		t.Errorf("an Env without a spawner: %v", err)
	}
}

func TestPipe(t *testing.T) {
	p := &pipe{ready: make(chan struct{}, 1)}
	go func() {
		p.write([]byte("a"))
		time.Sleep(5 * time.Millisecond)
		p.write([]byte("bc"))
		p.close()
	}()
	b, err := io.ReadAll(p)
	if string(b) != "abc" || err != nil {
		t.Errorf("read %q, %v", b, err)
	}
}

// Cores is a measurement: on a shared machine its figure swings with the
// load (the pool clamps it to the cores reported), so the test checks
// that it measures, and logs what.
func TestCores(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, k := range []int{1, 2} {
		r, err := Cores(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Cores(%d) = %.2f", k, r)
		if !(r > 0) || math.IsInf(r, 0) {
			t.Errorf("Cores(%d) = %v, want a positive ratio", k, r)
		}
	}
}
