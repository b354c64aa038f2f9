package workloads

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
)

// Ways to multiply, the values of the method parameter.
const (
	multiplyLoop   = "loop"
	multiplyChunks = "chunks"
	multiplyShared = "shared"
)

// ErrNoSharedMemory is the error of a task that needs memory shared by
// every lane when the environment has none.
var ErrNoSharedMemory = errors.New("shared memory is not available: in the browser it needs a cross-origin isolated page (served with COOP/COEP headers, e.g. conlab serve -isolate); choose the loop or chunks method")

func init() {
	Register(&Workload{
		ID:    "multiply",
		Title: "Multiply two arrays: when copying data costs more than it saves",
		Kind:  DataParallel,
		Summary: "Multiply two arrays element by element: one multiplication per element, so the work is " +
			"cheap and moving the data is what costs. One tight loop in one lane is the fastest. Splitting " +
			"the arrays into chunks and handing each lane a copy (Python's process pool; here, messages to " +
			"Web Workers) spends longer copying the chunks there and the products back than it saves by " +
			"multiplying in parallel: the timeline shows the copying. Reading and writing shared memory one " +
			"element at a time (Python's shared arrays; here, a SharedArrayBuffer through Atomics, only on a " +
			"cross-origin isolated page) is slower still, because every element pays for a synchronised access: " +
			"where the arrays are one program's own memory (natively, and on one thread in the browser) every " +
			"read and write takes the arrays' one lock, as Python's shared array does; a SharedArrayBuffer " +
			"between Web Workers is reached through JavaScript's Atomics, a call per access.",
		Mapping: "The loop method is the one-process list comprehension; chunks is multiply_chunk run by a Pool " +
			"on copied slices (Input makes each copied chunk, SetOutput hands the product chunk back); shared " +
			"is multiply_shared, element by element on multiprocessing.Array, here T.Shared's cells behind " +
			"one lock for the whole array (multiprocessing.Array's RLock) or, across Web Workers, Atomics. " +
			"The values are small whole numbers, so every product and the total are exact.",
		Params: []Param{
			ChoiceParam("method", "Method", []string{multiplyLoop, multiplyChunks, multiplyShared},
				"loop: one tight loop in one task; chunks: one copied chunk per lane; shared: every lane reads and writes shared memory element by element "+
					"(in the browser only on a cross-origin isolated page, served with COOP/COEP headers: elsewhere its runs end with an error saying so)."),
			IntParam("size", "Array size", "elements", 800_000, 1, 4_000_000,
				"How many elements each array has (the lesson used 800,000)."),
			IntParam("seed", "Seed", "", 1, 0, 1_000_000_000,
				"Makes the arrays' values (whole numbers 0 to 1023); the check recomputes them from it."),
		},
		Python: multiplyPython,
		Source: multiplySource,
		Quick:  map[string]any{"size": 1000},
		Plan:   planMultiply,
		Cost:   costMultiply,
	})
}

func planMultiply(a Args, n int) (*Plan, error) {
	method, size, seed := a.String("method"), int(a.Int("size")), uint64(a.Int("seed"))
	p := &Plan{}
	var parts []int64
	switch method {
	case multiplyLoop:
		parts = []int64{int64(size)}
		p.Tasks = []string{fmt.Sprintf("multiply %s elements in one loop", GroupDigits(int64(size)))}
	case multiplyChunks, multiplyShared:
		parts = split(int64(size), n)
		for k, m := range parts {
			p.Tasks = append(p.Tasks, fmt.Sprintf("%s chunk %d (%s elements)", method, k, GroupDigits(int64(m))))
		}
	default:
		return nil, &ParamError{Field: "method", Msg: fmt.Sprintf("unknown method %q", method)}
	}
	starts := make([]int, len(parts)+1)
	for k, m := range parts {
		starts[k+1] = starts[k] + int(m)
	}
	in := &multiplyInstance{method: method, size: size, seed: seed, starts: starts, lock: new(sync.Mutex)}
	p.New = func() Instance { return in }
	if method == multiplyChunks {
		p.Input = in.input
	}
	if method == multiplyShared {
		p.Shared = 3 * size
	}
	p.Combine = func(o Outputs) Check { return in.check(o) }
	return p, nil
}

