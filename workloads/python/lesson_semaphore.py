# Semaphore: ten threads, at most LIMIT of them working at the same time.
import threading
import time

TASKS = 10
LIMIT = 3
HOLD = 0.2  # seconds of work while holding a permit

sem = threading.Semaphore(LIMIT)
lock = threading.Lock()
holding = 0
most = 0
start = time.perf_counter()


def task(i):
    global holding, most
    with sem:  # the (LIMIT+1)-th thread waits here until one is released
        with lock:
            holding += 1
            most = max(most, holding)
            now = holding
        print(f"{time.perf_counter() - start:5.2f} s  task {i} got a permit ({now} held)")
        time.sleep(HOLD)
        with lock:
            holding -= 1


if __name__ == "__main__":
    threads = [threading.Thread(target=task, args=(i,)) for i in range(TASKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"at most {most} at once (limit {LIMIT}), "
          f"{time.perf_counter() - start:.2f} s in all")
