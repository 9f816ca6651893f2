"""The store, on SQLite and PostgreSQL: migrations, the append-only log, the signing key,
clean refusals when opening, one-line explanations of database faults."""

from __future__ import annotations

import datetime as dt
import os
import socket
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import UniqueConstraint, create_engine, delete, inspect, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from formgen.record import by_hand, ledger, records, roster, store
from formgen.record.schema import events, meta, metadata, recording_events, recordings
from formgen.record.store import HEAD, _alembic, explain, open_store

from .helpers import test_config
from .helpers.timetravel import days_from_today

NAME = "Zoë Geheimnaam"  # a participant's name: never in a message


def _backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _recording(rec_id: str = "R-TEST001", student: str = NAME) -> dict[str, Any]:
    return {
        "id": rec_id,
        "title": "Rekenles",
        "student": student,
        "supervisor": "V",
        "situation": "3",
        "institution": None,
        "recorded_on": dt.date(2030, 12, 1),
        "media": "both",
        "purpose": "reflection",
        "livestream": False,
        "livestream_stored": False,
        "view360": False,
        "lang": "nl",
        "delete_by": dt.date(2031, 12, 1),
        "created_at": dt.datetime(2026, 1, 1, 10, 0),
    }


def _assert_clean(message: str) -> None:
    """One line for a person: no name, no SQL."""
    assert "\n" not in message
    assert NAME not in message and "Geheim" not in message
    for sql in ("INSERT", "SELECT", "UPDATE", "DELETE", "recordings", "VALUES", "%(", "?"):
        assert sql not in message, message


# --- Migrations ------------------------------------------------------------------------


