"""Calls that start together in parallel threads: what arrives at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(calls: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run the calls in threads that start together; each one's result or exception."""
    start = threading.Barrier(len(calls))
    out: list[T | BaseException] = [RuntimeError("did not run")] * len(calls)

    def run(index: int, call: Callable[[], T]) -> None:
        start.wait()
        try:
            out[index] = call()
        except BaseException as exc:  # the outcome under test
            out[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out
