"""A form's append-only events and their fold into its current state: the write API the
other modules use (``append_events``), each event checked against the lifecycle in
``rules.transition``. A clause's status is never stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from formgen import rules
from formgen.errors import RecordError
from formgen.record import records, sealing
from formgen.record.schema import events, forms, participants
from formgen.rules import Status
from formgen.words import N_

SIGNATURE = "signature"  # pseudo-clause for events about the form's signature


@dataclass
class FormState:
    clauses: dict[str, Status]
    signed: bool | None = None
    reasons: dict[str, str | None] = field(default_factory=dict)
    discarded: bool = False  # an unused blank form, until anything of it comes back


def form_states(conn: Connection, form_ids: Iterable[str]) -> dict[str, FormState]:
    """Fold each form's events, oldest first, into its current state."""
    ids = list(form_ids)
    states: dict[str, FormState] = defaultdict(lambda: FormState({}))
    rows = conn.execute(
        select(events.c.form_id, events.c.clause, events.c.status, events.c.reason, events.c.at)
        .where(events.c.form_id.in_(ids))
        .order_by(events.c.id)
    )
    owners: dict[str, str] | None = None
    for form_id, clause, status, reason, at in rows:
        if reason is not None and reason.startswith(sealing.TEXT_PREFIX):  # a person's words
            owners = owners if owners is not None else recordings_of_forms(conn, ids)
            event = {"form_id": form_id, "clause": clause, "status": status, "at": at}
            reason = sealing.open_reason(conn, owners[form_id], {**event, "reason": reason})
        state = states[form_id]
        if clause == SIGNATURE:
            state.signed = status == "signed"
            state.discarded = False
        elif clause is not None:
            state.clauses[clause] = Status(status)
            state.reasons[clause] = reason
            state.discarded = False
        elif status == records.DISCARDED:
            state.discarded = True
    return {form_id: states[form_id] for form_id in ids}


def append_events(
    conn: Connection,
    changes: Iterable[tuple[str, str | None, str]],
    *,
    source: str,
    reason: str | None = None,
    reasons: Mapping[str | None, str | None] | None = None,
    detail: Mapping[str, Any] | None = None,
    written: bool = False,
    states: dict[str, FormState] | None = None,
) -> int:
    """Append events after checking each against the lifecycle; ``reasons`` gives a
    clause its own reason instead of ``reason``. One query for the current states and
    one insert for all events: a scanned page appends several at once. ``written``: the
    reason was written by a person, so it is sealed with the recording's data key.
    ``states``: the forms' states as the caller read them in this transaction (not read
    again; updated here as the events are)."""
    changes = list(changes)
    if not changes:
        return 0
    if states is None:
        states = form_states(conn, {form_id for form_id, _, _ in changes})
    stamp = records.now()
    rows = []
    for form_id, clause, status in changes:
        if clause not in (None, SIGNATURE):
            current = states[form_id].clauses.get(clause)
            if current is not None:
                try:
                    rules.transition(current, Status(status))
                except rules.TransitionError as exc:
                    raise RecordError(
                        N_("{form_id} {clause}: {exc}"), form_id=form_id, clause=clause, exc=exc
                    ) from exc
            states[form_id].clauses[clause] = Status(status)
        rows.append(
            {
                "form_id": form_id,
                "clause": clause,
                "status": str(status),
                "at": stamp,
                "source": source,
                "reason": (reasons or {}).get(clause, reason),
                "detail": dict(detail) if detail else None,
            }
        )
    if written or source.startswith(sealing.MANUAL):
        owners = recordings_of_forms(conn, {row["form_id"] for row in rows})
        for row in rows:
            if written:
                sealing.seal_reason(conn, owners[row["form_id"]], row)
            sealing.seal_event_source(conn, owners[row["form_id"]], row)
    conn.execute(events.insert(), rows)
    return len(changes)


def recordings_of_forms(conn: Connection, form_ids: Iterable[str]) -> dict[str, str]:
    """The recording of each form (whose keys seal what the form's events hold)."""
    ids = sorted(set(form_ids))
    rows = conn.execute(
        select(forms.c.id, participants.c.recording_id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(forms.c.id.in_(ids))
    )
    return dict(rows.all())
