"""Correcting mistakes: a participant added by mistake, a misspelt name, a recording's
title, date or live stream, and the last review decision taken back.

Each operation is one transaction and leaves a trace in the recording's log or the
form's events, except removing a participant nothing came back for: that one leaves
no personal data behind (the log and the append-only events keep only the IDs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from formgen import config as config_module
from formgen import rules
from formgen.aftercare import lifecycle
from formgen.config import Config
from formgen.errors import checked
from formgen.record import ledger, records, roster, sealing
from formgen.record.records import Conflict, RecordError, Recording
from formgen.record.roster import Participant
from formgen.record.schema import (
    events,
    online_answers,
    online_links,
    participant_addresses,
    participants,
    recordings,
    scan_pages,
)
from formgen.rules import Plan, Status
from formgen.words import N_

REMOVED = "participant_removed"  # recording log: detail {participant, form_id, outcome}
RENAMED = "participant_renamed"  # detail {participant, form_id, before, after}
EDITED = "edited"  # detail {before, after, reason?, invalidated, issued}
REVIEW_UNDONE = rules.REVIEW_UNDONE
AUTHOR = "the author's name"


def _checked(value: str, what: str) -> str:
    return checked(rules.check_name, value, what)


def remove_participant(
    engine: Engine, participant_id: str, *, by: str, reason: str | None = None
) -> dict[str, Any]:
    """Remove a participant added by mistake. While nothing came back for any of their
    forms they are deleted with their forms; otherwise their current form is voided:
    every consent that has not ended becomes ``invalidated`` with the reason, and the
    history stays (a reason is then required)."""
    source = f"manual:{_checked(by, AUTHOR)}"
    with engine.begin() as conn:
        person = roster.get_participant(conn, participant_id)
        recording = records.get_recording(conn, person.recording_id)
        records.refuse_if_destroyed(conn, recording)
        rounds = [
            p.form_id
            for p in roster.list_participants(conn, recording.id, every_round=True)
            if p.id == person.id
        ]
        for form_id in rounds:
            roster.lock_form(conn, form_id)
        history = [
            (Status(s) if c != ledger.SIGNATURE else None)
            for c, s in conn.execute(
                select(events.c.clause, events.c.status).where(events.c.form_id.in_(rounds))
            )
        ]
        scanned = conn.execute(
            select(func.count()).where(scan_pages.c.form_id.in_(rounds))
        ).scalar_one()
        answered = conn.execute(
            select(func.count()).where(online_answers.c.form_id.in_(rounds))
        ).scalar_one()
        statuses = [s for s in history if s is not None]
        outright = None not in history and rules.removable_outright(
            statuses, scanned=bool(scanned), online=bool(answered)
        )
        if outright:
            # The form's request events are append-only and stay, without a name: the
            # participant's row is marked removed, their personal data goes.
            conn.execute(delete(online_links).where(online_links.c.form_id.in_(rounds)))
            conn.execute(
                delete(participant_addresses).where(
                    participant_addresses.c.participant_id == person.id
                )
            )
            conn.execute(
                update(participants)
                .where(participants.c.id == person.id)
                .values(name=None, removed_at=records.now())
            )
            outcome = "deleted"
        else:
            if not reason or not reason.strip():
                raise RecordError(
                    N_("form {form} has answers: say why it is voided (a reason)"),
                    form=person.form_id,
                )
            why = _checked(reason, "reason")
            state = ledger.form_states(conn, [person.form_id])[person.form_id]
            ending = [c for c, s in state.clauses.items() if s not in rules.FINAL]
            if not ending:
                raise Conflict(N_("form {form} has no consent left to void"), form=person.form_id)
            ledger.append_events(
                conn,
                [(person.form_id, c, Status.INVALIDATED) for c in ending],
                source=source,
                reason=f"participant removed: {why}",
                written=True,
            )
            outcome = "voided"
        records.log_event(
            conn,
            recording.id,
            REMOVED,
            source=source,
            detail={"participant": person.id, "form_id": person.form_id, "outcome": outcome},
        )
    return {
        "participant_id": person.id,
        "form_id": person.form_id,
        "recording_id": recording.id,
        "outcome": outcome,
    }


def rename_participant(
    engine: Engine, participant_id: str, name: str, *, by: str
) -> dict[str, Any]:
    """Correct the spelling of a name. The form ID stays; forms printed before show the
    old spelling, so the change is logged with both."""
    source = f"manual:{_checked(by, AUTHOR)}"
    new = _checked(name, "name")
    with engine.begin() as conn:
        person = roster.get_participant(conn, participant_id)
        recording = records.get_recording(conn, person.recording_id)
        records.refuse_if_destroyed(conn, recording)
        if person.name == new:
            raise RecordError(
                N_("the name of {form} is already {name}; nothing changed"),
                form=person.form_id,
                name=repr(new),
            )
        sealed = sealing.seal_name(conn, person.recording_id, person.id, new)
        conn.execute(update(participants).where(participants.c.id == person.id).values(name=sealed))
        records.log_event(
            conn,
            recording.id,
            RENAMED,
            source=source,
            detail={
                "participant": person.id,
                "form_id": person.form_id,
                "before": person.name,
                "after": new,
            },
            proof=("before", "after"),
        )
    return {"participant_id": person.id, "form_id": person.form_id, "name": new}


@dataclass(frozen=True)
class Edit:
    recording: Recording
    before: dict[str, Any]
    reason: str | None  # why new consent was needed (None: it was not)
    invalidated: list[str]
    issued: list[Participant]

    def as_dict(self) -> dict[str, Any]:
        rec = self.recording
        return {
            "id": rec.id,
            "before": self.before,
            "after": _editable(rec),
            "reason": self.reason,
            "invalidated": self.invalidated,
            "issued": [
                {"form_id": p.form_id, "participant_id": p.id, "round": p.round}
                for p in self.issued
            ],
        }


def _editable(recording: Recording) -> dict[str, Any]:
    return {
        "title": recording.title,
        "date": recording.recorded_on.isoformat(),
        "livestream": recording.plan.livestream,
        "livestream_stored": recording.plan.livestream_stored,
        "delete_by": recording.delete_by.isoformat(),
    }


def edit_recording(
    engine: Engine,
    config: Config,
    recording_id: str,
    *,
    by: str,
    title: str | None = None,
    date: dt.date | None = None,
    livestream: bool | None = None,
    livestream_stored: bool | None = None,
) -> Edit:
    """Correct the title, date or live stream. A change the declarations do not cover
    (another date, streaming added, the stream kept) goes through re-consent as a
    purpose change does: open consents end and everyone gets a new declaration."""
    source = f"manual:{_checked(by, AUTHOR)}"
    with engine.begin() as conn:
        old = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, old)
        new_title = _checked(title, "title") if title is not None else old.title
        new_date = old.recorded_on
        if date is not None:
            # a corrected date is a date consent is asked for: never one that passed
            today = config_module.today(config)
            new_date = checked(rules.check_new_recording_date, date, today)
        stream = old.plan.livestream if livestream is None else livestream
        stored = old.plan.livestream_stored if livestream_stored is None else livestream_stored
        if livestream is False and livestream_stored is None:
            stored = False  # no stream, nothing to store
        plan = checked(Plan, old.plan.purpose, old.plan.media, stream, stored, old.plan.view360)
        until = old.delete_by
        if new_date != old.recorded_on:
            until = rules.delete_by(new_date, plan.purpose, config.retention)
        if (new_title, new_date, plan) == (old.title, old.recorded_on, old.plan):
            raise RecordError(
                N_("recording {id} already reads like that; nothing changed"), id=old.id
            )
        reason = rules.edit_reconsent_reason(
            old.recorded_on, old.plan, old.delete_by, new_date, plan, until
        )
        conn.execute(
            update(recordings)
            .where(recordings.c.id == old.id)
            .values(
                title=sealing.seal_recording_names(conn, old.id, {"title": new_title})["title"],
                recorded_on=new_date,
                livestream=plan.livestream,
                livestream_stored=plan.livestream_stored,
                delete_by=until,
            )
        )
        new = records.get_recording(conn, old.id)
        invalidated: list[str] = []
        issued: list[Participant] = []
        if reason is not None:
            invalidated, issued = lifecycle.reconsent(conn, config, new, reason, source)
        before = _editable(old)
        records.log_event(
            conn,
            old.id,
            EDITED,
            source=source,
            detail={
                "before": before,
                "after": _editable(new),
                "reason": reason,
                "invalidated": invalidated,
                "issued": [p.form_id for p in issued],
            },
        )
    return Edit(new, before, reason, invalidated, issued)


def undo_review(engine: Engine, item: str, *, by: str) -> dict[str, Any]:
    """Take the last review decision on ITEM ("FORMID:clause") back: a new event puts
    the clause in review again, naming the decision it undoes; both stay in the
    history. A signature the reviewer recorded as seen is taken back with it."""
    who = _checked(by, AUTHOR)
    form_ref, _, clause = item.partition(":")
    if not clause:
        raise RecordError(N_("review item {item!r} is not FORMID:clause"), item=item)
    with engine.begin() as conn:
        form = roster.get_form(conn, form_ref)
        if clause not in form.clauses:
            raise RecordError(
                N_("form {form} has no clause {clause!r}"), form=form.form_id, clause=clause
            )
        records.refuse_if_destroyed(conn, records.get_recording(conn, form.recording_id))
        roster.lock_form(conn, form.form_id)
        rows = conn.execute(
            select(events.c.id, events.c.form_id, events.c.clause, events.c.status)
            .add_columns(events.c.reason, events.c.at)
            .where(events.c.form_id == form.form_id)
            .order_by(events.c.id)
        ).all()
        clause_rows = [r for r in rows if r.clause == clause]
        history = [
            (Status(r.status), sealing.open_reason(conn, form.recording_id, r._mapping))
            for r in clause_rows
        ]
        if not rules.undoable_review(history):
            raise Conflict(
                N_("{form}:{clause} has no review decision to undo"),
                form=form.form_id,
                clause=clause,
            )
        decision = clause_rows[-1]
        ledger.append_events(
            conn,
            [(form.form_id, clause, Status.REVIEW)],
            source=f"manual:{who}",
            reason=REVIEW_UNDONE,
            detail={"undoes": decision.id, "decision": decision.status},
        )
        signature = [r for r in rows if r.clause == ledger.SIGNATURE]
        if (
            signature
            and signature[-1].id > decision.id
            and signature[-1].reason == "signature seen by the reviewer"
        ):
            earlier = [r for r in signature if r.id < decision.id]
            ledger.append_events(
                conn,
                [(form.form_id, ledger.SIGNATURE, earlier[-1].status if earlier else "unclear")],
                source=f"manual:{who}",
                reason=REVIEW_UNDONE,
                detail={"undoes": signature[-1].id},
            )
    return {
        "item": f"{form.form_id}:{clause}",
        "status": str(Status.REVIEW),
        "undone": decision.status,
    }


def undoable_reviews(engine: Engine, recording_id: str) -> list[str]:
    """The review items ("FORMID:clause") of the recording's current forms whose last
    event is a reviewer's decision that ``undo_review`` can take back."""
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
        people = roster.list_participants(conn, recording.id)
        histories: dict[tuple[str, str], list[tuple[Status, str | None]]] = {}
        rows = conn.execute(
            select(events.c.form_id, events.c.clause, events.c.status, events.c.reason)
            .where(events.c.form_id.in_([p.form_id for p in people]))
            .order_by(events.c.id)
        )
        for form_id, clause, status, reason in rows:
            if clause not in (None, ledger.SIGNATURE):
                histories.setdefault((form_id, clause), []).append((Status(status), reason))
    return [
        f"{form_id}:{clause}"
        for (form_id, clause), history in histories.items()
        if rules.undoable_review(history)
    ]