// multiplyInstance holds nothing that changes but its lock, so one value
// serves every memory: chunk k covers elements starts[k] to starts[k+1].
type multiplyInstance struct {
	method string
	size   int
	seed   uint64
	starts []int
	lock   *sync.Mutex // the shared arrays' one lock, for every lane of this memory
}

// element returns element i of array a (which 0) or b (which 1): a whole
// number from 0 to 1023, from a hash of the seed and the index, so any
// lane can make any part of the arrays without the rest.
func element(seed uint64, which, i int) float64 {
	z := seed*0x9e3779b97f4a7c15 ^ uint64(i)<<1 ^ uint64(which)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return float64((z ^ z>>31) & 1023)
}

// The kernels below work on one block of at most multiplyBlock elements
// per call, and are kept out of line. Between blocks a task checks for
// cancellation, and in wasm a kernel becomes a function of its own that
// the engine optimises after its first blocks: it runs a function's first
// calls unoptimised and switches only on a later call, so one call over
// the whole array would run unoptimised from start to end.
const multiplyBlock = 1 << 16

// inBlocks calls f on consecutive blocks [lo, hi) of [0, n), and returns
// the context's error as soon as the run is cancelled.
func inBlocks(t *T, n int, f func(lo, hi int)) error {
	for lo := 0; lo < n; lo += multiplyBlock {
		hi := min(lo+multiplyBlock, n)
		f(lo, hi)
		if err := t.Err(); err != nil {
			return err
		}
	}
	return nil
}

// fill sets dst to the array's elements from index lo on.
//
//go:noinline
func fill(dst []float64, seed uint64, which, lo int) {
	for j := range dst {
		dst[j] = element(seed, which, lo+j)
	}
}

// multiplyInto sets c[i] = a[i] * b[i]: the whole lesson's computation.
// It takes four elements per turn of the loop because Go's wasm code pays
// a jump through a table at every turn (about 1.3x faster in wasm, the
// same natively); the fixed-length subslices let the compiler drop the
// bounds checks of the four products.
//
//go:noinline
func multiplyInto(c, a, b []float64) {
	a, b = a[:len(c)], b[:len(c)]
	i := 0
	for ; i+4 <= len(c); i += 4 {
		cc, aa, bb := c[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		cc[0] = aa[0] * bb[0]
		cc[1] = aa[1] * bb[1]
		cc[2] = aa[2] * bb[2]
		cc[3] = aa[3] * bb[3]
	}
	for ; i < len(c); i++ {
		c[i] = a[i] * b[i]
	}
}

// total adds up the products. With values below 1024 every partial sum of
// up to 4,000,000 products is below 2^53, so float64 adds them exactly, in
// any order. Four running sums let four additions proceed at once instead
// of each waiting for the one before: about 4x faster natively, 2x in wasm.
//
//go:noinline
func total(c []float64) uint64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(c); i += 4 {
		q := c[i : i+4 : i+4]
		s0 += q[0]
		s1 += q[1]
		s2 += q[2]
		s3 += q[3]
	}
	for ; i < len(c); i++ {
		s0 += c[i]
	}
	return uint64(s0 + s1 + s2 + s3)
}

// pack writes v as little-endian float64s into dst (8 bytes each).
//
//go:noinline
func pack(dst []byte, v []float64) {
	dst = dst[:8*len(v)]
	for j, x := range v {
		binary.LittleEndian.PutUint64(dst[8*j:], math.Float64bits(x))
	}
}

// unpack reads len(v) little-endian float64s from src into v.
//
//go:noinline
func unpack(v []float64, src []byte) {
	src = src[:8*len(v)]
	for j := range v {
		v[j] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*j:]))
	}
}

// input makes task k's payload: chunk k of a, then chunk k of b, as
// little-endian float64s. In the workers mode it travels in a message.
func (m *multiplyInstance) input(k int) []byte {
	lo, n := m.starts[k], m.starts[k+1]-m.starts[k]
	buf := make([]byte, 16*n)
	tmp := make([]float64, min(n, multiplyBlock))
	for which := range 2 {
		for j := 0; j < n; j += len(tmp) {
			part := tmp[:min(len(tmp), n-j)]
			fill(part, m.seed, which, lo+j)
			pack(buf[8*(which*n+j):], part)
		}
	}
	return buf
}

