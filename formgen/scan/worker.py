"""``page_worker``: ``page.look`` in a worker process. It imports nothing of the store
(no SQLAlchemy, click or WeasyPrint), so such a process starts quickly and small.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

from ..errors import ScanInputError
from .load import PageFile, check_file
from .page import Identity, PageLook, Started, look_finish, look_further, look_start


@dataclass
class PageFailure:
    """A page a worker could not read: a broken page (``load``: reported as
    ``load_pages`` reports it) or a bug (``message`` is the traceback)."""

    message: str
    load: bool


WORKER_PARKED = 2  # pages a worker starts while earlier ones wait for their form


def page_worker(conn: Any, dpi_out: float = 150.0) -> None:
    """A worker process (``reading`` starts them): reads the pages sent to it and
    imports nothing that holds the store.

    Over ``conn``, a duplex pipe, it receives ``(task, path, index, stamp)`` tuples, and
    None to stop; asks ``("who", task, qr_texts)`` and receives ``("who", task,
    Identity)``; sends ``("seen", task, PageLook | PageFailure)``, not necessarily in
    the order of the tasks: while a page waits for its form, the next one is started.
    ``stamp`` is the file's (size, mtime_ns) when it was hashed: a file changed since
    is not read."""
    import traceback
    from collections import deque

    cv2.setNumThreads(1)  # one process per core: OpenCV's own threads would only contend
    tasks: deque[tuple[int, str, int, tuple[int, int]]] = deque()
    parked: dict[int, Started] = {}
    answers: dict[int, Identity] = {}
    opened: PageFile | None = None

    def take(message: Any) -> bool:
        """File a message; False for the stop."""
        if message is None:
            return False
        if message[0] == "who":
            answers[message[1]] = message[2]
        else:
            tasks.append(message)
        return True

    def failure(exc: BaseException) -> PageFailure:
        if isinstance(exc, ScanInputError):
            return PageFailure(str(exc), load=True)
        return PageFailure("".join(traceback.format_exception(exc)), load=False)

    try:
        running = True
        while running:
            while running and conn.poll():
                running = take(conn.recv())
            done = next((t for t in parked if t in answers), None)
            result: PageLook | PageFailure
            if done is not None:
                who = answers.pop(done)
                if who.error is not None and look_further(parked[done]):
                    conn.send(("who", done, parked[done].texts))  # every code, this time
                    continue
                started = parked.pop(done)
                try:
                    result = look_finish(started, who, dpi_out)
                except Exception as exc:
                    result = failure(exc)
                conn.send(("seen", done, result))
            elif tasks and len(parked) < WORKER_PARKED:
                task, path, index, stamp = tasks.popleft()
                try:
                    if opened is None or str(opened.path) != path:
                        if opened is not None:
                            opened.close()
                        opened = None
                        opened = _reopen(Path(path), stamp)
                    started = look_start(opened.page(index))
                except Exception as exc:
                    conn.send(("seen", task, failure(exc)))
                    continue
                if started.texts is None:
                    conn.send(("seen", task, started.seen))
                else:
                    parked[task] = started
                    conn.send(("who", task, started.texts))
            elif running:
                running = take(conn.recv())
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        if opened is not None:
            opened.close()


def _reopen(path: Path, stamp: tuple[int, int]) -> PageFile:
    """The file a task names, if it is still the file that was hashed."""
    stat = check_file(path)
    if (stat.st_size, stat.st_mtime_ns) != stamp:
        raise ScanInputError(f"{path.name} changed while it was being imported")
    return PageFile(path)
