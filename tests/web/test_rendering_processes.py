"""The rendering processes: one set serves each application its own store (the test
suite shares one set between the services of a run), and a process that dies costs one
render a plain "try again", not the server."""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path

import pytest

from formgen import Formgen
from formgen.errors import StoreError
from formgen.web.rendering import Processes, Renderer

from ..helpers import test_config
from ..helpers.rendering import text_of


def _store(url: str, tmp_path: Path, title: str) -> tuple[Formgen, object, str]:
    fg = Formgen.open(db=url, config=test_config(output_dir=tmp_path / "output"))
    student = fg.add_user("student@example.org", name="Sam", role="student", password="x" * 12)
    fg.add_user("supervisor@example.org", name="Jansen", role="supervisor", password="x" * 12)
    made = fg.as_user(student).create_recording(
        title=title,
        supervisor="supervisor@example.org",
        situation=3,
        institution=None,
        purpose="reflection",
        date=dt.date.today() + dt.timedelta(days=7),
    )
    fg.add_participant(made.id, "Ann Smit")
    return fg, student, made.id


def test_one_set_of_processes_renders_each_store_its_own(store_url: str, tmp_path: Path) -> None:
    first, sam, first_rec = _store(store_url, tmp_path / "a", "Rekenles groep 5")
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    second, sam2, second_rec = _store(other_url, tmp_path / "b", "Taalles groep 7")
    processes = Processes(count=1)
    try:
        for fg, user, rec, title in (
            (first, sam, first_rec, "Rekenles groep 5"),
            (second, sam2, second_rec, "Taalles groep 7"),
            (first, sam, first_rec, "Rekenles groep 5"),  # and back again
        ):
            written = Renderer(fg, processes)(user, "forms", rec, save=False)
            text = " ".join(text_of(written.data))
            assert title in text and "groep" in text
            assert ({"Rekenles groep 5", "Taalles groep 7"} - {title}).pop() not in text

        # A process that dies: this render says "try again", the next one is made.
        renderer = Renderer(first, processes)
        pool = processes._pool
        assert pool is not None
        for pid in list(pool._processes):  # the executor's own children, no one else's
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(StoreError, match="try again"):
            renderer(sam, "forms", first_rec, save=False)
        assert renderer(sam, "forms", first_rec, save=False).data.startswith(b"%PDF")
        renderer.close()  # shared processes are not the renderer's to close
        assert processes._pool is not None
    finally:
        processes.close()
        first.close()
        second.close()


def test_an_app_closing_ends_its_renders_in_shared_processes(
    store_url: str, tmp_path: Path
) -> None:
    """What a closed app asked for (the recording page's renders ahead) is nobody's any
    more: the renders not yet begun are cancelled, the one under way is waited for, and
    the shared processes go on serving the others."""
    fg, sam, rec = _store(store_url, tmp_path, "Rekenles groep 5")
    processes = Processes(count=1)
    try:
        closing = Renderer(fg, processes)
        started = [closing.submit(sam, "forms", rec, save=False) for _ in range(6)]
        closing.close()
        assert all(render.done() for render in started)
        cancelled = [render.cancelled() for render in started]
        # one process and one call queued beside it can have begun; the rest cannot
        assert sum(cancelled) >= len(started) - 2, cancelled
        for render in started:
            if not render.cancelled():
                assert render.result().data.startswith(b"%PDF")
        other = Renderer(fg, processes)
        assert other(sam, "forms", rec, save=False).data.startswith(b"%PDF")
        other.close()
    finally:
        processes.close()
        fg.close()


def test_a_render_ahead_for_an_earlier_state_of_the_record_is_cancelled(
    store_url: str, tmp_path: Path
) -> None:
    """A student adds people one by one, opening the recording page each time: each
    opening starts the declarations' render for the record as it is then. The renders
    for earlier states that have not begun are cancelled, the last one is kept."""
    from formgen.documents import cache
    from formgen.web.auth import Person
    from formgen.web.declarations_ahead import Ahead

    fg, sam, rec = _store(store_url, tmp_path, "Rekenles groep 5")
    processes = Processes(count=1)
    renderer = Renderer(fg, processes)
    try:
        person = Person(sam, fg.as_user(sam), csrf=None)  # type: ignore[arg-type]
        ahead = Ahead(renderer)
        started = []
        for name in ("Bob Bos", "Cas Dijk", "Dex Ek", "Eva Fox", "Fee Gor", "Gus Ho", "Ida Jo"):
            fg.add_participant(rec, name)
            want = cache.wanted(fg.engine, fg.config, rec)
            assert ahead.start(person, want, None)
            started.append(ahead._running[want.path])
        last = started.pop()
        # one process: at most three had begun, the one it renders and the two its call
        # queue holds (ProcessPoolExecutor's max_workers + 1, set running as they enter
        # it; how many are in it when the next is started is the machine's timing)
        assert sum(render.cancelled() for render in started) >= len(started) - 3
        assert not last.cancelled()
        assert ahead.pdf(person, want, None).startswith(b"%PDF")
        assert want.path.exists()
    finally:
        renderer.close()
        processes.close()
        fg.close()
