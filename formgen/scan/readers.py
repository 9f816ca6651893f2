"""Reading the pages of the files an import names: each file planned (its SHA-256, its
pages) before any page is read, then the pages read in this thread (``read_here``) or
by reader threads (``Pool``) ahead of the thread that lands them, in file and page
order either way. Nothing here touches the store: which form a page belongs to is asked
of the caller (``identify``), and ``landing`` lands what is read.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from formgen import scan
from formgen.words import N_

MAX_WORKERS = 2  # the machine this runs on: two cores
# Reader threads cost nothing to start (worker processes took ~0.6 s to the first page,
# half of a 100-page import): from two pages to read on, two threads read them.
PARALLEL_MIN_PAGES = 2

SCAN_DPI = 150.0  # rectified page resolution: 5.9 px/mm, 38 px across a box

Identify = Callable[[Sequence[str]], scan.Identity]


def read_here(plan: Plan, identify: Identify) -> Iterator[scan.PageLook | scan.ScanInputError]:
    """The wanted pages of a file, looked at in this process; a page that cannot be
    loaded comes as its error, and the file's other pages still come."""
    try:
        opened = scan.PageFile(plan.path)
    except scan.ScanInputError as exc:
        for _ in plan.wanted:
            yield exc
        return
    with opened:
        for index in plan.wanted:
            try:
                page = opened.page(index)
            except scan.ScanInputError as exc:
                yield exc
                continue
            yield scan.look(page, identify, SCAN_DPI)


def _unreadable(exc: OSError) -> str:
    return f"cannot read the file ({exc.strerror or exc})"


def worker_count(workers: int | None) -> int:
    if workers is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count() or 1
        workers = min(MAX_WORKERS, cpus)
    return max(1, workers)


@dataclass
class Plan:
    """A file to import, looked at before any page is read."""

    path: Path
    digest: str | None = None
    failure: str | None = None  # the file cannot be read at all (no digest)
    stamp: tuple[int, int] = (0, 0)  # size and mtime when hashed: workers check it
    pages: int = 0
    problem: str | None = None  # the file opens as no PDF or image: its report
    wanted: list[int] = field(default_factory=list)  # 0-based pages to read


def plan_file(path: Path) -> Plan:
    plan = Plan(path)
    try:
        stat = path.stat()
        plan.digest, plan.stamp = scan.file_sha256(path), (stat.st_size, stat.st_mtime_ns)
    except OSError as exc:
        plan.failure = _unreadable(exc)
        return plan
    except scan.ScanInputError as exc:  # not a regular file, too large
        plan.failure = str(exc)
        return plan
    try:
        with scan.PageFile(path) as pages:
            plan.pages = pages.count
    except scan.ScanInputError as exc:
        plan.problem = str(exc)
    return plan


class Pool:
    """Reader threads that read the pages queued (``scan.look``) ahead of the thread
    that takes the results in file and page order and lands them. At most ``AHEAD``
    pages are read and not yet taken (their images wait in memory: the page's JPEG and
    the crops, 0.3-1.5 MB). While that thread lands a batch of forms the readers go on
    only as far as this: two pages a form of a batch (``landing.BATCH_FORMS``), so
    that they read on through one."""

    AHEAD = 16

    def __init__(self, count: int) -> None:
        self.threads = count
        self.executor = ThreadPoolExecutor(count, thread_name_prefix="formgen-reader")
        self.pending: deque[tuple[Plan, int]] = deque()
        self.running: dict[tuple[int, int], Future[scan.PageLook | scan.ScanInputError]] = {}
        self.opened: dict[int, _Opened] = {}
        self.identify: Identify | None = None

    def queue(self, plan: Plan) -> None:
        """Queue the pages of a planned file (behind the pages queued before)."""
        if plan.problem is None and plan.digest is not None and plan.wanted:
            self.opened[id(plan)] = _Opened(plan, len(plan.wanted))
            for index in plan.wanted:
                self.pending.append((plan, index))

    def results_of(
        self, plan: Plan, identify: Identify
    ) -> Iterator[scan.PageLook | scan.ScanInputError]:
        """The wanted pages of one queued file, as the readers deliver them."""
        self.identify = identify
        for index in plan.wanted:
            key = (id(plan), index)
            self._feed()
            if key not in self.running:  # (only if the queue order was not kept)
                self._submit(plan, index)
            future = self.running.pop(key)
            self._feed()
            yield future.result()

    def _feed(self) -> None:
        while self.pending and len(self.running) < self.AHEAD:
            plan, index = self.pending.popleft()
            self._submit(plan, index)

    def _submit(self, plan: Plan, index: int) -> None:
        opened = self.opened[id(plan)]
        self.running[(id(plan), index)] = self.executor.submit(self._read, opened, index)

    def _read(self, opened: _Opened, index: int) -> scan.PageLook | scan.ScanInputError:
        try:
            try:
                page = opened.file().page(index)
            except scan.ScanInputError as exc:
                return exc
            assert self.identify is not None
            return scan.look(page, self.identify, SCAN_DPI)
        finally:
            opened.done()

    def close(self) -> None:
        for future in self.running.values():
            future.cancel()
        self.executor.shutdown(wait=True, cancel_futures=True)
        for opened in self.opened.values():
            opened.close()
        self.running, self.opened, self.pending = {}, {}, deque()


class _Opened:
    """A queued file, opened by the first reader that needs it (if it is still the file
    that was hashed) and closed after its last page."""

    def __init__(self, plan: Plan, pages: int) -> None:
        self.plan, self.left = plan, pages
        self.lock = threading.Lock()
        self.pages: scan.PageFile | None = None
        self.failure: scan.ScanInputError | None = None

    def file(self) -> scan.PageFile:
        with self.lock:
            if self.pages is None and self.failure is None:
                try:
                    self.pages = _reopen(self.plan)
                except scan.ScanInputError as exc:
                    self.failure = exc
            if self.failure is not None:
                raise self.failure
            assert self.pages is not None
            return self.pages

    def done(self) -> None:
        with self.lock:
            self.left -= 1
            if self.left <= 0 and self.pages is not None:
                self.pages.close()
                self.pages = None

    def close(self) -> None:
        with self.lock:
            if self.pages is not None:
                self.pages.close()
                self.pages = None


def _reopen(plan: Plan) -> scan.PageFile:
    """The file a plan names, if it is still the file that was hashed."""
    status = scan.check_file(plan.path)
    if (status.st_size, status.st_mtime_ns) != plan.stamp:
        raise scan.ScanInputError(
            N_("{name} changed while it was being imported"), name=plan.path.name
        )
    return scan.PageFile(plan.path)


def cv_threads(count: int) -> int:
    import cv2

    before = cv2.getNumThreads()
    cv2.setNumThreads(count)
    return before
