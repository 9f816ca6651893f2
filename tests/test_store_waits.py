"""Writers in separate processes take turns on SQLite and PostgreSQL: a writer waits for
the one holding the store and then succeeds; one that waits longer than
FORMGEN_DB_TIMEOUT gets one clean line, without SQL or a participant's name."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import IO

import pytest

from formgen.record.store import open_store

NAME = "Zoë Geheimnaam"

# Holds a write transaction (with a write in it) until told to let go on stdin.
HOLDER = """
import sys
from formgen.record import schema
from formgen.record import store
engine = store.open_store(sys.argv[1])
with engine.begin() as conn:
    conn.execute(schema.meta.insert().values(key="holder", value=b"x"))
    print("holding", flush=True)
    sys.stdin.readline()
engine.dispose()
"""

# Holds PostgreSQL's table lock, as any other program could, outside formgen's turns.
TABLE_LOCKER = """
import sys
from sqlalchemy import create_engine
engine = create_engine(sys.argv[1])
with engine.begin() as conn:
    conn.exec_driver_sql("LOCK TABLE recordings IN ACCESS EXCLUSIVE MODE")
    print("holding", flush=True)
    sys.stdin.readline()
engine.dispose()
"""

# Reads, then writes a participant's name, in one write transaction.
WRITER = """
import datetime as dt, sys
from sqlalchemy import func, select
from formgen.record import schema
from formgen.record import store
try:
    engine = store.open_store(sys.argv[1])
    print("writing", flush=True)
    with engine.begin() as conn:
        count = conn.execute(select(func.count()).select_from(schema.recordings)).scalar()
        conn.execute(schema.recordings.insert().values(
            id=f"R-WAIT{count:03d}", title="t", student=sys.argv[2], supervisor="v",
            situation="3", institution=None, recorded_on=dt.date(2030, 1, 1), media="both",
            purpose="reflection", livestream=False, livestream_stored=False, view360=False,
            lang="nl", delete_by=dt.date(2031, 1, 1), created_at=dt.datetime(2026, 1, 1),
        ))
    engine.dispose()
except Exception as exc:
    print(store.explain(exc), flush=True)
    sys.exit(3)
print("written", flush=True)
"""

# Checks whether a row is there and adds it if not, once told to go.
ONCE = """
import sys, time
from sqlalchemy import select
from formgen.record import schema
from formgen.record import store
engine = store.open_store(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
with engine.begin() as conn:
    found = conn.execute(select(schema.meta.c.key).where(schema.meta.c.key == "once")).first()
    if found is None:
        time.sleep(0.5)  # the other process is at the same point now
        conn.execute(schema.meta.insert().values(key="once", value=b"x"))
engine.dispose()
print("found" if found else "added", flush=True)
"""


def _start(script: str, *args: str, timeout: str = "30") -> subprocess.Popen[str]:
    env = {**os.environ, "FORMGEN_DB_TIMEOUT": timeout}
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _line(process: subprocess.Popen[str]) -> str:
    stream: IO[str] | None = process.stdout
    assert stream is not None
    line = stream.readline().strip()
    if not line:
        process.wait(timeout=60)
        pytest.fail(f"the child said nothing: {process.stderr.read() if process.stderr else ''}")
    return line


def _release(holder: subprocess.Popen[str]) -> None:
    _, err = holder.communicate("go\n", timeout=60)
    assert holder.returncode == 0, err


def _recordings(url: str) -> list[str]:
    from sqlalchemy import select

    from formgen.record.schema import recordings

    engine = open_store(url)
    with engine.connect() as conn:
        found = list(conn.execute(select(recordings.c.student)).scalars())
    engine.dispose()
    return found


def test_a_writer_waits_for_another_process_and_then_succeeds(store_url: str) -> None:
    open_store(store_url).dispose()
    holder = _start(HOLDER, store_url)
    try:
        assert _line(holder) == "holding"
        writer = _start(WRITER, store_url, NAME)
        assert _line(writer) == "writing"
        time.sleep(2)  # the hold: the writer is waiting meanwhile
        assert writer.poll() is None, writer.communicate()
    finally:
        _release(holder)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0 and out.strip() == "written", out + err
    assert _recordings(store_url) == [NAME]


@pytest.mark.parametrize("hold", ["formgen", "table lock"])
def test_a_writer_that_waits_too_long_gets_one_clean_line(store_url: str, hold: str) -> None:
    if hold == "table lock" and store_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's table locks; SQLite locks the whole file (the other case)")
    open_store(store_url).dispose()
    holder = _start(HOLDER if hold == "formgen" else TABLE_LOCKER, store_url)
    try:
        assert _line(holder) == "holding"
        writer = _start(WRITER, store_url, NAME, timeout="1")
        out, err = writer.communicate(timeout=60)  # held for as long as it waits
    finally:
        _release(holder)
    assert writer.returncode == 3, out + err
    message = out.strip().splitlines()[-1]
    assert message == (
        "the store is busy: another formgen process held it for more than 1 s; try again"
    )
    assert err == ""  # no traceback
    for secret in (NAME, "Geheim", "INSERT", "SELECT", "recordings"):
        assert secret not in out
    assert _recordings(store_url) == []


def test_check_then_write_transactions_take_turns(store_url: str) -> None:
    """Both processes read "not there" at once only if their transactions overlap; they
    take turns, so one adds the row and the other finds it (no duplicate, no error)."""
    open_store(store_url).dispose()
    both = [_start(ONCE, store_url), _start(ONCE, store_url)]
    assert [_line(p) for p in both] == ["ready", "ready"]
    for process in both:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [p.communicate(timeout=60) for p in both]
    assert [p.returncode for p in both] == [0, 0], results
    assert sorted(out.strip() for out, _ in results) == ["added", "found"]