func (m *multiplyInstance) Run(t *T, k int) (uint64, error) {
	if k < 0 || k+1 >= len(m.starts) {
		return 0, fmt.Errorf("task %d out of range", k)
	}
	switch m.method {
	case multiplyChunks:
		return m.runChunk(t, k)
	case multiplyShared:
		return m.runShared(t, k)
	}
	n := m.size
	t.Phase("make a and b", Running)
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	if err := inBlocks(t, n, func(lo, hi int) {
		fill(a[lo:hi], m.seed, 0, lo)
		fill(b[lo:hi], m.seed, 1, lo)
	}); err != nil {
		return 0, err
	}
	t.Phase("multiply in one loop", Running)
	if err := inBlocks(t, n, func(lo, hi int) { multiplyInto(c[lo:hi], a[lo:hi], b[lo:hi]) }); err != nil {
		return 0, err
	}
	return m.sumProducts(t, c)
}

// sumProducts is the task's value: the sum of its products.
func (m *multiplyInstance) sumProducts(t *T, c []float64) (uint64, error) {
	t.Phase("add up the products", Running)
	var s uint64
	err := inBlocks(t, len(c), func(lo, hi int) { s += total(c[lo:hi]) })
	return s, err
}

// runChunk multiplies a copied chunk: unpack the message into arrays,
// multiply, pack the products into a message back. Both copies are part
// of the cost the lesson is about.
func (m *multiplyInstance) runChunk(t *T, k int) (uint64, error) {
	n := m.starts[k+1] - m.starts[k]
	in := t.Input()
	if len(in) != 16*n {
		return 0, fmt.Errorf("chunk %d: got %d bytes, want %d (two arrays of %d float64s)", k, len(in), 16*n, n)
	}
	t.Phase(fmt.Sprintf("unpack chunk %d", k), Running)
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	if err := inBlocks(t, n, func(lo, hi int) {
		unpack(a[lo:hi], in[8*lo:])
		unpack(b[lo:hi], in[8*(n+lo):])
	}); err != nil {
		return 0, err
	}
	t.Phase(fmt.Sprintf("multiply chunk %d", k), Running)
	if err := inBlocks(t, n, func(lo, hi int) { multiplyInto(c[lo:hi], a[lo:hi], b[lo:hi]) }); err != nil {
		return 0, err
	}
	t.Phase(fmt.Sprintf("pack chunk %d", k), Running)
	out := make([]byte, 8*n)
	if err := inBlocks(t, n, func(lo, hi int) { pack(out[8*lo:], c[lo:hi]) }); err != nil {
		return 0, err
	}
	t.SetOutput(out)
	return m.sumProducts(t, c)
}

// runShared works on arrays in shared memory, one synchronised access per
// read or write: cells [0,size) hold a, [size,2size) b, [2size,3size) c.
// Each task fills its own chunk of a and b first, as Python's parent
// process fills its shared arrays. Where the cells are this program's
// own memory (natively, and on one thread in the browser) every access takes the
// arrays' one lock, as every a[i] of a multiprocessing.Array takes its
// RLock; across Web Workers every access is a call into JavaScript
// (Atomics). That synchronised access is the cost the lesson shows.
func (m *multiplyInstance) runShared(t *T, k int) (uint64, error) {
	sh := t.Shared()
	if sh == nil {
		return 0, ErrNoSharedMemory
	}
	if sh.Len() < 3*m.size {
		return 0, fmt.Errorf("shared memory has %d cells, want %d", sh.Len(), 3*m.size)
	}
	sh = m.cells(sh)
	lo, n := m.starts[k], m.starts[k+1]-m.starts[k]
	t.Phase(fmt.Sprintf("fill shared a, b chunk %d", k), Running)
	if err := inBlocks(t, n, func(i, j int) { fillShared(sh, m.size, m.seed, lo+i, lo+j) }); err != nil {
		return 0, err
	}
	t.Phase(fmt.Sprintf("multiply chunk %d element by element", k), Running)
	var s uint64
	err := inBlocks(t, n, func(i, j int) { s += multiplySharedCells(sh, m.size, lo+i, lo+j) })
	return s, err
}

