"""Correcting mistakes: a participant added by mistake, a misspelt name, a recording's
title, date or live stream, and taking back the last review decision or step
confirmation. On SQLite and PostgreSQL, through the library and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from formgen.api import Formgen
from formgen.errors import Conflict, NotFound, RecordError
from formgen.record import ledger, records, sealing
from formgen.record.schema import participants
from formgen.rules import Status

from .conftest import Run, store_dump

pytestmark = pytest.mark.usefixtures("db_url")  # on SQLite and on PostgreSQL

# Recordings in the future, counted from today: one dated before today may be refused.
SOON = dt.date.today() + dt.timedelta(days=30)


def recording(fg: Formgen, **overrides: Any) -> str:
    values: dict[str, Any] = {
        "title": "Rekenles groep 5",
        "student": "Sam de Vries",
        "supervisor": "Dr. Jansen",
        "situation": 3,
        "purpose": "reflection",
        "date": SOON,
        **overrides,
    }
    return fg.create_recording(**values).id


def to_review(fg: Formgen, form_id: str, clause: str = "recording") -> None:
    """What the reader appends for a doubtful page (a scan is read in test_scan_*)."""
    with fg.engine.begin() as conn:
        ledger.append_events(
            conn,
            [(form_id, clause, Status.REVIEW)],
            source="scan:" + "0" * 64 + "#1",
            reason="both yes and no are marked",
        )


def test_a_participant_nothing_came_back_for_is_gone(fg: Formgen) -> None:
    rec = recording(fg)
    ann, typo = fg.add_participants(rec, ["Ann", "Ann Ann"])
    done = fg.remove_participant(typo.id, by="Sam")
    assert done["outcome"] == "deleted"
    assert [p.name for p in fg.status(rec).participants] == ["Ann"]
    with fg.engine.connect() as conn:
        # The request events are append-only: the form stays, the name goes.
        rows = conn.execute(
            select(participants.c.id, participants.c.name).order_by(participants.c.position)
        )
        names = [sealing.open_name(conn, rec, pid, name) for pid, name in rows]
        assert names == ["Ann", None]
        log = records.recording_log(conn, rec)
    with pytest.raises(NotFound):
        fg.rename_participant(typo.id, "Ann", by="Sam")
    # Nothing lands on a removed form any more: not by hand, not from a scan or online.
    with pytest.raises(NotFound, match="was removed from its recording"):
        fg.set_consent(typo.form_id, "recording", "given", by="Sam", reason="paper")
    assert log[-1]["detail"] == {
        "participant": typo.id,
        "form_id": typo.form_id,
        "outcome": "deleted",
    }
    # Someone added later comes after Ann, not beside her.
    fg.add_participant(rec, "Bob")
    assert [p.name for p in fg.status(rec).participants] == ["Ann", "Bob"]
    assert ann.form_id in {p.form_id for p in fg.status(rec).participants}


def test_a_participant_with_an_answer_is_voided_with_history_kept(fg: Formgen) -> None:
    rec = recording(fg)
    ann, bob = fg.add_participants(rec, ["Ann", "Bob"])
    fg.set_consent(bob.form_id, "recording", "refused", by="Sam", reason="paper")
    before = store_dump(str(fg.engine.url.render_as_string(hide_password=False)))
    with pytest.raises(RecordError, match="say why"):
        fg.remove_participant(bob.id, by="Sam")
    assert store_dump(str(fg.engine.url.render_as_string(hide_password=False))) == before
    done = fg.remove_participant(bob.id, by="Sam", reason="not in this class")
    assert done["outcome"] == "voided"
    history = fg.history(bob.form_id)["events"]
    assert [e["status"] for e in history] == ["requested", "refused", "invalidated"]
    assert history[-1]["reason"] == "participant removed: not in this class"
    assert history[-1]["source"] == "manual:Sam"
    bob_now = next(p for p in fg.status(rec).participants if p.id == bob.id)
    assert bob_now.clauses == {"recording": Status.INVALIDATED}
    with pytest.raises(Conflict, match="no consent left"):
        fg.remove_participant(bob.id, by="Sam", reason="again")
    # A voided participant is not asked again when the purpose changes.
    change = fg.change_recording(rec, by="Dr. Jansen", purpose="assessment", save=False)
    assert [p.id for p in change.issued] == [ann.id]


def test_a_name_is_respelt_and_the_log_keeps_both(fg: Formgen) -> None:
    rec = recording(fg)
    person = fg.add_participant(rec, "Ane")
    done = fg.rename_participant(person.id, "Anne", by="Sam")
    assert done == {"participant_id": person.id, "form_id": person.form_id, "name": "Anne"}
    assert fg.status(rec).participants[0].name == "Anne"
    with fg.engine.connect() as conn:
        entry = records.recording_log(conn, rec)[-1]
    assert entry["kind"] == "participant_renamed"
    assert (entry["detail"]["before"], entry["detail"]["after"]) == ("Ane", "Anne")
    with pytest.raises(RecordError, match="nothing changed"):
        fg.rename_participant(person.id, "Anne", by="Sam")
    with pytest.raises(RecordError, match="control characters"):
        fg.rename_participant(person.id, "An\x07ne", by="Sam")


def test_a_title_is_corrected_without_new_consent(fg: Formgen) -> None:
    rec = recording(fg)
    ann = fg.add_participant(rec, "Ann")
    fg.set_consent(ann.form_id, "recording", "given", by="Sam", reason="paper")
    edit = fg.edit_recording(rec, by="Sam", title="Rekenles groep 6", save=False)
    assert edit.reason is None and not edit.issued
    assert fg.recording(rec).title == "Rekenles groep 6"
    assert fg.status(rec).participants[0].clauses == {"recording": Status.GIVEN}
    with pytest.raises(RecordError, match="nothing changed"):
        fg.edit_recording(rec, by="Sam", title="Rekenles groep 6")


def test_another_date_or_a_live_stream_asks_again(fg: Formgen) -> None:
    rec = recording(fg)
    ann = fg.add_participant(rec, "Ann")
    fg.set_consent(ann.form_id, "recording", "given", by="Sam", reason="paper")
    later = SOON + dt.timedelta(days=7)
    edit = fg.edit_recording(rec, by="Sam", date=later)
    assert "recording date changed" in (edit.reason or "")
    assert edit.invalidated == [ann.form_id]
    assert fg.recording(rec).recorded_on == later
    assert fg.recording(rec).delete_by > SOON + dt.timedelta(days=28)
    now = fg.status(rec).participants[0]
    assert now.round == 2 and now.clauses == {"recording": Status.REQUESTED}
    assert list((Path.cwd() / "output").glob("*round2.pdf"))

    edit = fg.edit_recording(rec, by="Sam", livestream=True, save=False)
    assert edit.reason == "live streaming added: new consent needed"
    assert fg.status(rec).participants[0].clauses == {
        "recording": Status.REQUESTED,
        "livestream": Status.REQUESTED,
    }
    # Streaming no more needs no new consent.
    edit = fg.edit_recording(rec, by="Sam", livestream=False, save=False)
    assert edit.reason is None and not edit.issued
    with pytest.raises(RecordError, match="only be stored"):
        fg.edit_recording(rec, by="Sam", livestream_stored=True)


def test_the_last_review_decision_is_taken_back(fg: Formgen) -> None:
    rec = recording(fg)
    ann = fg.add_participant(rec, "Ann")
    to_review(fg, ann.form_id)
    item = f"{ann.form_id}:recording"
    with pytest.raises(Conflict, match="no review decision"):
        fg.undo_review(item, by="Sam")
    fg.resolve(item, "given", by="Sam")
    assert fg.status(rec).participants[0].signed is True  # the reviewer saw it
    done = fg.undo_review(item, by="Dr. Jansen")
    assert done == {"item": item, "status": "review", "undone": "given"}
    assert item in [i.item for i in fg.review_items()]
    person = fg.status(rec).participants[0]
    assert person.clauses == {"recording": Status.REVIEW}
    assert person.signed is not True
    history = fg.history(ann.form_id)["events"]
    statuses = [e["status"] for e in history if e["clause"] == "recording"]
    assert statuses == ["requested", "review", "given", "review"]
    given = next(e for e in history if e["status"] == "given")
    undo = [e for e in history if e["clause"] == "recording"][-1]
    assert undo["detail"] == {"undoes": given["id"], "decision": "given"}
    assert undo["reason"] == "review decision undone"
    with pytest.raises(Conflict):
        fg.undo_review(item, by="Sam")  # once: the decision before it was the reader's
    fg.resolve(item, "refused", by="Sam")
    assert fg.status(rec).participants[0].clauses == {"recording": Status.REFUSED}


def test_the_last_step_confirmation_is_taken_back(fg: Formgen) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Ann")
    with pytest.raises(RecordError, match="nothing to undo"):
        fg.undo_step(rec, "transport", by="Sam")
    fg.confirm_step(rec, "transport", by="Sam")
    undone = fg.undo_step(rec, "transport", by="Sam")
    assert undone["state"] == "open" and undone["confirmed"] is None
    again = fg.confirm_step(rec, "transport", by="Sam")
    assert again["state"] == "done"
    with fg.engine.connect() as conn:
        kinds = [e["kind"] for e in records.recording_log(conn, rec)]
    assert kinds.count("step") == 2 and kinds.count("step_undone") == 1


def test_the_footage_cannot_be_checked_before_the_recording_date(fg: Formgen) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Ann")
    with pytest.raises(RecordError, match="before the recording date"):
        fg.confirm_step(rec, "footage_checked", by="Sam")
    from formgen.aftercare import steps

    done = steps.confirm_step(fg.engine, rec, "footage_checked", "Sam", today=SOON)
    assert done["state"] == "done"


def test_a_destroyed_recording_takes_no_corrections(fg: Formgen) -> None:
    rec = recording(fg)
    ann = fg.add_participant(rec, "Ann")
    fg.confirm_step(rec, "transport", by="Sam")
    fg.destroy(rec, by="Sam")
    for attempt in (
        lambda: fg.remove_participant(ann.id, by="Sam", reason="x"),
        lambda: fg.rename_participant(ann.id, "Anne", by="Sam"),
        lambda: fg.edit_recording(rec, by="Sam", title="Other"),
        lambda: fg.undo_step(rec, "transport", by="Sam"),
    ):
        with pytest.raises(RecordError, match="destroyed"):
            attempt()


def test_corrections_on_the_command_line(js: Callable[..., Any], run: Run, rec: str) -> None:
    ann = js("participant", "add", rec, "--name", "Ane")
    bob = js("participant", "add", rec, "--name", "Bob")
    assert js("participant", "rename", ann["id"], "--name", "Anne", "--by", "Sam")["name"] == "Anne"
    gone = js("participant", "remove", bob["id"], "--by", "Sam")
    assert gone["outcome"] == "deleted"
    assert [p["name"] for p in js("status", rec)["participants"]] == ["Anne"]
    edit = js("recording", "edit", rec, "--title", "Rekenles 6", "--by", "Sam")
    assert edit["after"]["title"] == "Rekenles 6" and edit["reason"] is None
    edit = js("recording", "edit", rec, "--livestream", "--by", "Sam")
    assert edit["reason"] == "live streaming added: new consent needed"
    assert len(edit["issued"]) == 1
    js("checklist", rec, "--confirm", "transport", "--by", "Sam")
    assert js("checklist", rec, "--undo", "transport", "--by", "Sam")["state"] == "open"
    refused = run(
        "review", "undo", f"{edit['issued'][0]['form_id']}:recording", "--by", "S", ok=False
    )
    assert refused.exit_code != 0
    assert "no review decision to undo" in refused.stderr
    assert "Traceback" not in refused.output + refused.stderr
    wrong = run("recording", "edit", rec, "--by", "Sam", ok=False)
    assert wrong.exit_code == 2 and "say what changes" in wrong.stderr
