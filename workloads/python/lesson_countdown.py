# Count down: CPU-bound work on threads versus processes.
import time
from threading import Thread
from multiprocessing import Process

COUNT = 100_000_000


def countdown(n):
    while n > 0:
        n -= 1


def timed(label, starts):
    t0 = time.perf_counter()
    runners = starts()
    for r in runners:
        r.join()
    print(f"{label}: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    t0 = time.perf_counter()
    countdown(COUNT)
    print(f"one thread: {time.perf_counter() - t0:.2f} s")

    def threads():
        ts = [Thread(target=countdown, args=(COUNT // 2,)) for _ in range(2)]
        for t in ts:
            t.start()
        return ts

    timed("two threads (GIL: no faster)", threads)

    def processes():
        ps = [Process(target=countdown, args=(COUNT // 3,)) for _ in range(3)]
        for p in ps:
            p.start()
        return ps

    timed("three processes (about 2x on 2+ cores)", processes)
