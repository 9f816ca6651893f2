"""PDFs for the service are rendered in processes of their own. A route already runs in
a thread, off the event loop; but rendering (WeasyPrint) is Python through and through
and holds the interpreter's lock (the GIL) while it lays out pages, so in a thread it
would still slow every other request of the server. In a process it slows no one: the
route's thread waits for the result without the lock.

Each process opens the same store with the same configuration and asks the library as
the same person (``Formgen.as_user``), so every rule still applies there. A refusal
(``FormgenError``) comes back as the route's own exception."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from formgen.api import Formgen
from formgen.config import Config
from formgen.errors import StoreError
from formgen.record.accounts import User
from formgen.words import N_

PROCESSES = 2  # PDFs rendered at the same time; more wait their turn
NICENESS = 10

# In a rendering process: the library over the store it was last asked about. A server
# has one store, so it is opened once; the processes still say which store each call is
# for, so that one set of processes can serve several applications (the test suite's).
_opened: Formgen | None = None
_opened_for: tuple[str, Config] | None = None


def _lower_priority() -> None:
    # A lower priority than the server's: on a machine with few cores, a page someone
    # waits for goes before a PDF that takes seconds anyway.
    os.nice(NICENESS)


def _render(
    db: str, config: Config, user: User, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    global _opened, _opened_for
    if _opened is None or _opened_for != (db, config):
        if _opened is not None:
            # Another store: the last one may be gone already (a dropped test database).
            with contextlib.suppress(Exception):
                _opened.close()
            _opened = None
        _opened = Formgen.open(db=db, config=config)
        _opened_for = (db, config)
    return getattr(_opened.as_user(user), method)(*args, **kwargs)


class Processes:
    """The rendering processes (started at the first PDF, so a server that renders none
    starts none). A process that died (killed, out of memory) takes the pool with it:
    the next call starts a new one."""

    def __init__(self, count: int = PROCESSES) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, *call: Any) -> Future[Any]:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.count,
                    # spawn: a fork of a server with threads may copy a lock held mid-way
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_lower_priority,
                )
            pool = self._pool
        try:
            return pool.submit(_render, *call)
        except BrokenProcessPool:
            self.broken(pool)
            raise

    def broken(self, pool: ProcessPoolExecutor | None = None) -> None:
        with self._lock:
            if pool is None or self._pool is pool:
                self._pool = None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


class Renderer:
    """Calls of ``Formgen`` methods that render a PDF, run in the rendering processes as
    the same person, on the same store and configuration. The processes are the app's
    own unless it is given a set to share (``create_app(fg, processes=...)``); then
    whoever made them closes them."""

    def __init__(self, fg: Formgen, processes: Processes | None = None) -> None:
        self.fg = fg
        self._own = processes is None
        self.processes = processes or Processes()
        self._store = fg.engine.url.render_as_string(hide_password=False)
        self._started: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, user: User, method: str, *args: Any, **kwargs: Any) -> Future[Any]:
        """Start a render without waiting for it (``result`` as ``__call__`` would)."""
        try:
            started = self.processes.submit(self._store, self.fg.config, user, method, args, kwargs)
        except BrokenProcessPool:
            raise StoreError(N_("the PDF could not be made: try again")) from None
        with self._lock:
            self._started.add(started)
        started.add_done_callback(self._finished)
        return started

    def _finished(self, started: Future[Any]) -> None:
        with self._lock:
            self._started.discard(started)

    def __call__(self, user: User, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.result(self.submit(user, method, *args, **kwargs))

    def result(self, started: Future[Any]) -> Any:
        try:
            return started.result()
        except BrokenProcessPool:
            self.processes.broken()  # start afresh at the next call
            raise StoreError(N_("the PDF could not be made: try again")) from None

    def close(self) -> None:
        """The app's renders end with it: its own processes are shut down; in shared
        ones its renders not yet begun are cancelled and those under way waited for, so
        no render of a closed app runs on (the ahead renders of the recording page are
        nobody's any more) or reaches its store afterwards."""
        if self._own:
            self.processes.close()
            return
        with self._lock:
            started = list(self._started)
        for render in started:
            render.cancel()
        wait(started)
