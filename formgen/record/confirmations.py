"""Situations 1 and 2: what the institution confirmed, as the student records it (per
person or for the whole group: covered by the institution's consent, not covered, extra
declaration requested; ``rules.Confirmed``).

Each confirmation is an append-only recording event of kind ``institution``; the latest
for a person, or for the group, is the one that counts, and the earlier ones stay in the
log. Its source is the contact who confirmed it and the day
(``institution:<contact>, <date>``, ``Confirmation.source``). The contact's and the
author's names are sealed with the recording's proof key, like the participants' names:
the event's ``source`` column holds only ``institution``, and once the proof retention
ends the names read as None. A confirmation never changes a form: the consent record
reads it beside the forms (``consent_status``, ``rules.appear_with_institution``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from formgen import rules
from formgen.errors import NotFound, RecordError
from formgen.record import records, roster
from formgen.record.schema import recording_events
from formgen.rules import Confirmed
from formgen.words import N_

INSTITUTION = "institution"  # the recording event's kind, and its plain source
SEALED = ("contact", "by")  # the names in the event's detail
# A change that asked everyone again (purpose, retention, date, live stream: the log's
# "changed" and "edited" events with a reason): the institution confirmed consent for
# the recording as it was, so what it said before no longer counts.
RECONSENT_KINDS = (records.CHANGED, "edited")  # "edited": aftercare.corrections.EDITED


@dataclass(frozen=True)
class Confirmation:
    confirmed: Confirmed
    contact: str | None  # None once the proof retention ended (or not opened)
    on: dt.date
    at: str
    participants: tuple[str, ...] | None  # None: the whole group

    @property
    def source(self) -> str:
        return rules.institution_source(self.contact or "-", self.on)

    def as_dict(self) -> dict[str, Any]:
        return {
            "confirmed": str(self.confirmed),
            "for": "group" if self.participants is None else list(self.participants),
            "source": self.source,
            "on": self.on.isoformat(),
            "at": self.at,
        }


@dataclass(frozen=True)
class Confirmations:
    """A recording's confirmations: the latest for the group and for each person."""

    group: Confirmation | None = None
    people: dict[str, Confirmation] = field(default_factory=dict)
    log: list[Confirmation] = field(default_factory=list)

    def of(self, participant_id: str) -> Confirmed | None:
        """What applies to one person (their own confirmation, else the group's)."""
        own = self.people.get(participant_id)
        group = self.group.confirmed if self.group else None
        return rules.confirmation_for(own.confirmed if own else None, group)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group.as_dict() if self.group else None,
            "people": {pid: c.as_dict() for pid, c in self.people.items()},
        }


def _fold(entries: Iterable[Mapping[str, Any]]) -> Confirmations:
    """The confirmations from a recording's ``institution`` events, oldest first; a
    re-consent in between clears them (``RECONSENT_KINDS``)."""
    found = Confirmations()
    for entry in entries:
        detail = entry["detail"] or {}
        if entry["kind"] in RECONSENT_KINDS:
            if detail.get("reason"):
                found = Confirmations()
            continue
        if entry["kind"] != INSTITUTION:
            continue
        at = entry["at"]
        made = Confirmation(
            confirmed=Confirmed(detail["confirmed"]),
            contact=detail.get("contact"),
            on=dt.date.fromisoformat(detail["on"]),
            at=at if isinstance(at, str) else at.isoformat(timespec="seconds"),
            participants=None
            if detail.get("participants") is None
            else tuple(detail["participants"]),
        )
        found.log.append(made)
        if made.participants is None:
            found = Confirmations(made, found.people, found.log)
        else:
            for pid in made.participants:
                found.people[pid] = made
    return found


def of_recording(conn: Connection, recording_id: str) -> Confirmations:
    """One recording's confirmations, the names opened."""
    return _fold(records.recording_log(conn, recording_id))


def of_recordings(conn: Connection, recording_ids: Sequence[str]) -> dict[str, Confirmations]:
    """Many recordings' confirmations in one query, for a list: what was confirmed and
    for whom, the names left sealed (``contact`` None)."""
    rows: dict[str, list[Mapping[str, Any]]] = {r: [] for r in recording_ids}
    if recording_ids:
        for row in conn.execute(
            select(recording_events)
            .where(
                recording_events.c.recording_id.in_(sorted(set(recording_ids))),
                recording_events.c.kind.in_([INSTITUTION, *RECONSENT_KINDS]),
            )
            .order_by(recording_events.c.id)
        ).mappings():
            detail = {k: v for k, v in (row["detail"] or {}).items() if k not in SEALED}
            rows[row["recording_id"]].append(
                {"kind": row["kind"], "at": row["at"], "detail": detail}
            )
    return {rec_id: _fold(entries) for rec_id, entries in rows.items()}


def confirm(
    engine: Engine,
    recording_id: str,
    confirmed: str,
    *,
    contact: str,
    on: dt.date,
    participants: Sequence[str] | None,
    by: str,
    today: dt.date,
) -> dict[str, Any]:
    """Record what the institution confirmed, for ``participants`` (participant IDs of
    the recording's current forms) or, None, for the whole group."""
    try:
        who = rules.check_name(by, "the author's name")
    except ValueError as exc:
        raise RecordError.of(exc) from exc
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        answer, contact, on = rules.check_confirmation(
            recording.situation, confirmed, contact, on, today
        )
        chosen: list[str] | None = None
        if participants is not None:
            known = {p.id for p in roster.list_participants(conn, recording.id)}
            chosen = list(dict.fromkeys(p.strip().upper() for p in participants))
            if not chosen:
                raise RecordError(N_("choose whom the institution's answer is about"))
            unknown = [p for p in chosen if p not in known]
            if unknown:
                raise NotFound(
                    N_("no participant {participant} in recording {id}"),
                    participant=repr(unknown[0]),
                    id=recording.id,
                )
        records.log_event(
            conn,
            recording.id,
            INSTITUTION,
            source=INSTITUTION,
            detail={
                "confirmed": str(answer),
                "participants": chosen,
                "contact": contact,
                "on": on.isoformat(),
                "by": who,
            },
            proof=SEALED,
        )
    return {
        "id": recording.id,
        "confirmed": str(answer),
        "for": "group" if chosen is None else chosen,
        "source": rules.institution_source(contact, on),
    }
