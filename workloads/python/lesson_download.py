# Download: many requests in flight at once.
# Start the lab's server first (conlab serve): it answers each page after a delay.
import asyncio
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

SERVER = "http://127.0.0.1:8080"
DELAY_MS = 200


def fetch(i):
    url = f"{SERVER}/api/delay?ms={DELAY_MS}&id={i}&run={time.time_ns()}"
    with urllib.request.urlopen(url) as resp:  # waits: the GIL is released
        body = resp.read().decode()
    assert body.startswith(f"conlab download page {i}\n"), body
    return i + 1


def timed(label, f, pages):
    t0 = time.perf_counter()
    total = sum(f())
    assert total == pages * (pages + 1) // 2
    print(f"{label}: {time.perf_counter() - t0:.2f} s")


async def fetch_all(pages):
    # urllib blocks, so asyncio hands each fetch to a thread.
    return await asyncio.gather(*(asyncio.to_thread(fetch, i) for i in range(pages)))


if __name__ == "__main__":
    pages = 30
    timed("one after another", lambda: [fetch(i) for i in range(pages)], pages)
    with ThreadPoolExecutor(max_workers=20) as pool:
        timed("20 threads", lambda: list(pool.map(fetch, range(pages))), pages)
    with ThreadPoolExecutor(max_workers=6) as pool:
        timed("6 threads, like a browser's connections", lambda: list(pool.map(fetch, range(pages))), pages)
    timed("asyncio", lambda: asyncio.run(fetch_all(pages)), pages)
