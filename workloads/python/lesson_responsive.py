# Responsive: a thread counts squares while the main thread waits for input.
import threading
import time

stop = threading.Event()
progress = {"i": 0}


def count_squares(limit):
    i = 0
    while i < limit and not stop.is_set():
        i * i  # the work: nothing ever waits here
        i += 1
        progress["i"] = i


if __name__ == "__main__":
    worker = threading.Thread(target=count_squares, args=(10**12,), daemon=True)
    t0 = time.perf_counter()
    worker.start()
    # The main thread stays responsive: it can still read what you type.
    # (Under the GIL the two threads take turns, but input() waits, so it costs nothing.)
    text = input("Type something and press Enter: ")
    stop.set()
    worker.join()
    print(f"You typed {text!r} in {time.perf_counter() - t0:.1f} s;")
    print(f"meanwhile the other thread got to {progress['i']:,}²")
    # Counting on the main thread instead would freeze it: no input() until it is done.
