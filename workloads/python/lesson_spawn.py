# Spawn: starting a process costs time, and a tiny job cannot pay it back.
import time
from multiprocessing import Pool, Process, Queue
from threading import Thread


def job(work):
    return sum(i * i for i in range(work))


def child(q, t_asked, work):
    ready = time.perf_counter()  # the child is running: start-up is over
    t0 = time.perf_counter()
    first = job(work)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    job(work)
    warm = time.perf_counter() - t0
    q.put((ready - t_asked, cold, warm, first))


def measure(kind, n, work):
    q = Queue()
    starts = []
    for _ in range(n):
        runner = Process if kind == "process" else Thread
        r = runner(target=child, args=(q, time.perf_counter(), work))
        r.start()
        starts.append(r)
    results = [q.get() for _ in range(n)]
    for r in starts:
        r.join()
    startup = sorted(s for s, _, _, _ in results)[n // 2]
    plural = {"process": "processes", "thread": "threads"}[kind]
    print(f"{n} {plural}: median start-up {startup * 1000:.1f} ms, "
          f"first call {results[0][1] * 1000:.2f} ms, second {results[0][2] * 1000:.2f} ms")


if __name__ == "__main__":
    for kind in ("process", "thread"):
        measure(kind, 8, 10_000)
    # A pool pays the start-up once and reuses its processes for every job.
    with Pool(4) as pool:
        t0 = time.perf_counter()
        pool.map(job, [10_000] * 8)
        print(f"warm pool, 8 jobs: {(time.perf_counter() - t0) * 1000:.1f} ms")