// cells is how the shared method reaches sh: through the arrays' one
// lock where sh is this program's own memory (Int32s), as it is.
func (m *multiplyInstance) cells(sh Shared) Shared {
	if mem, ok := sh.(Int32s); ok {
		return lockedCells{mu: m.lock, cells: mem}
	}
	return sh
}

// lockedCells are cells of one memory whose every access holds mu, the
// lock of the whole array, shared by every lane.
type lockedCells struct {
	mu    *sync.Mutex
	cells Int32s
}

func (l lockedCells) Len() int { return l.cells.Len() }

func (l lockedCells) Load(i int) int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cells.Load(i)
}

func (l lockedCells) Store(i int, v int32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cells.Store(i, v)
}

func (l lockedCells) Add(i int, delta int32) int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cells.Add(i, delta)
}

// fillShared stores elements lo to hi of a and b in their cells.
//
//go:noinline
func fillShared(sh Shared, size int, seed uint64, lo, hi int) {
	for i := lo; i < hi; i++ {
		sh.Store(i, int32(element(seed, 0, i)))
		sh.Store(size+i, int32(element(seed, 1, i)))
	}
}

// multiplySharedCells sets c[i] = a[i] * b[i] for lo <= i < hi, one shared
// access at a time, and returns the sum of the products it read back.
//
//go:noinline
func multiplySharedCells(sh Shared, size, lo, hi int) uint64 {
	var s uint64
	for i := lo; i < hi; i++ {
		sh.Store(2*size+i, sh.Load(i)*sh.Load(size+i))
		s += uint64(sh.Load(2*size + i))
	}
	return s
}

// expected returns the exact sum of a[i]*b[i] over elements lo to hi.
func (m *multiplyInstance) expected(lo, hi int) uint64 {
	var s uint64
	for i := lo; i < hi; i++ {
		s += uint64(element(m.seed, 0, i) * element(m.seed, 1, i))
	}
	return s
}

// check compares the tasks' sums with the exact one, recomputed from the
// seed in one pass. For chunks it also compares every product that came
// back, since those bytes are what the lesson moves around.
func (m *multiplyInstance) check(o Outputs) Check {
	tasks := len(m.starts) - 1
	want := m.expected(0, m.size)
	got := sum(o.Values)
	c := Check{Value: strconv.FormatUint(got, 10), Expected: strconv.FormatUint(want, 10)}
	switch {
	case len(o.Values) != tasks:
		c.Note = fmt.Sprintf("%s results came back, want %s", GroupDigits(int64(len(o.Values))), GroupDigits(int64(tasks)))
		return c
	case got != want:
		c.Note = "the sum of the products differs from the exact one"
		return c
	}
	if m.method == multiplyChunks {
		if len(o.Data) != tasks {
			c.Note = "the product chunks did not come back"
			return c
		}
		for k := range tasks {
			if bad := m.badProduct(k, o.Data[k]); bad != "" {
				c.Note = bad
				return c
			}
		}
	}
	c.OK = true
	c.Note = fmt.Sprintf("the sum of all %s products is exact (whole numbers below 1,024 multiply and add exactly in float64)", GroupDigits(int64(m.size)))
	if m.method == multiplyChunks {
		c.Note += "; every product chunk came back right"
	}
	return c
}

// badProduct describes the first wrong product in chunk k's returned
// bytes, or returns "".
func (m *multiplyInstance) badProduct(k int, data []byte) string {
	lo, hi := m.starts[k], m.starts[k+1]
	if len(data) != 8*(hi-lo) {
		return fmt.Sprintf("chunk %d came back with %d bytes, want %d", k, len(data), 8*(hi-lo))
	}
	for i := lo; i < hi; i++ {
		got := math.Float64frombits(binary.LittleEndian.Uint64(data[8*(i-lo):]))
		if want := element(m.seed, 0, i) * element(m.seed, 1, i); got != want {
			return fmt.Sprintf("product %d is %v, want %v", i, got, want)
		}
	}
	return ""
}
