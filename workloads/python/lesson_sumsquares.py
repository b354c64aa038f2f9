# Sum of squares: a pool of CPU-bound jobs, and more workers than cores.
import os
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool

BASE = 10_000_000
NUMBERS = [BASE + x for x in range(20)]


def sum_squares(n):
    return sum(i * i for i in range(n))


def timed(label, run):
    t0 = time.perf_counter()
    total = sum(run())
    print(f"{label}: {time.perf_counter() - t0:.2f} s (total {total})")


if __name__ == "__main__":
    cores = os.cpu_count() or 1
    timed("one process", lambda: map(sum_squares, NUMBERS))

    with ThreadPoolExecutor(max_workers=cores) as ex:
        timed(f"{cores} threads (GIL: no faster)", lambda: ex.map(sum_squares, NUMBERS))

    for workers in (cores, 2 * cores):
        # Starting the processes is part of the cost, so it is timed too.
        def pool_run():
            with Pool(processes=workers) as pool:
                return pool.map(sum_squares, NUMBERS)

        timed(f"pool of {workers} processes on {cores} cores", pool_run)
