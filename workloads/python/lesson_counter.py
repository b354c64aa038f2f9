# Race on a counter: threads lose updates; a lock, asyncio without awaits,
# and processes that each count alone do not.
import asyncio
import threading
from multiprocessing import Process, Queue, Value

TASKS = 100
INCREMENTS = 100_000
counter = 0
lock = threading.Lock()


def plus_one(v):
    return v + 1  # the interpreter may switch threads on this call


def add_unsafe():
    global counter
    for _ in range(INCREMENTS):
        # read, add, write: another thread may write between the read and
        # the write, and its update is lost
        counter = plus_one(counter)


def add_locked():
    global counter
    for _ in range(INCREMENTS):
        with lock:
            counter += 1


def run_threads(target):
    global counter
    counter = 0
    threads = [threading.Thread(target=target) for _ in range(TASKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter


async def add_async(yield_between):
    global counter
    for _ in range(INCREMENTS // 100):
        v = counter
        if yield_between:
            await asyncio.sleep(0)  # other coroutines run here
        counter = v + 1


async def run_coroutines(yield_between):
    global counter
    counter = 0
    await asyncio.gather(*(add_async(yield_between) for _ in range(TASKS)))
    return counter


def count_alone(results):
    n = 0
    for _ in range(INCREMENTS):
        n += 1
    results.put(n)  # each process has its own memory: send the count back


def count_shared(shared):
    for _ in range(INCREMENTS):
        with shared.get_lock():
            shared.value += 1


if __name__ == "__main__":
    total = TASKS * INCREMENTS
    print(f"threads, no lock: {run_threads(add_unsafe):,} of {total:,}")
    print(f"threads, lock:    {run_threads(add_locked):,} of {total:,}")

    small = TASKS * (INCREMENTS // 100)
    print(f"coroutines:        {asyncio.run(run_coroutines(False)):,} of {small:,}")
    print(f"coroutines, await: {asyncio.run(run_coroutines(True)):,} of {small:,}")

    results = Queue()
    procs = [Process(target=count_alone, args=(results,)) for _ in range(4)]
    for p in procs:
        p.start()
    counts = [results.get() for _ in procs]
    for p in procs:
        p.join()
    print(f"processes, summed: {sum(counts):,} of {4 * INCREMENTS:,}")

    shared = Value("i", 0)
    procs = [Process(target=count_shared, args=(shared,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(f"processes, shared: {shared.value:,} of {4 * INCREMENTS:,}")
