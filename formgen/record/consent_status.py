"""A recording's consent record as people read it: each participant's clauses, who must
not appear in which activity, the camera advice, a form's history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from formgen import rules
from formgen.record import confirmations, ledger, records, roster, sealing
from formgen.record.confirmations import Confirmations
from formgen.record.ledger import FormState
from formgen.record.records import Recording
from formgen.record.roster import Participant
from formgen.record.schema import events, forms, participants, recording_events
from formgen.rules import Status


def form_events(engine: Engine, form_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        form = roster.get_form(conn, form_id)
        rows = conn.execute(
            select(events).where(events.c.form_id == form.form_id).order_by(events.c.id)
        ).mappings()
        return [
            {
                **row,
                "reason": sealing.open_reason(conn, form.recording_id, row),
                "source": sealing.open_event_source(conn, form.recording_id, row),
                "at": row["at"].isoformat(timespec="seconds"),
            }
            for row in rows
        ]


@dataclass(frozen=True)
class PersonStatus:
    id: str
    name: str | None
    form_id: str
    under_16: bool
    lang: str
    signed: bool | None
    round: int
    clauses: dict[str, Status]
    number: int = 0  # 1, 2, ...: "participant 3" once the names are erased
    # Situations 1 and 2: what the institution confirmed of them (or of the group)
    confirmed: rules.Confirmed | None = None

    @classmethod
    def of(
        cls, person: Participant, state: FormState, confirmed: rules.Confirmed | None = None
    ) -> PersonStatus:
        return cls(
            confirmed=confirmed,
            number=person.position + 1,
            id=person.id,
            name=person.name,
            form_id=person.form_id,
            under_16=person.under_16,
            lang=person.lang,
            signed=state.signed,
            round=person.round,
            clauses=dict(state.clauses),
        )

    @property
    def may_appear(self) -> bool:
        """In every activity of the recording."""
        allowed = self.may_appear_in
        return bool(allowed) and all(allowed.values())

    @property
    def may_appear_in(self) -> dict[str, bool]:
        """Per activity (``recording``, ``livestream``, ``360``): each its own choice; in
        frame also where the institution's consent covers a form that says nothing."""
        return rules.appear_with_institution(self.clauses, self.signed, self.confirmed)

    @property
    def kept_out_of(self) -> list[str]:
        return [clause for clause, ok in self.may_appear_in.items() if not ok]

    @property
    def blank_out(self) -> bool:
        """A blank form (its name is written on the paper) of which nothing came back:
        it stands for no one yet."""
        return (
            self.name is None
            and self.signed is None
            and bool(self.clauses)
            and all(s is Status.REQUESTED for s in self.clauses.values())
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "form_id": self.form_id,
            "under_16": self.under_16,
            "lang": self.lang,
            "signed": self.signed,
            "round": self.round,
            "clauses": {k: str(v) for k, v in self.clauses.items()},
            "may_appear": self.may_appear_in,
            "institution": str(self.confirmed) if self.confirmed else None,
        }


@dataclass(frozen=True)
class ConsentStatus:
    """A recording's consent record as docs/contract.md prints it (``as_dict``)."""

    recording: Recording
    destroyed: dict[str, str] | None  # {"at", "by"}
    camera: rules.CameraAdvice
    participants: list[PersonStatus]
    proof_erased: str | None = None  # when the proof retention ended and names went
    institution: Confirmations = field(default_factory=Confirmations)  # situations 1, 2

    @property
    def must_not_appear(self) -> list[PersonStatus]:
        """Whoever must be kept out of at least one activity (``kept_out_of`` says which)."""
        return [p for p in self.participants if not p.may_appear]

    def kept_out_of(self, activity: str) -> list[PersonStatus]:
        """Who must not appear in one activity: not in frame (``recording``), not during
        the live stream, not with the 360-degree camera."""
        return [p for p in self.participants if activity in p.kept_out_of]

    def as_dict(self) -> dict[str, Any]:
        rec, advice = self.recording, self.camera
        return {
            "id": rec.id,
            "title": rec.title,
            "date": rec.recorded_on.isoformat(),
            "purpose": str(rec.plan.purpose),
            "delete_by": rec.delete_by.isoformat(),
            "destroyed": self.destroyed,
            "proof_erased": self.proof_erased,
            "camera_advice": str(advice.level),
            "camera": {
                "level": str(advice.level),
                "allow_360": advice.allow_360,
                "consented": advice.consented,
                "present": advice.present,
            },
            "participants": [p.as_dict() for p in self.participants],
            "institution": self.institution.as_dict(),
            "must_not_appear": [
                {
                    "id": p.id,
                    "name": p.name,
                    "form_id": p.form_id,
                    "not_in": p.kept_out_of,
                    "reasons": rules.blocking_clauses(p.clauses, p.signed),
                }
                for p in self.must_not_appear
            ],
            "withdrawn": [
                {
                    "id": p.id,
                    "form_id": p.form_id,
                    "clauses": [k for k, v in p.clauses.items() if v is Status.WITHDRAWN],
                    "action": "nothing: the recording was destroyed"
                    if self.destroyed
                    else f"edit recording {rec.id} to remove this person, or destroy it",
                }
                for p in self.participants
                if Status.WITHDRAWN in p.clauses.values()
            ],
        }


