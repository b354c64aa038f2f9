# Lost update: two tasks read a value, wait, then write value * value + 1.
import asyncio
import threading
import time

DELAY = 0.2  # seconds between read and write (the lesson used 2 s)
value = 0
lock = threading.Lock()


def update_unlocked():
    global value
    v = value  # read
    time.sleep(DELAY)  # a slow query: the other thread reads the same value
    value = v * v + 1  # write: overwrites the other thread's update


def update_locked():
    global value
    with lock:  # the second thread waits here until the first has written
        v = value
        time.sleep(DELAY)
        value = v * v + 1


async def update_sleep_first():
    global value
    await asyncio.sleep(DELAY)  # wait first ...
    v = value  # ... then read and write with no await in between:
    value = v * v + 1  # no other coroutine can run here


def run_threads(target):
    global value
    value = 0
    threads = [threading.Thread(target=target) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return value


async def run_coroutines():
    global value
    value = 0
    await asyncio.gather(update_sleep_first(), update_sleep_first())
    return value


if __name__ == "__main__":
    print("unlocked threads:", run_threads(update_unlocked), "(expected 2)")
    print("locked threads:  ", run_threads(update_locked))
    print("coroutines, sleep first:", asyncio.run(run_coroutines()))
