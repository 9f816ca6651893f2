"""The participants of a recording and their declaration forms: adding people, issuing a
form (a fresh ID each round), and finding a form or a person again, names opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select

from formgen import rules
from formgen.errors import NotFound, RecordError
from formgen.record import ledger, records, sealing
from formgen.record.formid import FormIdError, new_form_id, normalise
from formgen.record.records import Recording
from formgen.record.schema import forms, participants, sealed_keys
from formgen.rules import Status
from formgen.words import N_


@dataclass(frozen=True)
class Participant:
    id: str
    recording_id: str
    name: str | None
    under_16: bool
    lang: str
    form_id: str
    variant: str
    clauses: list[str] = field(default_factory=list)
    round: int = 1  # 2 and up: a re-consent after the purpose or retention changed
    position: int = 0  # the place in the recording's list, from 0 ("participant 1")


def add_participants(
    db: Engine | Connection,
    recording_id: str,
    names: Iterable[str | None],
    *,
    under_16: bool | Sequence[bool] = False,
    lang: str | None = None,
) -> list[Participant]:
    """Add participants, each with a declaration form whose ID is fixed from now on.
    A name of None is a blank form whose name is written on the paper. ``under_16``:
    for all of them, or one per name (a pasted class list with a marker per line)."""
    checked: list[str | None] = []
    try:
        for name in names:
            checked.append(None if name is None else rules.check_name(name))
    except ValueError as exc:
        raise RecordError.of(exc) from exc
    added = []
    with records.transaction(db) as conn:
        added = _insert_participants(conn, recording_id, checked, under_16, lang)
    return added


def _insert_participants(
    conn: Connection,
    recording_id: str,
    checked: list[str | None],
    under_16: bool | Sequence[bool],
    lang: str | None,
) -> list[Participant]:
    added = []
    young = [under_16] * len(checked) if isinstance(under_16, bool) else list(under_16)
    if len(young) != len(checked):
        raise RecordError(N_("one under-16 marker per name"))
    recording = records.get_recording(conn, recording_id)
    language = lang or recording.lang
    records.check_lang(language)
    records.refuse_if_destroyed(conn, recording)
    # After the last one: a participant removed by mistake leaves a gap, not a free place.
    position = conn.execute(
        select(func.coalesce(func.max(participants.c.position) + 1, 0)).where(
            participants.c.recording_id == recording.id
        )
    ).scalar_one()
    stamp = records.now()
    for offset, (name, minor) in enumerate(zip(checked, young, strict=True)):
        person = Participant(
            id=records.new_id("P"),
            recording_id=recording.id,
            name=name,
            under_16=minor,
            lang=language,
            form_id="",
            variant="parent" if minor else "adult",
            position=position + offset,
        )
        conn.execute(
            participants.insert().values(
                id=person.id,
                recording_id=person.recording_id,
                position=position + offset,
                name=sealing.seal_name(conn, recording.id, person.id, name),
                under_16=minor,
                lang=language,
                created_at=stamp,
            )
        )
        added.append(issue_form(conn, recording, person, 1, "declaration issued"))
    return added


def issue_form(
    conn: Connection, recording: Recording, person: Participant, round_: int, reason: str
) -> Participant:
    """A new declaration form for a participant: a fresh ID, the recording's current
    clauses, purpose and deletion date, every clause requested."""
    clauses = [str(c) for c in rules.clauses_for(recording.plan)]
    form_id = _unused_form_id(conn)
    conn.execute(
        forms.insert().values(
            id=form_id,
            participant_id=person.id,
            variant=person.variant,
            lang=person.lang,
            clauses=clauses,
            created_at=records.now(),
            round=round_,
            purpose=str(recording.plan.purpose),
            delete_by=recording.delete_by,
        )
    )
    ledger.append_events(
        conn, [(form_id, c, Status.REQUESTED) for c in clauses], source="formgen", reason=reason
    )
    return Participant(
        id=person.id,
        recording_id=person.recording_id,
        name=person.name,
        under_16=person.under_16,
        lang=person.lang,
        form_id=form_id,
        variant=person.variant,
        clauses=clauses,
        round=round_,
        position=person.position,
    )


def _unused_form_id(conn: Connection) -> str:
    while True:
        candidate = new_form_id()
        if conn.execute(select(forms.c.id).where(forms.c.id == candidate)).first() is None:
            return candidate


PARTICIPANT_COLUMNS = (
    participants.c.id,
    participants.c.recording_id,
    participants.c.name,
    participants.c.under_16,
    participants.c.lang,
    forms.c.id.label("form_id"),
    forms.c.variant,
    forms.c.clauses,
    forms.c.round,
    participants.c.position,
    sealed_keys.c.wrapped.label("proof_key"),  # to open the name without another query
)


def with_proof_key(query: Any) -> Any:
    return query.outerjoin(
        sealed_keys,
        and_(sealed_keys.c.owner == participants.c.recording_id, sealed_keys.c.kind == "proof"),
    )


def person_from_row(conn: Connection, row: Mapping[str, Any]) -> Participant:
    """A participant from a row of ``PARTICIPANT_COLUMNS``, the name opened."""
    values = dict(row)
    wrapped, name = values.pop("proof_key"), values["name"]
    if name is not None and name.startswith(sealing.TEXT_PREFIX):
        key = sealing.known_key(conn, values["recording_id"], sealing.PROOF, wrapped)
        values["name"] = sealing.open_with(key, ("participants", values["id"], "name"), name)
    return Participant(**values)


def list_participants(
    conn: Connection, recording_id: str, *, every_round: bool = False
) -> list[Participant]:
    """The recording's participants, each with the current form (the latest round);
    with ``every_round`` one entry per form ever issued, oldest round first."""
    rows = conn.execute(
        with_proof_key(
            select(*PARTICIPANT_COLUMNS).join(forms, forms.c.participant_id == participants.c.id)
        )
        .where(participants.c.recording_id == recording_id, participants.c.removed_at.is_(None))
        .order_by(participants.c.position, forms.c.round)
    ).mappings()
    people = [person_from_row(conn, row) for row in rows]
    if every_round:
        return people
    current = {p.id: p for p in people}  # the last round wins
    return [p for p in people if current[p.id] is p]


def lock_form(conn: Connection, form_id: str) -> None:
    """Hold the form's row until the transaction ends, so that two writers deciding on
    the same form (two scans, a scan and a person) take turns on PostgreSQL. SQLite's
    write transactions take turns already (and ignore FOR UPDATE)."""
    conn.execute(select(forms.c.id).where(forms.c.id == form_id).with_for_update())


def get_participant(conn: Connection, participant_id: str) -> Participant:
    """A participant with their current form."""
    row = conn.execute(
        select(participants.c.recording_id).where(
            participants.c.id == participant_id.strip().upper()
        )
    ).scalar()
    for person in list_participants(conn, row) if row else ():
        if person.id == participant_id.strip().upper():
            return person
    raise NotFound(
        N_("no participant {participant_id!r} in this record"), participant_id=participant_id
    )


def get_form(conn: Connection, form_id: str) -> Participant:
    try:
        canonical = normalise(form_id)
    except FormIdError as exc:
        raise RecordError.of(exc) from exc
    row = (
        conn.execute(
            with_proof_key(
                select(*PARTICIPANT_COLUMNS, participants.c.removed_at).join(
                    forms, forms.c.participant_id == participants.c.id
                )
            ).where(forms.c.id == canonical)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(N_("no form {canonical} in this record"), canonical=canonical)
    if row["removed_at"] is not None:  # added by mistake: nothing of it may land now
        raise NotFound(N_("form {form} was removed from its recording"), form=canonical)
    return person_from_row(conn, {k: v for k, v in row.items() if k != "removed_at"})
