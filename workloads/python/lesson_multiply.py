# Multiply two arrays element-wise: when copying costs more than it saves.
import random
import time
from multiprocessing import Array, Pool

SIZE = 800_000
WORKERS = 4

a = [float(random.randint(0, 1023)) for _ in range(SIZE)]
b = [float(random.randint(0, 1023)) for _ in range(SIZE)]


def multiply_chunk(chunk):
    xs, ys = chunk
    return [x * y for x, y in zip(xs, ys)]


def init_shared(sa, sb, sc):
    global shared_a, shared_b, shared_c
    shared_a, shared_b, shared_c = sa, sb, sc


def multiply_shared(bounds):
    lo, hi = bounds
    for i in range(lo, hi):
        # Every access takes the array's lock: element by element.
        shared_c[i] = shared_a[i] * shared_b[i]


def timed(label, run):
    t0 = time.perf_counter()
    run()
    print(f"{label}: {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    timed("one loop", lambda: [x * y for x, y in zip(a, b)])

    step = SIZE // WORKERS
    chunks = [(a[i:i + step], b[i:i + step]) for i in range(0, SIZE, step)]
    with Pool(WORKERS) as pool:
        # Each chunk is pickled, sent to a process, and its result sent back.
        timed("pool, copied chunks", lambda: pool.map(multiply_chunk, chunks))

    sa, sb, sc = Array("d", a), Array("d", b), Array("d", SIZE)
    bounds = [(i, min(i + step, SIZE)) for i in range(0, SIZE, step)]
    with Pool(WORKERS, initializer=init_shared, initargs=(sa, sb, sc)) as pool:
        timed("pool, shared arrays", lambda: pool.map(multiply_shared, bounds))
