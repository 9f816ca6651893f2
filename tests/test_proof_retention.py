"""The consent record as proof for a limited time: at destruction what people wrote goes
at once; when ``[retention] proof_after_destruction`` has passed, the worker erases
everything personal and the record keeps only the facts ("deelnemer 3: given")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from formgen.aftercare import lifecycle
from formgen.api import Formgen
from formgen.config import Config, from_mapping
from formgen.errors import ConfigError
from formgen.record.schema import events, participants, recording_events, scan_images, scans
from formgen.rules import Period

from .conftest import store_dump
from .helpers.rendering import rasterise, text_of
from .helpers.scans import Fill, fill_page, save_png
from .helpers.timetravel import backdate, clock, days_from_today, local_day, utc_days_ago

pytestmark = pytest.mark.usefixtures("db_url")  # on SQLite and on PostgreSQL

TYPED = "told me at the school gate, her mother agrees"
WITHDRAWN = "Bob said in class he does not want it"


def _scan_one(fg: Formgen, rec: str, form_id: str, tmp_path: Path) -> None:
    """Cas's page 3, ticked yes and signed, scanned into a file named after him."""
    written = fg.forms(rec)
    assert written.pdf is not None
    pdf = written.pdf.read_bytes()
    sheet = fg.layout(form_id)["pages"][2]
    index = [f["form_id"] for f in written.as_dict()["forms"]].index(form_id)
    page = rasterise(pdf, 300)[3 * index + 2]
    filled = fill_page(page, sheet, Fill({"recording": ["yes"]}), np.random.default_rng(3))
    imported = fg.import_scans([save_png(tmp_path / "Cas de Boer scan.png", filled)], workers=1)
    assert [p.status for p in imported.pages] == ["ok"]


def _recording(fg: Formgen, tmp_path: Path) -> tuple[str, list[Any]]:
    rec = fg.create_recording(
        title="Rekenles groep 5",
        student="Sam de Vries",
        supervisor="Dr. Jansen",
        situation=3,
        purpose="reflection",
        date=days_from_today(10),
    ).id
    people = [fg.add_participant(rec, name) for name in ("Ann Smit", "Bob Jong", "Cas de Boer")]
    ann, bob, cas = people
    fg.set_consent(ann.form_id, "recording", "given", by="Sam", reason=TYPED)
    fg.set_consent(bob.form_id, "recording", "given", by="Sam", reason="paper")
    fg.withdraw(bob.form_id, by="Sam", reason=WITHDRAWN)
    _scan_one(fg, rec, cas.form_id, tmp_path)
    fg.rename_participant(ann.id, "Ann Smit-Bakker", by="Sam")  # the log names her twice
    return rec, people


def _reasons(fg: Formgen, form_id: str) -> list[str | None]:
    with fg.engine.connect() as conn:
        return list(
            conn.execute(
                select(events.c.reason).where(events.c.form_id == form_id).order_by(events.c.id)
            ).scalars()
        )


