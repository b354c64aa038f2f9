# Sleep: waiting overlaps, working does not.
import asyncio
import time

UNIT = 0.1  # seconds per unit: the lab's "unit" parameter


async def task(k):
    await asyncio.sleep(k * UNIT)  # waits without the CPU: others run
    return k


async def together(units):
    return await asyncio.gather(*(task(k) for k in units))


def timed(label, f):
    t0 = time.perf_counter()
    result = f()
    print(f"{label}: {time.perf_counter() - t0:.2f} s, slept {sum(result)} units")


if __name__ == "__main__":
    units = [1, 2, 3, 4, 5]
    # One after another: the sleeps add up (15 units).
    timed("sequential", lambda: [time.sleep(k * UNIT) or k for k in units])
    # As coroutines: they overlap, the run lasts the longest sleep (5 units).
    timed("asyncio", lambda: asyncio.run(together(units)))
    # The delayed messages of 2 and 3 units: 5 in sequence, 3 together.
    timed("messages in sequence", lambda: [time.sleep(k * UNIT) or k for k in (2, 3)])
    timed("messages together", lambda: asyncio.run(together([2, 3])))
