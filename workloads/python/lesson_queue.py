# Queue: a producer hands items to consumer threads until it puts None.
import threading
import time
from queue import Queue

ITEMS = 12
CONSUMERS = 2
PRODUCE = 0.05  # seconds to make an item
CONSUME = 0.15  # seconds to use one

start = time.perf_counter()


def log(who, what):
    print(f"{time.perf_counter() - start:5.2f} s  {who}: {what}")


def producer(q):
    for item in range(ITEMS):
        time.sleep(PRODUCE)
        q.put(item)  # waits while the queue is full
        log("producer", f"put item {item}")
    for _ in range(CONSUMERS):
        q.put(None)  # one "no more" for each consumer


def consumer(name, q, used):
    while True:
        item = q.get()  # waits while the queue is empty
        if item is None:
            log(name, "got None: stop")
            return
        log(name, f"got item {item}")
        used.append(item)
        time.sleep(CONSUME)


if __name__ == "__main__":
    q = Queue(maxsize=2)
    used = []
    threads = [threading.Thread(target=consumer, args=(f"consumer {i}", q, used))
               for i in range(CONSUMERS)]
    threads.append(threading.Thread(target=producer, args=(q,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("every item used once:", sorted(used) == list(range(ITEMS)))
