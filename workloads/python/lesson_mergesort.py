# Merge sort: CPU- and memory-bound jobs, each making its own data.
import random
import time
from multiprocessing import Pool

LISTS = 200
SIZE = 30_000


def merge_sort(a):
    if len(a) <= 1:
        return a
    mid = len(a) // 2
    left, right = merge_sort(a[:mid]), merge_sort(a[mid:])
    out, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


def sort_list(seed):
    # The data is made inside the job from a seed, never sent to it:
    # the lesson is about the CPU, not about copying.
    rng = random.Random(seed)
    data = [rng.randint(0, 999_999) for _ in range(SIZE)]
    result = merge_sort(data)
    assert result == sorted(data)
    return result[0], result[-1]


if __name__ == "__main__":
    t0 = time.perf_counter()
    for seed in range(LISTS):
        sort_list(seed)
    print(f"one process: {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    with Pool() as pool:
        pool.map(sort_list, range(LISTS))
    print(f"process pool: {time.perf_counter() - t0:.2f} s")