def test_migrations_from_empty_to_head_match_the_schema(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(_alembic(None)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        inspector = inspect(conn)
        for table in metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= indexes, table.name
            uniques = {u["name"] for u in inspector.get_unique_constraints(table.name)}
            named = {c.name for c in table.constraints if isinstance(c, UniqueConstraint)}
            assert named <= uniques, table.name
    engine.dispose()


def test_head_constant_is_alembics_head() -> None:
    # open_store skips importing Alembic when the database is at HEAD.
    assert ScriptDirectory.from_config(_alembic(None)).get_current_head() == HEAD


def test_upgrade_from_0001_keeps_forms_and_fills_what_they_said(empty_store_url: str) -> None:
    from alembic import command
    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String, column
    from sqlalchemy import table as table_

    old_recordings = table_(
        "recordings",
        *(column(c.name, c.type) for c in recordings.columns),
    )
    old_participants = table_(
        "participants",
        column("id", String),
        column("recording_id", String),
        column("position", Integer),
        column("name", String),
        column("under_16", Boolean),
        column("lang", String),
        column("created_at", DateTime),
    )
    old_forms = table_(
        "forms",
        *(column(n, String) for n in ("id", "participant_id", "variant", "lang")),
        column("clauses", JSON),
        column("created_at", DateTime),
    )
    old_meta = table_("meta", column("key", String), column("value", LargeBinary))
    secret = b"k" * 32
    engine = create_engine(empty_store_url)
    with engine.begin() as conn:
        command.upgrade(_alembic(conn), "0001")
        conn.execute(old_meta.insert().values(key="instance", value=secret))  # as 0.1 did
        conn.execute(old_recordings.insert().values(_recording("R-OLD001", "S")))
        conn.execute(
            old_participants.insert().values(
                id="P-OLD001",
                recording_id="R-OLD001",
                position=0,
                name="Ann",
                under_16=False,
                lang="nl",
                created_at=dt.datetime(2026, 1, 1, 10),
            )
        )
        conn.execute(
            old_forms.insert().values(
                id="7KQ2-M9XD-4",
                participant_id="P-OLD001",
                variant="adult",
                lang="nl",
                clauses=["recording"],
                created_at=dt.datetime(2026, 1, 1, 10),
            )
        )
    engine.dispose()
    upgraded = open_store(empty_store_url)
    with upgraded.connect() as conn:
        row = conn.execute(
            text("SELECT round, purpose, delete_by FROM forms").columns(
                column("round", Integer), column("purpose", String), column("delete_by", Date)
            )
        ).one()
        assert tuple(row) == (1, "reflection", dt.date(2031, 12, 1))
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        (person,) = roster.list_participants(conn, "R-OLD001")
        assert (person.name, person.form_id, person.round) == ("Ann", "7KQ2-M9XD-4", 1)
        assert records.recording_log(conn, "R-OLD001") == []
        # 0003 wrote the old key's fingerprint: the key is kept, not replaced.
        assert store.instance(conn).secret == secret
        fingerprint = conn.execute(select(meta.c.value).where(meta.c.key == "instance_id"))
        assert bytes(fingerprint.scalar_one()) == store.key_id(secret)
    upgraded.dispose()


def test_migration_0003_downgrades_to_what_0002_was(empty_store_url: str) -> None:
    from alembic import command

    open_store(empty_store_url).dispose()
    engine = create_engine(empty_store_url)

    def added(conn: Any) -> set[str]:
        if _backend(empty_store_url) == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            query = (
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal UNION "
                "SELECT proname FROM pg_proc WHERE proname = 'formgen_append_only'"
            )
        names = set(conn.execute(text(query)).scalars())
        keys = conn.execute(select(meta.c.key).where(meta.c.key == "instance_id")).scalars()
        return names | set(keys)

    with engine.begin() as conn:
        at_head = added(conn)
        command.downgrade(_alembic(conn), "0002")
        at_0002 = added(conn)
        command.upgrade(_alembic(conn), "head")
        again = added(conn)
    engine.dispose()
    if _backend(empty_store_url) == "sqlite":
        new = {"events_no_replace", "recording_events_no_replace", "instance_id"}
        assert at_0002 >= {"events_no_update", "recording_events_no_delete"}
    else:
        new = {"events_append_only", "recording_events_append_only"}
        new |= {"formgen_append_only", "instance_id"}
        # 0011: a row trigger per event table lets the erasure through, nothing else.
        new |= {"events_erase_only", "recording_events_erase_only"}
        assert at_0002 == set()
    assert at_head - at_0002 == new and at_0002 <= at_head
    assert again == at_head


def test_reopening_keeps_records(store_url: str) -> None:

    engine = open_store(store_url)
    made = records.create_recording(
        engine,
        test_config(),
        title="t",
        student="s",
        supervisor="v",
        situation="3",
        purpose="reflection",
        recorded_on=days_from_today(7),  # consent is asked before the recording
    )
    key = store.instance(engine)
    engine.dispose()
    again = open_store(store_url)
    assert [r.id for r in records.list_recordings(again)] == [made.id]
    assert store.instance(again) == key
    again.dispose()


# --- The append-only log -----------------------------------------------------------------


def test_event_log_cannot_be_rewritten(db_url: str, js: Callable[..., Any], rec: str) -> None:
    person = js("participant", "add", rec, "--name", "A")
    engine = open_store()
    with engine.begin() as conn:
        conn.execute(
            recording_events.insert().values(
                recording_id=rec, kind="test", at=dt.datetime(2026, 1, 1), source="test"
            )
        )
    history = js("consent", "history", person["form_id"])
    with engine.connect() as conn:
        logged = conn.execute(select(recording_events)).all()
        event_id = conn.execute(select(events.c.id)).scalars().first()
    assert history["events"] and logged

    attempts: list[Any] = []
    for table in (events, recording_events):
        attempts += [update(table).values(source="forged"), delete(table)]
    if _backend(db_url) == "sqlite":
        attempts += [
            text(
                "INSERT OR REPLACE INTO events (id, form_id, clause, status, at, source) "
                "VALUES (:id, :form, 'recording', 'given', '2026-01-01 00:00:00', 'forged')"
            ).bindparams(id=event_id, form=person["form_id"]),
            text(
                "REPLACE INTO recording_events (id, recording_id, kind, at, source) "
                "VALUES (:id, :rec, 'forged', '2026-01-01 00:00:00', 'forged')"
            ).bindparams(id=logged[0].id, rec=rec),
        ]
    else:
        attempts += [
            text("TRUNCATE events"),
            text("TRUNCATE recording_events"),
            text(
                "INSERT INTO events (id, form_id, status, at, source) "
                "VALUES (:id, :form, 'given', now(), 'forged') "
                "ON CONFLICT (id) DO UPDATE SET status = 'given'"
            ).bindparams(id=event_id, form=person["form_id"]),
        ]
    for statement in attempts:
        with pytest.raises(IntegrityError, match="append-only") as caught, engine.begin() as conn:
            conn.execute(statement)
        assert "append-only" in str(explain(caught.value))
    assert js("consent", "history", person["form_id"]) == history
    with engine.connect() as conn:
        assert conn.execute(select(recording_events)).all() == logged
    assert js("status", rec)["participants"][0]["clauses"] == {"recording": "requested"}
    # The library offers appends only.
    public = [name for name in dir(records) if not name.startswith("_")]
    assert not [n for n in public if n.startswith(("update", "delete", "edit"))]
    engine.dispose()


def test_lifecycle_is_enforced_on_append(db_url: str, js: Callable[..., Any], rec: str) -> None:
    person = js("participant", "add", rec, "--name", "A")
    engine = open_store()
    with engine.begin() as conn:
        ledger.append_events(conn, [(person["form_id"], "recording", "given")], source="test")
        ledger.append_events(conn, [(person["form_id"], "recording", "withdrawn")], source="test")
    with pytest.raises(records.RecordError, match="cannot go from withdrawn"):
        by_hand.set_consent(engine, person["form_id"], "recording", "given", by="x", reason="y")
    engine.dispose()


def test_status_is_the_fold_of_the_events(
    db_url: str, js: Callable[..., Any], run: Any, rec: str
) -> None:
    people = [js("participant", "add", rec, "--name", n) for n in "ABC"]
    run("consent", "set", people[0]["form_id"], "recording", "given", "--by", "x", "--reason", "y")
    run(
        "consent", "set", people[1]["form_id"], "recording", "refused", "--by", "x", "--reason", "y"
    )
    run(
        "consent",
        "set",
        people[1]["form_id"],
        "recording",
        "given",
        "--by",
        "x",
        "--reason",
        "corrected",
    )
    printed = js("status", rec)
    # Replay the raw log independently of ledger.form_states.
    engine = create_engine(db_url)
    replayed: dict[str, str] = {}
    with engine.connect() as conn:
        for form_id, clause, status in conn.execute(
            select(events.c.form_id, events.c.clause, events.c.status).order_by(events.c.id)
        ):
            replayed[f"{form_id}/{clause}"] = status
    engine.dispose()
    for person in printed["participants"]:
        for clause, status in person["clauses"].items():
            assert replayed[f"{person['form_id']}/{clause}"] == status
    assert [p["clauses"]["recording"] for p in printed["participants"]] == [
        "given",
        "given",
        "requested",
    ]


# --- The signing key ---------------------------------------------------------------------


def _meta(store_url: str) -> dict[str, bytes]:
    engine = create_engine(store_url)
    with engine.connect() as conn:
        rows = {k: bytes(v) for k, v in conn.execute(select(meta.c.key, meta.c.value))}
    engine.dispose()
    return rows


def _change_meta(store_url: str, statement: Any) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(statement)
    engine.dispose()


def test_a_fresh_store_gets_a_key_and_its_fingerprint(store_url: str) -> None:
    open_store(store_url).dispose()
    rows = _meta(store_url)
    assert len(rows["instance"]) == 32
    assert rows["instance_id"] == store.key_id(rows["instance"])
    open_store(store_url).dispose()
    assert _meta(store_url) == rows


@pytest.mark.parametrize("fault", ["key deleted", "key changed", "fingerprint deleted"])
def test_a_missing_or_changed_key_is_refused_never_remade(store_url: str, fault: str) -> None:
    open_store(store_url).dispose()
    if fault == "key deleted":
        change = delete(meta).where(meta.c.key == "instance")
    elif fault == "key changed":
        change = update(meta).where(meta.c.key == "instance").values(value=b"n" * 32)
    else:
        change = delete(meta).where(meta.c.key == "instance_id")
    _change_meta(store_url, change)
    before = _meta(store_url)
    with pytest.raises(store.StoreError) as caught:
        open_store(store_url)
    assert str(caught.value) == (
        "the store's signing key is missing (or changed): forms printed before could no "
        "longer be read; restore the store from a backup"
    )
    assert _meta(store_url) == before  # nothing generated


def test_no_key_is_made_for_a_store_upgraded_without_one(empty_store_url: str) -> None:
    from alembic import command

    engine = create_engine(empty_store_url)
    with engine.begin() as conn:
        command.upgrade(_alembic(conn), "0002")
    engine.dispose()
    with pytest.raises(store.StoreError, match="signing key is missing"):
        open_store(empty_store_url)
    assert _meta(empty_store_url) == {}


# --- Opening: clean refusals -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("foo://x", "formgen cannot use a 'foo' database"),
        ("postgresql+nosuchdriver://u@h/d", "cannot use a 'postgresql+nosuchdriver' database"),
        ("mysql://u:hunter2@h/d", "cannot use a 'mysql' database"),
        ("sqlite+pysqlcipher:///x.db", "cannot use a 'sqlite+pysqlcipher' database"),
    ],
)
def test_unknown_schemes_and_drivers_are_refused(url: str, message: str) -> None:
    with pytest.raises(store.StoreError) as caught:
        open_store(url)
    assert message in str(caught.value) and "hunter2" not in str(caught.value)
    assert "postgresql+psycopg://" in str(caught.value)


