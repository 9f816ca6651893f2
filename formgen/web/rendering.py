"""PDFs for the service are rendered in processes of their own. A route already runs in
a thread, off the event loop; but rendering (WeasyPrint) is Python through and through
and holds the interpreter's lock (the GIL) while it lays out pages, so in a thread it
would still slow every other request of the server. In a process it slows no one: the
route's thread waits for the result without the lock.

Each process opens the same store with the same configuration and asks the library as
the same person (``Formgen.as_user``), so every rule still applies there. A refusal
(``FormgenError``) comes back as the route's own exception."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from formgen.api import Formgen
from formgen.config import Config
from formgen.errors import StoreError
from formgen.record.accounts import User
from formgen.words import N_

PROCESSES = 2  # PDFs rendered at the same time; more wait their turn
NICENESS = 10

_opened: Formgen | None = None  # in a rendering process: its library over the store


def _open(db: str, config: Config) -> None:
    global _opened
    # A lower priority than the server's: on a machine with few cores, a page someone
    # waits for goes before a PDF that takes seconds anyway.
    os.nice(NICENESS)
    _opened = Formgen.open(db=db, config=config)


def _render(user: User, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    assert _opened is not None
    return getattr(_opened.as_user(user), method)(*args, **kwargs)


class Renderer:
    """Calls of ``Formgen`` methods that render a PDF, run in a small pool of processes
    (started at the first PDF, so a server that renders none starts none)."""

    def __init__(self, fg: Formgen) -> None:
        self.fg = fg
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _processes(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                db = self.fg.engine.url.render_as_string(hide_password=False)
                self._pool = ProcessPoolExecutor(
                    PROCESSES,
                    # spawn: a fork of a server with threads may copy a lock held mid-way
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_open,
                    initargs=(db, self.fg.config),
                )
            return self._pool

    def submit(self, user: User, method: str, *args: Any, **kwargs: Any) -> Future[Any]:
        """Start a render without waiting for it (``result`` as ``__call__`` would)."""
        try:
            return self._processes().submit(_render, user, method, args, kwargs)
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
            raise StoreError(N_("the PDF could not be made: try again")) from None

    def __call__(self, user: User, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.result(self.submit(user, method, *args, **kwargs))

    def result(self, started: Future[Any]) -> Any:
        try:
            return started.result()
        except BrokenProcessPool:
            with self._lock:  # a process died (killed, out of memory): start afresh
                self._pool = None
            raise StoreError(N_("the PDF could not be made: try again")) from None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
