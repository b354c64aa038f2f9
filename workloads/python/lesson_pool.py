# A pool of 4 threads runs 10 jobs: four at a time, finishing in their own order.
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

JOBS = 10
WORKERS = 4
DURATION = 0.25  # seconds per job (the lesson used 1 s)

start = time.perf_counter()


def job(i):
    print(f"{time.perf_counter() - start:5.2f} s  job {i} starts")
    time.sleep(DURATION)
    return i


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(job, i) for i in range(JOBS)]
        order = [f.result() for f in as_completed(futures)]
    print("completion order:", *order)
    print(f"{time.perf_counter() - start:.2f} s for {JOBS} jobs of {DURATION} s on {WORKERS} threads")