def test_a_missing_postgresql_driver_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    with pytest.raises(store.StoreError, match=r"formgen\[postgres\]"):
        open_store("postgresql+psycopg://u@127.0.0.1/d")


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    port = _free_port()
    with pytest.raises(store.StoreError) as caught:
        open_store(f"postgresql://formgen:hunter2@127.0.0.1:{port}/records")
    assert str(caught.value) == (
        f"cannot reach the database server at 127.0.0.1:{port} (connection refused)"
    )


def test_a_read_only_sqlite_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    open_store(str(path)).dispose()
    with pytest.raises(store.StoreError, match="the store is read-only"):
        open_store(f"sqlite:///file:{path}?mode=ro&uri=true")
    # A connection that is read-only all the same: its writes are explained.
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(OperationalError) as caught, engine.begin() as conn:
        conn.execute(recordings.insert().values(_recording()))
    engine.dispose()
    assert str(explain(caught.value)) == "the store is read-only: formgen cannot write to it"


def _open_as_nobody(path: Path) -> str:
    """Open the store in a child process that runs as ``nobody`` (when we are root, whom
    permissions do not stop): its refusal, or "opened"."""
    import pwd

    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.close(reader)
        try:
            if os.geteuid() == 0:
                user = pwd.getpwnam("nobody")
                os.setgroups([])
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)
            open_store(str(path)).dispose()
            said = "opened"
        except BaseException as exc:
            said = f"{type(exc).__name__}: {exc}"
        os.write(writer, said.encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        said = pipe.read().decode()
    os.waitpid(child, 0)
    return said


@pytest.mark.parametrize("part", ["file", "folder"])
def test_a_read_only_file_or_folder_is_refused(part: str) -> None:
    import pwd
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="formgen-ro-"))
    try:
        path = folder / "store.db"
        open_store(str(path)).dispose()
        if os.geteuid() == 0:
            user = pwd.getpwnam("nobody")
            os.chmod(folder, 0o755)
            os.chown(path, user.pw_uid, user.pw_gid)
            if part == "file":
                os.chown(folder, user.pw_uid, user.pw_gid)
        if part == "file":
            os.chmod(path, 0o400)
        else:
            os.chmod(folder, 0o555)
        said = _open_as_nobody(path)
        if part == "file":
            assert said == f"StoreError: the store is read-only: formgen cannot write to {path}"
        else:
            assert said == (
                "StoreError: the store's folder is read-only: formgen cannot write its "
                f"journal beside {path}"
            )
        assert sorted(p.name for p in folder.iterdir()) == ["store.db"]
    finally:
        os.chmod(folder, 0o700)
        shutil.rmtree(folder)


