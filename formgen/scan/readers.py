"""Reading the pages of the files an import names: each file planned (its SHA-256, its
pages) before any page is read, then the pages read in this thread (``read_here``), by
reader threads (``Pool``) or by forked reader processes (``Processes``, many pages)
ahead of the thread that lands them, in file and page order either way. Nothing here
touches the store: which form a page belongs to is asked of the caller (``identify``),
and ``landing`` lands what is read.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formgen import scan
from formgen.words import N_

MAX_WORKERS = 2  # the machine this runs on: two cores
# Reader threads cost nothing to start (spawned worker processes took ~0.6 s to the first
# page, half of a 100-page import): from two pages to read on, two threads read them.
PARALLEL_MIN_PAGES = 2
# From this many pages on, forked reader processes (``Processes``) read them where they
# may be forked: two take ~20 ms longer to the first page than threads, and then read a
# page ~10 % faster (a 100-page scan, two cores); at 16 and 32 pages the two are even.
PROCESS_MIN_PAGES = 32
# A page a reader process did not read because it ended (killed: by the kernel out of
# memory, say). The pages read before it land; the file imported again reads the rest.
READER_LOST = N_(
    "the page was not read: a reader process ended (out of memory?); import the file again"
)
# A reader process's page comes back through a pipe (pickled, 0.3-1.5 MB with its
# images). Through the 64 KB a pipe holds by default the reader waited, chunk by chunk,
# for this process's result thread to take it, a thread that needs Python's lock, held
# by the thread landing a batch of forms: a 100-page scan's readers waited 7-9 ms a page
# between them (a loaded machine), 2-3 ms with room for a whole page, going on to their
# next page meanwhile. Linux lets a pipe hold 1 MiB without privileges.
RESULT_PIPE_BYTES = 1 << 20

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

    def __init__(self, count: int, identify: Identify) -> None:
        self.readers = count
        self.identify = identify
        self.executor: Executor = self._executor(count)
        self.pending: deque[tuple[Plan, int]] = deque()
        self.running: dict[tuple[int, int], Future[scan.PageLook | scan.ScanInputError]] = {}
        self.opened: dict[int, _Opened] = {}

    def _executor(self, count: int) -> Executor:
        return ThreadPoolExecutor(count, thread_name_prefix="formgen-reader")

    def queue(self, plan: Plan) -> None:
        """Queue the pages of a planned file (behind the pages queued before)."""
        if plan.problem is None and plan.digest is not None and plan.wanted:
            self.opened[id(plan)] = _Opened(plan, len(plan.wanted))
            for index in plan.wanted:
                self.pending.append((plan, index))

    def results_of(self, plan: Plan) -> Iterator[scan.PageLook | scan.ScanInputError]:
        """The wanted pages of one queued file, as the readers deliver them."""
        for index in plan.wanted:
            key = (id(plan), index)
            self._feed()
            if key not in self.running:  # (only if the queue order was not kept)
                self._submit(plan, index)
            future = self.running.pop(key)
            self._feed()
            try:
                yield future.result()
            except BrokenExecutor:  # a reader process was killed (out of memory?)
                yield scan.ScanInputError(READER_LOST)

    def _feed(self) -> None:
        while self.pending and len(self.running) < self.AHEAD:
            plan, index = self.pending.popleft()
            self._submit(plan, index)

    def _submit(self, plan: Plan, index: int) -> None:
        try:
            future = self._start(plan, index)
        except BrokenExecutor as exc:  # its pages are reported, one by one
            future = Future()
            future.set_exception(exc)
        self.running[(id(plan), index)] = future

    def _start(self, plan: Plan, index: int) -> Future[scan.PageLook | scan.ScanInputError]:
        return self.executor.submit(self._read, self.opened[id(plan)], index)

    def _read(self, opened: _Opened, index: int) -> scan.PageLook | scan.ScanInputError:
        try:
            try:
                page = opened.file().page(index)
            except scan.ScanInputError as exc:
                return exc
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


def start_readers(count: int, pages: int, identify: Identify) -> Pool:
    """Readers for ``pages`` pages: processes where they may be forked and pay for
    their start, else threads."""
    if pages >= PROCESS_MIN_PAGES and forkable():
        try:
            return Processes(count, identify)
        except OSError:  # no process to be had (a limit on them): threads
            pass
    return Pool(count, identify)


def forkable() -> bool:
    """Whether reader processes may be forked from this process: on Linux (macOS's
    system libraries are not safe to fork; Windows cannot) and while no other Python
    thread runs here, whose locks would stay held for good in a copy (the service's
    request threads, a scan job's). So the command line reads in processes, the
    service in threads."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Processes(Pool):
    """Reader processes, forked from this one: the same queue, order and reach ahead as
    ``Pool``'s threads, each reader with an interpreter of its own. Threads share one
    lock for Python code (the GIL): the readers' Python between their OpenCV calls and
    the landing thread's (the store's, SQLAlchemy's) took turns on it, and a 100-page
    scan kept ~1.45 of two cores busy. A page comes back pickled (its ``PageLook``: the
    images encoded, 0.3-1.5 MB).

    A process never touches the store: the connections it inherited are this one's, and
    SQLite's locks and log index cannot be shared with a copy (sqlite.org, "How To
    Corrupt"). It asks this process which form a page is (``identify``, answered by a
    thread here, as a reader thread would ask), and its copies of the connections stay
    as they are until it ends (``os._exit``, no finalizers)."""

    def __init__(self, count: int, identify: Identify) -> None:
        import multiprocessing

        self.context = multiprocessing.get_context("fork")
        self.asking = [self.context.Pipe() for _ in range(count)]  # (here, there) each
        self.slot = self.context.Value("i", 0)  # which pipe the next process takes
        super().__init__(count, identify)
        self.answering = threading.Thread(target=self._answer, name="formgen-identify", daemon=True)
        self.answering.start()

    def _executor(self, count: int) -> Executor:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            count,
            mp_context=self.context,
            initializer=_in_reader,
            initargs=([there for _, there in self.asking], self.slot, os.getpid()),
        )
        _widen(executor)
        for stream in (sys.stdout, sys.stderr):  # output not yet written: not twice
            stream.flush()
        # The processes start with the first task (all of them, forking): here, while
        # only this thread runs and no garbage is collected (the copies must keep every
        # object they inherited, a connection among garbage too).
        collecting = gc.isenabled()
        gc.disable()
        try:
            executor.submit(os.getpid)
        finally:
            if collecting:
                gc.enable()
        for _, there in self.asking:
            there.close()  # the processes' ends: theirs alone now, so their end is seen
        return executor

    def _start(self, plan: Plan, index: int) -> Future[scan.PageLook | scan.ScanInputError]:
        return self.executor.submit(_read_forked, plan.path, plan.stamp, index)

    def _answer(self) -> None:
        """Which form a page is, for the processes that ask, until they have ended."""
        from multiprocessing.connection import wait

        asking = [here for here, _ in self.asking]
        while asking:
            for pipe in wait(asking):
                try:
                    texts = pipe.recv()
                except (EOFError, OSError):
                    asking.remove(pipe)
                    continue
                try:
                    answer: scan.Identity | BaseException = self.identify(texts)
                except Exception as exc:  # the store's fault: raised in the reader
                    answer = exc
                with contextlib.suppress(OSError):  # (a process that ended meanwhile)
                    try:
                        pipe.send(answer)
                    except pickle.PicklingError:  # an exception that cannot cross
                        pipe.send(RuntimeError(f"identify failed: {answer!r}"))

    def close(self) -> None:
        super().close()
        self.answering.join()
        for here, _ in self.asking:
            here.close()


