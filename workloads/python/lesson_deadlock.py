# Deadlock: two coroutines each hold one lock and wait for the other's.
import asyncio

HOLD = 0.1  # seconds a task holds its first lock before asking for the second


async def task(name, first, second):
    async with first:
        await asyncio.sleep(HOLD)  # let the other task take its first lock
        print(f"{name}: holding one lock, waiting for the other ...")
        async with second:  # held by the other task, which waits for ours
            print(f"{name}: got both")


async def main(ordered):
    a, b = asyncio.Lock(), asyncio.Lock()
    if ordered:
        # the fix: everyone takes the locks in the same order
        tasks = [task("task 0", a, b), task("task 1", a, b)]
    else:
        tasks = [task("task 0", a, b), task("task 1", b, a)]
    try:
        # a watchdog: without it the program would wait forever
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=2)
        print("finished")
    except asyncio.TimeoutError:
        print("deadlock: no progress for 2 s, both tasks are stuck")


if __name__ == "__main__":
    asyncio.run(main(ordered=False))
    asyncio.run(main(ordered=True))