def test_a_read_only_postgresql_store_is_refused(store_url: str) -> None:
    if _backend(store_url) == "sqlite":
        pytest.skip("PostgreSQL only (SQLite: the test above)")
    open_store(store_url).dispose()
    engine = create_engine(store_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        name = conn.exec_driver_sql("SELECT current_database()").scalar()
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    engine.dispose()
    with pytest.raises(store.StoreError, match="the store is read-only"):
        open_store(store_url)
    engine = create_engine(store_url)
    with pytest.raises(DatabaseError) as caught, engine.begin() as conn:
        conn.execute(recordings.insert().values(_recording()))
    engine.dispose()
    assert str(explain(caught.value)).startswith("the store is read-only")
    _assert_clean(str(explain(caught.value)))


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)  # SQLite: no connections
def test_the_library_keeps_its_postgresql_sessions_until_it_is_closed(
    store_url: str, tmp_path: Path
) -> None:
    """A transaction does not open a PostgreSQL session of its own (a new session costs
    the server a process and its catalogue caches, and a command makes dozens of
    transactions): the library's run on the same few sessions, and ``close`` ends them."""
    from sqlalchemy.pool import NullPool

    from formgen import Formgen

    # Each query its own transaction: pg_stat_activity is a snapshot within one.
    watch = create_engine(store_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    query = text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid()"
    )
    seen: list[set[int]] = []
    try:
        with watch.connect() as conn:
            fg = Formgen.open(db=store_url, config=test_config(output_dir=tmp_path / "out"))
            try:
                for n in range(6):
                    fg.create_recording(
                        title=f"Les {n}",
                        student="Sam",
                        supervisor="Dr. Jansen",
                        situation=3,
                        purpose="reflection",
                        date=days_from_today(30),
                    )
                    assert len(fg.recordings()) == n + 1
                    seen.append(set(conn.execute(query).scalars()))
            finally:
                fg.close()
            deadline = time.monotonic() + 10  # a session ends just after its client leaves
            while (left := set(conn.execute(query).scalars())) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        watch.dispose()
    assert all(seen), seen  # between transactions a session waits for the next
    assert len(set().union(*seen)) <= 2, seen  # and it is the same one or two
    assert not left, left