def test_destruction_forgets_what_people_wrote_and_the_worker_erases_the_proof(
    fg: Formgen, tmp_path: Path, db_url: str
) -> None:
    rec, (ann, bob, _) = _recording(fg, tmp_path)
    backdate(rec, 430, fg.engine)  # made 430 days ago
    with clock(utc_days_ago(400)):  # and destroyed 400 days ago
        done = fg.destroy(rec, by="Sam")
    assert done["scan_images_removed"] == 0  # the signed page is the proof: kept
    kept_until = dt_of(done["proof_kept_until"])
    assert (kept_until - local_day(utc_days_ago(400))).days in (365, 366)

    # At once: what people wrote, and the name of the uploaded file.
    assert TYPED not in _reasons(fg, ann.form_id)
    assert lifecycle.ERASED in _reasons(fg, ann.form_id)
    assert WITHDRAWN not in _reasons(fg, bob.form_id)
    assert "recording destroyed" in _reasons(fg, ann.form_id)  # formgen's own words stay
    with fg.engine.connect() as conn:
        assert set(conn.execute(select(scans.c.filename)).scalars()) == {""}
        assert conn.execute(select(scan_images.c.id)).first() is not None
    assert TYPED not in store_dump(db_url) and "Cas de Boer scan" not in store_dump(db_url)
    # The proof stays, names and all, until its retention ends.
    status = fg.status(rec).as_dict()
    names = ["Ann Smit-Bakker", "Bob Jong", "Cas de Boer"]
    assert [p["name"] for p in status["participants"]] == names
    assert status["proof_erased"] is None

    due = fg.proofs_due()
    assert [(d["id"], d["overdue"], d["erase_on"]) for d in due] == [
        (rec, True, kept_until.isoformat())
    ]
    assert fg.due() == []  # destroyed: no longer a recording to delete

    # The worker erases it.
    assert fg.work(once=True) == 0
    dump = store_dump(db_url)
    for personal in ("Ann Smit", "Bob Jong", "Cas de Boer"):
        assert personal not in dump
    with fg.engine.connect() as conn:
        assert conn.execute(select(scan_images.c.id)).first() is None
        assert set(conn.execute(select(participants.c.name)).scalars()) == {None}
    assert fg.proofs_due() == [] and fg.erase_due_proofs() == []

    # The facts stay: statuses and dates, each person by their place in the list.
    erased = fg.status(rec).as_dict()
    assert erased["proof_erased"] is not None
    assert [p["name"] for p in erased["participants"]] == [None, None, None]
    assert [p["clauses"] for p in erased["participants"]] == [
        {"recording": "expired"},  # given, until the destruction
        {"recording": "withdrawn"},
        {"recording": "expired"},
    ]
    table = list(csv.DictReader(io.StringIO(fg.consent_csv([rec]).decode("utf-8-sig"))))
    assert [(r["name"], r["status"]) for r in table] == [
        ("deelnemer 1", "expired"),
        ("deelnemer 2", "withdrawn"),
        ("deelnemer 3", "expired"),
    ]
    assert all(r["since"] for r in table)
    exported = json.dumps(fg.export(rec))
    assert "Ann Smit" not in exported and 'dpv:hasName": "Ann' not in exported


