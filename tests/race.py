"""Run ``work(i)`` in ``n`` threads that start at the same instant (a barrier), for races."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def race(n: int, work: Callable[[int], object]) -> list[object]:
    """Each thread's result, or the exception it raised; every thread closes its connection."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