def test_a_store_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(store.StoreError, match="cannot create the store"):
        open_store(str(tmp_path / "file" / "store.db"))


def test_a_bad_timeout_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMGEN_DB_TIMEOUT", "soon")
    with pytest.raises(store.StoreError, match="FORMGEN_DB_TIMEOUT must be a number"):
        open_store(str(tmp_path / "t.db"))


# --- SQLite: WAL, owner-only files -------------------------------------------------------


def test_sqlite_store_is_wal_and_every_file_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "store.db"
    engine = open_store(str(path))
    with engine.begin() as conn:
        conn.execute(recordings.insert().values(_recording()))
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["store.db", "store.db-shm", "store.db-wal"]
        for name in files:
            assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    engine.dispose()


# --- Readers, writers, and what a person is told -----------------------------------------


def test_readers_do_not_wait_for_a_writer_and_writers_give_up_cleanly(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process, for brevity; tests/test_store_waits.py has separate processes."""
    monkeypatch.setenv("FORMGEN_DB_TIMEOUT", "0.5")
    engine = open_store(store_url)
    with engine.begin() as writer:
        writer.execute(recordings.insert().values(_recording()))
        with engine.connect() as reader:  # sees the last commit, at once
            assert reader.execute(select(recordings.c.id)).all() == []
        with pytest.raises(OperationalError) as caught, engine.begin() as other:
            other.execute(recordings.insert().values(_recording("R-TEST002")))
    message = str(explain(caught.value))
    assert message == (
        "the store is busy: another formgen process held it for more than 0.5 s; try again"
    )
    with engine.connect() as reader:
        assert reader.execute(select(recordings.c.id)).scalars().all() == ["R-TEST001"]
    engine.dispose()


def test_a_duplicate_is_explained_without_its_values(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.begin() as conn:
        conn.execute(recordings.insert().values(_recording()))
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(recordings.insert().values(_recording()))
    engine.dispose()
    assert NAME in str(caught.value) or "R-TEST001" in str(caught.value)  # SQLAlchemy's text
    message = str(explain(caught.value))
    assert message.startswith("the store refused a change that breaks its rules")
    _assert_clean(message)
    assert "R-TEST001" not in message


def test_a_full_store_is_explained_without_sql(tmp_path: Path) -> None:
    # max_page_count makes SQLite report SQLITE_FULL exactly as a full disk does.
    engine = open_store(str(tmp_path / "full.db"))
    with pytest.raises(OperationalError) as caught, engine.begin() as conn:
        size = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {size}")
        for index in range(200):
            conn.execute(recordings.insert().values(_recording(f"R-{index:06d}", NAME * 40)))
    engine.dispose()
    message = str(explain(caught.value))
    assert message == "the disk is full: the store could not save the change"
    _assert_clean(message)


def test_explain_never_passes_a_message_through() -> None:
    assert str(explain(RuntimeError(f"SELECT * FROM recordings WHERE student = '{NAME}'"))) == (
        "the store failed (RuntimeError)"
    )
    assert str(explain(OSError(28, "No space left on device"))) == (
        "the store cannot be used (the disk is full)"
    )
    already = store.StoreError("as it was")
    assert explain(already) is already


def test_the_migration_and_the_store_agree_on_the_key_fingerprint() -> None:
    import importlib

    migration = importlib.import_module(
        "formgen.record.migrations.versions.0003_append_only_everywhere"
    )
    secret = os.urandom(32)
    assert migration.key_id(secret) == store.key_id(secret)
