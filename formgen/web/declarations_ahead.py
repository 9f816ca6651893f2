"""The declarations PDF made before anyone asks: the recording page starts its render
when the record no longer matches the PDF kept (``documents.cache``), so the download
that follows finds it ready. A download that comes while the render runs waits for that
same render, not a second one.

One ``Ahead`` per app (``request.app.state``); renders run in the rendering processes
(``rendering.Renderer``) as the person who opened the page, so every rule still applies.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from fastapi import Request

from formgen.documents import cache
from formgen.errors import FormgenError
from formgen.web.auth import Person


class Ahead:
    def __init__(self, renderer: Any) -> None:
        self.renderer = renderer
        self._running: dict[Path, Future[Any]] = {}
        self._lock = threading.Lock()

    def start(self, person: Person, want: cache.Wanted, participants: list[str] | None) -> bool:
        """Render the PDF in the background unless it is kept or under way already;
        True if this call started it."""
        with self._lock:
            if want.path in self._running or want.path.exists():
                return False
            cache.drop_stale(want)  # the old one may name someone since removed
            # A render for an earlier state of the record is no one's any more.
            earlier = [p for p in self._running if cache.same_selection(p, want)]
            superseded = [self._running.pop(path) for path in earlier]
            started = self.renderer.submit(
                person.user, "forms", want.recording_id, participants=participants, save=False
            )
            self._running[want.path] = started
        # One not begun yet is cancelled: a student adding ten people one by one would
        # otherwise queue ten renders before the one that counts. (Outside the lock: a
        # cancel runs the render's done callback, which takes the lock.)
        for render in superseded:
            render.cancel()
        # Kept as soon as it is made, whether or not anyone asks again.
        started.add_done_callback(lambda done: self._done(person, want, done))
        return True

    def _done(self, person: Person, want: cache.Wanted, started: Future[Any]) -> None:
        with self._lock:
            if self._running.get(want.path) is not started:
                return  # a download took it, or the record changed meanwhile
        # A render that failed or was refused is not kept: the download renders again
        # and shows the refusal to the person who asks.
        with contextlib.suppress(Exception):
            self._keep(person, want, started)
        with self._lock:
            if self._running.get(want.path) is started:
                del self._running[want.path]

    def busy(self, person: Person, want: cache.Wanted) -> bool:
        """Still rendering; a finished render is kept now. A failed one is forgotten:
        the download renders again and shows the refusal."""
        with self._lock:
            started = self._running.get(want.path)
            if started is None or not started.done():
                return started is not None
            del self._running[want.path]
        with contextlib.suppress(FormgenError):
            self._keep(person, want, started)
        return False

    def pdf(self, person: Person, want: cache.Wanted, participants: list[str] | None) -> bytes:
        """The PDF: kept, or from the render under way, or rendered now."""
        data = want.ready()
        if data is not None:
            return data
        self.start(person, want, participants)
        with self._lock:
            started = self._running.get(want.path)
        if started is None:  # finished between the two looks
            data = want.ready()
            if data is not None:
                return data
            return self._keep(
                person, want, self.renderer.submit(person.user, "forms", want.recording_id,
                                                   participants=participants, save=False),
            )  # fmt: skip
        try:
            return self._keep(person, want, started)
        finally:
            with self._lock:
                if self._running.get(want.path) is started:
                    del self._running[want.path]

    def _keep(self, person: Person, want: cache.Wanted, started: Future[Any]) -> bytes:
        data: bytes = self.renderer.result(started).data
        if not want.path.exists():
            cache.keep(person.fg.engine, want, data)
        return data


_made = threading.Lock()


def ahead(request: Request) -> Ahead:
    state = request.app.state
    with _made:
        if getattr(state, "declarations_ahead", None) is None:
            state.declarations_ahead = Ahead(state.renderer)
    return state.declarations_ahead  # type: ignore[no-any-return]


def state(request: Request, person: Person, recording_id: str) -> str:
    """For the recording page: "ready", "busy" (started now if need be) or "" (the
    record refuses the PDF now: the download link says why)."""
    fg = person.fg
    try:
        want = cache.wanted(fg.engine, fg.config, recording_id)
    except FormgenError:
        return ""
    keeper = ahead(request)
    if want.path.exists():
        return "ready"
    if keeper.start(person, want, None) or keeper.busy(person, want):
        return "busy"
    return "ready" if want.path.exists() else ""  # a render that failed: the link says why
