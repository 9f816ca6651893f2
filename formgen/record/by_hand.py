"""What a person records on a form by hand: a decision (also how a reviewer settles what
the reader could not), a withdrawal, and forms that never came back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select

from formgen import rules
from formgen.errors import Conflict, NotFound, RecordError
from formgen.record import ledger, records, roster
from formgen.record.schema import events, forms
from formgen.rules import Status
from formgen.words import N_


def set_consent(
    db: Engine | Connection,
    form_id: str,
    clause: str,
    status: str,
    *,
    by: str,
    reason: str,
    written: bool = True,
) -> None:
    """A decision by hand (also how a reviewer settles what the reader could not)."""
    try:
        new = Status(status)
        by = rules.check_name(by, "the author's name")
        reason = rules.check_name(reason, "reason")
    except ValueError as exc:
        raise RecordError.of(exc) from exc
    if new not in (Status.GIVEN, Status.REFUSED, Status.NO_ANSWER, Status.WITHDRAWN):
        raise RecordError(N_("a decision by hand is given, refused, no_answer or withdrawn"))
    with records.transaction(db) as conn:
        form = roster.get_form(conn, form_id)
        if clause not in form.clauses:
            raise RecordError(
                N_("form {form} has no clause {clause!r} (it has {clauses})"),
                form=form.form_id,
                clause=clause,
                clauses=", ".join(form.clauses),
            )
        if new is Status.WITHDRAWN and not _given_before_review(conn, form.form_id, clause):
            raise RecordError(
                N_("{form} {clause}: only a given consent can be withdrawn"),
                form=form.form_id,
                clause=clause,
            )
        ledger.append_events(
            conn,
            [(form.form_id, clause, new)],
            source=f"manual:{by}",
            reason=reason,
            written=written,
        )


def _given_before_review(conn: Connection, form_id: str, clause: str) -> bool:
    """Whether the clause is in review after having been given (an unclear withdrawal
    form): only then may a reviewer record a withdrawal."""
    history = [
        Status(s)
        for (s,) in conn.execute(
            select(events.c.status)
            .where(events.c.form_id == form_id, events.c.clause == clause)
            .order_by(events.c.id)
        )
    ]
    if not history or history[-1] is not Status.REVIEW:
        return False
    before = [s for s in history if s is not Status.REVIEW]
    return bool(before) and before[-1] is Status.GIVEN


def withdraw(
    engine: Engine, form_id: str, *, by: str, clause: str | None = None, reason: str | None = None
) -> list[str]:
    """Withdrawal, as easy as giving: every given clause of the form (or the one named)
    becomes withdrawn. Returns the clauses withdrawn."""
    try:
        by = rules.check_name(by, "the author's name")
        written = bool(reason)
        reason = rules.check_name(reason, "reason") if reason else "withdrawn by the person"
    except ValueError as exc:
        raise RecordError.of(exc) from exc
    with engine.begin() as conn:
        form = roster.get_form(conn, form_id)
        state = ledger.form_states(conn, [form.form_id])[form.form_id]
        if clause is not None and clause not in form.clauses:
            raise RecordError(
                N_("form {form} has no clause {clause!r}"), form=form.form_id, clause=clause
            )
        wanted = [clause] if clause else form.clauses
        given = [c for c in wanted if state.clauses.get(c) is Status.GIVEN]
        if not given:
            raise Conflict(N_("form {form} has no given consent to withdraw"), form=form.form_id)
        ledger.append_events(
            conn,
            [(form.form_id, c, Status.WITHDRAWN) for c in given],
            source=f"manual:{by}",
            reason=reason,
            written=written,
        )
    return given


def close_unreturned(
    engine: Engine,
    recording_id: str,
    *,
    by: str,
    participant_ids: Sequence[str] | None = None,
    today: dt.date,
) -> dict[str, Any]:
    """Close the forms that never came back, after their return date: a named person's
    clauses become no_answer ("not returned: no consent"), an unused blank form is
    discarded (its clauses no_answer too, and it no longer counts as a participant).
    ``participant_ids`` None: every open form whose return date has come; otherwise
    exactly those, each refused with its reason if it cannot be closed. A form that
    comes back later still lands: in review, never as consent."""
    try:
        who = rules.check_name(by, "the author's name")
    except ValueError as exc:
        raise RecordError.of(exc) from exc
    source = f"not_returned:{who}"
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        people = roster.list_participants(conn, recording.id)
        if participant_ids is not None:
            known = {p.id: p for p in people}
            unknown = [p for p in participant_ids if p not in known]
            if unknown:
                raise NotFound(
                    N_("no participant {participant!r} in recording {recording}"),
                    participant=unknown[0],
                    recording=recording.id,
                )
            people = [known[p] for p in dict.fromkeys(participant_ids)]
        if people:
            for form_id in sorted(p.form_id for p in people):
                roster.lock_form(conn, form_id)  # a scan landing meanwhile waits, then wins
        issued = dict(
            conn.execute(
                select(forms.c.id, forms.c.created_at).where(
                    forms.c.id.in_([p.form_id for p in people])
                )
            ).all()
        )
        states = ledger.form_states(conn, [p.form_id for p in people])
        closed: list[str] = []
        discarded: list[str] = []
        changes: list[tuple[str, str | None, str]] = []
        blank_changes: list[tuple[str, str | None, str]] = []
        refusals: list[RecordError] = []
        for person in people:
            state = states[person.form_id]
            if state.discarded:
                continue
            back_by = rules.return_before(recording.recorded_on, issued[person.form_id].date())
            try:
                wanted = rules.unreturned_clauses(state.clauses, back_by, today, person.form_id)
            except RecordError as exc:
                refusals.append(exc)
                continue
            target = blank_changes if person.name is None else changes
            target += [(person.form_id, c, Status.NO_ANSWER) for c in wanted]
            if person.name is None:
                target.append((person.form_id, None, records.DISCARDED))
                discarded.append(person.form_id)
            else:
                closed.append(person.form_id)
        if participant_ids is not None and refusals:
            raise Conflict.of(refusals[0])
        if not closed and not discarded:
            raise Conflict(
                N_("recording {id} has no form to close: none is unreturned past its return date"),
                id=recording.id,
            )
        ledger.append_events(conn, changes, source=source, reason=rules.NOT_RETURNED)
        ledger.append_events(conn, blank_changes, source=source, reason=rules.BLANK_UNUSED)
    return {"id": recording.id, "closed": closed, "discarded": discarded}
