# Blocking: one blocking call inside a coroutine stalls all of them.
import asyncio
import time

UNIT = 0.1  # seconds per unit
BLOCKER = 2  # the task that blocks instead of awaiting


async def task(k, units):
    start = time.perf_counter()
    if k == BLOCKER:
        time.sleep(units * UNIT)  # blocking: the event loop cannot switch
    else:
        await asyncio.sleep(units * UNIT)  # cooperative: hands the loop over
    return k, start, time.perf_counter()


async def main():
    t0 = time.perf_counter()
    results = await asyncio.gather(*(task(k, k + 1) for k in range(5)))
    for k, start, end in results:
        print(f"task {k}: started {start - t0:.2f} s, finished {end - t0:.2f} s")
    print(f"total {time.perf_counter() - t0:.2f} s (5 units without the blocker)")


if __name__ == "__main__":
    asyncio.run(main())