def status(
    db: Engine | Connection, recording_id: str, today: dt.date | None = None
) -> ConsentStatus:
    """The recording's consent record. Past the deletion date every consent that has
    not ended shows as expired."""
    with records.connection(db) as conn:
        recording = records.get_recording(conn, recording_id)
        people = roster.list_participants(conn, recording.id)
        states = ledger.form_states(conn, [p.form_id for p in people])
        gone = records.destroyed(conn, recording.id)
        erased = [
            e
            for e in records.recording_log(conn, recording.id)
            if e["kind"] == records.PROOF_ERASED
        ]
        confirmed = confirmations.of_recording(conn, recording.id)
    return _consent_status(
        recording, people, states, gone, today, erased[0]["at"] if erased else None, confirmed
    )


def statuses(
    db: Engine | Connection, chosen: Iterable[Recording], today: dt.date | None = None
) -> dict[str, ConsentStatus]:
    """``status`` of many recordings at once, in a few queries (a list of recordings)."""
    found: dict[str, ConsentStatus] = {}
    chosen = list(chosen)
    with records.connection(db) as conn:
        for start in range(0, len(chosen), 200):  # bounded IN lists
            batch = {r.id: r for r in chosen[start : start + 200]}
            rows = conn.execute(
                roster.with_proof_key(
                    select(*roster.PARTICIPANT_COLUMNS).join(
                        forms, forms.c.participant_id == participants.c.id
                    )
                )
                .where(
                    participants.c.recording_id.in_(sorted(batch)),
                    participants.c.removed_at.is_(None),
                )
                .order_by(participants.c.position, forms.c.round)
            ).mappings()
            latest: dict[str, Participant] = {}
            for row in rows:
                latest[row["id"]] = roster.person_from_row(conn, row)  # the last round wins
            people: dict[str, list[Participant]] = defaultdict(list)
            for person in latest.values():
                people[person.recording_id].append(person)
            states = ledger.form_states(conn, [p.form_id for p in latest.values()])
            ended, erased = {}, {}
            for e in conn.execute(
                select(recording_events)
                .where(
                    recording_events.c.recording_id.in_(sorted(batch)),
                    recording_events.c.kind.in_([records.DESTROYED, records.PROOF_ERASED]),
                )
                .order_by(recording_events.c.id.desc())
            ).mappings():
                (ended if e["kind"] == records.DESTROYED else erased)[e["recording_id"]] = e
            confirmed = confirmations.of_recordings(conn, sorted(batch))
            for rec_id, recording in batch.items():
                event = ended.get(rec_id)
                gone = event and {
                    "at": event["at"].isoformat(timespec="seconds"),
                    "source": sealing.open_log_source(conn, event),
                }
                found[rec_id] = _consent_status(
                    recording,
                    people[rec_id],
                    {p.form_id: states[p.form_id] for p in people[rec_id]},
                    gone,
                    today,
                    erased[rec_id]["at"].isoformat(timespec="seconds")
                    if rec_id in erased
                    else None,
                    confirmed[rec_id],
                )
    return found


def _consent_status(
    recording: Recording,
    people: list[Participant],
    states: dict[str, FormState],
    gone: Mapping[str, Any] | None,
    today: dt.date | None,
    proof_erased: str | None = None,
    confirmed: Confirmations | None = None,
) -> ConsentStatus:
    if (today or dt.date.today()) > recording.delete_by:
        for state in states.values():
            state.clauses = {
                k: v if v in rules.FINAL else Status.EXPIRED for k, v in state.clauses.items()
            }
    confirmed = confirmed or Confirmations()
    listed = [
        PersonStatus.of(person, states[person.form_id], confirmed.of(person.id))
        for person in people
        if not states[person.form_id].discarded  # a blank form no one used is no one
    ]
    # The camera set-up follows the recording's own answers and, in situations 1 and 2,
    # what the institution confirmed; the 360-degree camera its own. An institution's
    # blank form of which nothing came back stands for no one yet: not counted.
    institution = rules.consent_collector(recording.situation) == "institution"
    counted = [p for p in listed if not (institution and p.blank_out)]
    appear = [p.may_appear_in for p in counted]
    in_frame = [a.get(str(rules.Clause.RECORDING), False) for a in appear]
    wide = rules.allow_360(appear) if recording.plan.view360 else None
    through = any(
        ok and p.clauses.get(str(rules.Clause.RECORDING)) is not Status.GIVEN
        for p, ok in zip(counted, in_frame, strict=True)
    )
    group = confirmed.group.confirmed if confirmed.group else None
    return ConsentStatus(
        recording=recording,
        destroyed=gone and {"at": gone["at"], "by": gone["source"].removeprefix("manual:")},
        camera=rules.institution_camera_advice(in_frame, group, wide, through_institution=through),
        participants=listed,
        proof_erased=proof_erased,
        institution=confirmed,
    )