def _widen(executor: Executor) -> None:
    """The executor's result pipe made to hold ``RESULT_PIPE_BYTES`` (as it was where
    that cannot be done: another Python's executor, a system's lower limit)."""
    try:
        import fcntl

        writer = executor._result_queue._writer  # type: ignore[attr-defined]
        fcntl.fcntl(writer.fileno(), fcntl.F_SETPIPE_SZ, RESULT_PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


PR_SET_PDEATHSIG = 1  # Linux's prctl: a signal for this process when its parent ends
# In a reader process: the pipe it asks on, and the file it has open.
_forked: dict[str, Any] = {}


def _in_reader(pipes: list[Any], slot: Any, parent: int) -> None:
    """A reader process's start: its own pipe to ask on, one OpenCV thread (one page
    per process, as per thread), what it inherited kept from the collector (which the
    fork left off) and its own garbage collected, Ctrl-C left to the importing process
    (which then ends the readers), and its end with that process's, however that ends
    (killed, its readers would wait for a page for good)."""
    gc.freeze()
    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A pool whose reader died ends the others with SIGTERM. ``formgen worker`` answers
    # SIGTERM by setting a flag, and a copy of that handler kept a reader blocked on its
    # full result pipe while the pool waited for it to end: the import hung for good.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before this process asked
        os._exit(1)
    with slot.get_lock():
        _forked["pipe"] = pipes[slot.value]
        slot.value += 1
    cv_threads(1)


def _ask(texts: Sequence[str]) -> scan.Identity:
    pipe = _forked["pipe"]
    pipe.send(list(texts))
    answer = pipe.recv()
    if isinstance(answer, BaseException):
        raise answer
    return answer  # type: ignore[no-any-return]


def _read_forked(
    path: Path, stamp: tuple[int, int], index: int
) -> scan.PageLook | scan.ScanInputError:
    """``Pool._read`` in a reader process: a file stays open for its next page (its
    pages come in order); a file that changed since it was hashed is every page's
    error."""
    if _forked.get("file") != (path, stamp):
        opened = _forked.pop("pages", None)
        if isinstance(opened, scan.PageFile):
            opened.close()
        try:
            _forked["pages"] = _reopen(Plan(path, stamp=stamp))
        except scan.ScanInputError as exc:
            _forked["pages"] = exc
        _forked["file"] = (path, stamp)
    pages = _forked["pages"]
    if isinstance(pages, scan.ScanInputError):
        return pages
    try:
        page = pages.page(index)
    except scan.ScanInputError as exc:
        return exc
    return scan.look(page, _ask, SCAN_DPI)


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