def dt_of(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def test_the_proof_is_kept_for_the_configured_time(db_url: str, tmp_path: Path) -> None:
    config = from_mapping({"retention": {"proof_after_destruction": "90 days"}})
    with Formgen.open(db=db_url, config=config) as fg:
        rec = fg.create_recording(
            title="T",
            student="S",
            supervisor="V",
            situation=3,
            purpose="reflection",
            date=days_from_today(3),
        ).id
        fg.add_participant(rec, "Dee Dekker")
        backdate(rec, 200, fg.engine)
        with clock(utc_days_ago(80)):
            done = fg.destroy(rec, by="Sam")
        assert (dt_of(done["proof_kept_until"]) - local_day(utc_days_ago(80))).days == 90
        assert fg.proofs_due() == []  # ten days left
        soon = fg.proofs_due(within=11)
        assert [(d["id"], d["overdue"]) for d in soon] == [(rec, False)]
        assert fg.erase_due_proofs() == []
        assert fg.status(rec).participants[0].name == "Dee Dekker"
        kept_until = dt_of(done["proof_kept_until"])
        assert fg.erase_due_proofs(on=kept_until - dt.timedelta(days=1)) == []
        assert fg.erase_due_proofs(on=kept_until) == [rec]
        assert fg.status(rec).participants[0].name is None


@pytest.mark.parametrize(
    ("value", "period"),
    [(365, Period(365, "days")), ("1y", Period(1, "years")), ("18 months", Period(18, "months"))],
)
def test_proof_retention_in_the_configuration(value: object, period: Period) -> None:
    assert Config().proof_after == Period(1, "years")
    assert from_mapping({"retention": {"proof_after_destruction": value}}).proof_after == period


@pytest.mark.parametrize("value", [0, "0 days", "forever", True, 1.5])
def test_a_wrong_proof_retention_is_one_clear_error(value: object) -> None:
    with pytest.raises(ConfigError, match="proof_after_destruction"):
        from_mapping({"retention": {"proof_after_destruction": value}})


def test_the_event_log_lets_through_the_erasure_and_nothing_else(fg: Formgen) -> None:
    rec = fg.create_recording(
        title="T", student="S", supervisor="V", situation=3, purpose="reflection",
        date=days_from_today(3),
    ).id  # fmt: skip
    ann = fg.add_participant(rec, "Ann")
    fg.set_consent(ann.form_id, "recording", "given", by="Sam", reason="she said so")
    fg.rename_participant(ann.id, "Anne", by="Sam")
    with fg.engine.connect() as conn:
        event_id = conn.execute(  # the reason itself is sealed: found by what it is
            select(events.c.id).where(events.c.form_id == ann.form_id, events.c.status == "given")
        ).scalar_one()
    refused = [
        update(events).where(events.c.id == event_id).values(status="refused"),
        update(events).where(events.c.id == event_id).values(reason="something else"),
        update(events).where(events.c.id == event_id).values(source="manual:Eve"),
        update(recording_events).values(source="manual:Eve"),
        # A renaming may lose the names it holds, but not which form it was about.
        update(recording_events)
        .where(recording_events.c.kind == "participant_renamed")
        .values(detail={}),
    ]
    for change in refused:
        with pytest.raises(IntegrityError, match="append-only"), fg.engine.begin() as conn:
            conn.execute(change)
    with pytest.raises(IntegrityError, match="append-only"), fg.engine.begin() as conn:
        conn.execute(text("DELETE FROM events"))
    with fg.engine.begin() as conn:
        conn.execute(update(events).where(events.c.id == event_id).values(reason=lifecycle.ERASED))
    with fg.engine.connect() as conn:
        assert (
            conn.execute(select(events.c.reason).where(events.c.id == event_id)).scalar_one()
            == lifecycle.ERASED
        )
        renamed = conn.execute(
            select(recording_events.c.detail).where(
                recording_events.c.kind == "participant_renamed"
            )
        ).scalar_one()
    kept = {k: v for k, v in renamed.items() if k not in ("before", "after")}
    with fg.engine.begin() as conn:
        conn.execute(
            update(recording_events)
            .where(recording_events.c.kind == "participant_renamed")
            .values(detail={**kept, "erased": True})
        )


def test_the_migration_knows_the_erased_mark() -> None:
    from importlib import import_module

    migration = import_module("formgen.record.migrations.versions.0011_proof_retention")
    assert migration.ERASED == lifecycle.ERASED
    assert migration.RENAMED == lifecycle.RENAMED_KIND


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", "1 jaar na het verwijderen"), ("en", "1 year after the recording is deleted")],
)
def test_page_one_says_how_long_the_form_is_kept_as_proof(
    fg: Formgen, lang: str, words: str
) -> None:
    rec = fg.create_recording(
        title="T", student="S", supervisor="V", situation=3, purpose="reflection",
        date=days_from_today(3), lang=lang,
    ).id  # fmt: skip
    fg.add_participant(rec, "Ann")
    fg.add_participant(rec, "Kim", under_16=True)
    written = fg.forms(rec)
    assert written.pdf is not None
    pages = text_of(written.pdf.read_bytes())
    assert len(pages) == 6  # still three pages a form, parent's too
    for first in (f"{pages[0]} {pages[1]}", f"{pages[3]} {pages[4]}"):  # the pages kept
        flat = " ".join(first.split())
        assert words in flat


def test_due_worker_and_status_on_the_command_line(js: Any, run: Any, rec: str) -> None:
    js("participant", "add", rec, "--name", "Ann Smit")
    with clock(utc_days_ago(400)):
        destroyed = js("destroy", rec, "--by", "Sam")
    due = js("due")
    assert due["recordings"] == []
    assert [(p["id"], p["overdue"], p["erase_on"]) for p in due["proofs"]] == [
        (rec, True, destroyed["proof_kept_until"])
    ]
    assert "proof retention ends" in run("due").stdout
    assert "Ann Smit" in run("status", rec).stdout
    run("worker", "--once")
    shown = run("status", rec).stdout
    assert "Ann Smit" not in shown and "participant 1" in shown and "proof erased" in shown
    assert js("due")["proofs"] == [] and js("status", rec)["participants"][0]["name"] is None
