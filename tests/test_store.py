"""The store: migrations, the append-only log, status derived from events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, delete, inspect, select, text, update
from sqlalchemy.exc import DatabaseError

from formgen import records
from formgen.schema import events, metadata
from formgen.store import HEAD, _alembic, open_store


def test_migrations_from_empty_to_head_match_the_schema(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "m.db"))
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(_alembic(None)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        inspector = inspect(conn)
        for table in metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name


def test_head_constant_is_alembics_head() -> None:
    # open_store skips importing Alembic when the database is at HEAD.
    assert ScriptDirectory.from_config(_alembic(None)).get_current_head() == HEAD


def test_upgrade_from_0001_keeps_forms_and_fills_what_they_said(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic(conn), "0001")
        conn.execute(
            text(
                "INSERT INTO recordings VALUES ('R-OLD001', 'T', 'S', 'V', '3', NULL,"
                " '2030-12-01', 'both', 'assessment', 0, 0, 0, 'nl', '2031-12-01',"
                " '2026-01-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO participants VALUES ('P-OLD001', 'R-OLD001', 0, 'Ann', 0, 'nl',"
                " '2026-01-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO forms (id, participant_id, variant, lang, clauses, created_at)"
                " VALUES ('7KQ2-M9XD-4', 'P-OLD001', 'adult', 'nl', '[\"recording\"]',"
                " '2026-01-01 10:00:00')"
            )
        )
    engine.dispose()
    upgraded = open_store(url)
    with upgraded.connect() as conn:
        row = conn.execute(text("SELECT round, purpose, delete_by FROM forms")).one()
        assert tuple(row) == (1, "assessment", "2031-12-01")
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        (person,) = records.list_participants(conn, "R-OLD001")
        assert (person.name, person.form_id, person.round) == ("Ann", "7KQ2-M9XD-4", 1)
        assert records.recording_log(conn, "R-OLD001") == []


def test_reopening_keeps_records(tmp_path: Path) -> None:
    from formgen.config import Config

    path = str(tmp_path / "k.db")
    engine = open_store(path)
    made = records.create_recording(
        engine,
        Config(),
        title="t",
        student="s",
        supervisor="v",
        situation="3",
        purpose="reflection",
        recorded_on=__import__("datetime").date(2026, 1, 1),
    )
    engine.dispose()
    again = open_store(path)
    assert [r.id for r in records.list_recordings(again)] == [made.id]


def test_event_log_cannot_be_rewritten(db: Path, js: Callable[..., Any], rec: str) -> None:
    person = js("participant", "add", rec, "--name", "A")
    engine = create_engine(f"sqlite:///{db}")
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(update(events).values(status="given"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(events))
    assert js("status", rec)["participants"][0]["clauses"] == {"recording": "requested"}
    # The library offers appends only.
    public = [name for name in dir(records) if not name.startswith("_")]
    assert not [n for n in public if n.startswith(("update", "delete", "edit"))]
    assert person["form_id"]


def test_lifecycle_is_enforced_on_append(db: Path, js: Callable[..., Any], rec: str) -> None:
    person = js("participant", "add", rec, "--name", "A")
    engine = open_store(str(db))
    with engine.begin() as conn:
        records._append(conn, [(person["form_id"], "recording", "given")], source="test")
        records._append(conn, [(person["form_id"], "recording", "withdrawn")], source="test")
    with pytest.raises(records.RecordError, match="cannot go from withdrawn"):
        records.set_consent(engine, person["form_id"], "recording", "given", by="x", reason="y")


def test_status_is_the_fold_of_the_events(
    db: Path, js: Callable[..., Any], run: Any, rec: str
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
    # Replay the raw log independently of records.form_states.
    engine = create_engine(f"sqlite:///{db}")
    replayed: dict[str, str] = {}
    with engine.connect() as conn:
        for form_id, clause, status in conn.execute(
            select(events.c.form_id, events.c.clause, events.c.status).order_by(events.c.id)
        ):
            replayed[f"{form_id}/{clause}"] = status
    for person in printed["participants"]:
        for clause, status in person["clauses"].items():
            assert replayed[f"{person['form_id']}/{clause}"] == status
    assert [p["clauses"]["recording"] for p in printed["participants"]] == [
        "given",
        "given",
        "requested",
    ]
