"""The consent record as a library: recordings, participants, forms and their events.

Every function takes an Engine and runs in one transaction. The current status of a
clause is never stored: it is the fold of the form's append-only events, each of which
was checked against the lifecycle in ``rules.transition`` when it was appended.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, func, select

from formgen import config as config_module
from formgen import rules
from formgen.config import Config
from formgen.documents.formid import ALPHABET, FormIdError, new_form_id, normalise
from formgen.errors import Conflict, NotFound, RecordError
from formgen.record import sealing
from formgen.record.schema import (
    documents,
    events,
    forms,
    participants,
    recording_events,
    recording_people,
    recordings,
    sealed_keys,
)
from formgen.rules import Media, Plan, Purpose, Situation, Status
from formgen.words import N_

LANGS = ("nl", "en")
SIGNATURE = "signature"  # pseudo-clause for events about the form's signature


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def new_id(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


# --- Recordings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    id: str
    title: str
    student: str
    supervisor: str
    situation: Situation
    institution: str | None
    recorded_on: dt.date
    plan: Plan
    lang: str
    delete_by: dt.date

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Recording:
        plan = Plan(
            purpose=Purpose(row["purpose"]),
            media=Media(row["media"]),
            livestream=row["livestream"],
            livestream_stored=row["livestream_stored"],
            view360=row["view360"],
        )
        return cls(
            id=row["id"],
            title=row["title"],
            student=row["student"],
            supervisor=row["supervisor"],
            situation=Situation(row["situation"]),
            institution=row["institution"],
            recorded_on=row["recorded_on"],
            plan=plan,
            lang=row["lang"],
            delete_by=row["delete_by"],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "student": self.student,
            "supervisor": self.supervisor,
            "situation": int(self.situation),
            "institution": self.institution,
            "date": self.recorded_on.isoformat(),
            "media": str(self.plan.media),
            "purpose": str(self.plan.purpose),
            "livestream": self.plan.livestream,
            "livestream_stored": self.plan.livestream_stored,
            "360": self.plan.view360,
            "lang": self.lang,
            "delete_by": self.delete_by.isoformat(),
            "clauses": [str(c) for c in rules.clauses_for(self.plan)],
        }


def create_recording(
    engine: Engine,
    config: Config,
    *,
    title: str,
    student: str,
    supervisor: str,
    situation: str,
    purpose: str,
    recorded_on: dt.date,
    institution: str | None = None,
    media: str = "both",
    livestream: bool = False,
    livestream_stored: bool = False,
    view360: bool = False,
    lang: str = "nl",
    owner_id: str | None = None,
    supervisor_id: str | None = None,
) -> Recording:
    try:
        plan = Plan(Purpose(purpose), Media(media), livestream, livestream_stored, view360)
        situation_ = Situation(str(situation))
        rules.check_new_recording_date(recorded_on, config_module.today(config))
        values = {
            "title": rules.check_name(title, "title"),
            "student": rules.check_name(student, "student"),
            "supervisor": rules.check_name(supervisor, "supervisor"),
            "institution": rules.check_name(institution, "institution") if institution else None,
        }
    except ValueError as exc:
        raise RecordError.of(exc) from exc
    if situation_ is not Situation.OUTSIDE and not values["institution"]:
        raise RecordError(
            N_("situation {n} takes place at an institution: name the institution"),
            n=str(situation_),
        )
    _check_lang(lang)
    until = rules.delete_by(recorded_on, plan.purpose, config.retention)
    try:
        rules.check_deletion_date(until, config_module.today(config))
    except ValueError as exc:
        raise RecordError.of(exc) from exc
    row = {
        "id": new_id("R"),
        **values,
        "situation": str(situation_),
        "recorded_on": recorded_on,
        "media": str(plan.media),
        "purpose": str(plan.purpose),
        "livestream": plan.livestream,
        "livestream_stored": plan.livestream_stored,
        "view360": plan.view360,
        "lang": lang,
        "delete_by": until,
        "created_at": now(),
    }
    with engine.begin() as conn:
        sealing.new_recording_keys(conn, row["id"])
        conn.execute(
            recordings.insert().values(**sealing.seal_recording_names(conn, row["id"], row))
        )
        if owner_id or supervisor_id:  # made in the service: whose it is
            conn.execute(
                recording_people.insert().values(
                    recording_id=row["id"], owner_id=owner_id, supervisor_id=supervisor_id
                )
            )
    return Recording.from_row(row)


def people_of(db: Engine | Connection, recording_id: str) -> tuple[str | None, str | None]:
    """The accounts of the recording's student and supervisor (None: made outside the
    service, or not named)."""
    with connection(db) as conn:
        row = conn.execute(
            select(recording_people.c.owner_id, recording_people.c.supervisor_id).where(
                recording_people.c.recording_id == recording_id
            )
        ).first()
    return (row.owner_id, row.supervisor_id) if row else (None, None)


def people_of_all(db: Engine | Connection) -> dict[str, tuple[str | None, str | None]]:
    """``people_of`` for every recording made in the service, in one query."""
    with connection(db) as conn:
        rows = conn.execute(
            select(
                recording_people.c.recording_id,
                recording_people.c.owner_id,
                recording_people.c.supervisor_id,
            )
        )
        return {rec: (owner, supervisor) for rec, owner, supervisor in rows}


def get_recording(conn: Connection | Engine, recording_id: str) -> Recording:
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return get_recording(c, recording_id)
    row = (
        conn.execute(
            _with_recording_key(select(recordings, sealed_keys.c.wrapped.label("proof_key"))).where(
                recordings.c.id == recording_id.strip().upper()
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no recording {recording_id!r}")
    return _recording_of(conn, row)


def _with_recording_key(query: Any) -> Any:
    """The recording's proof key with its row: its title and names open without
    another query."""
    return query.outerjoin(
        sealed_keys, and_(sealed_keys.c.owner == recordings.c.id, sealed_keys.c.kind == "proof")
    )


def _recording_of(conn: Connection, row: Mapping[str, Any]) -> Recording:
    sealing.known_key(conn, row["id"], sealing.PROOF, row["proof_key"])
    return Recording.from_row(sealing.open_recording_names(conn, row))


def list_recordings(engine: Engine) -> list[Recording]:
    with engine.connect() as conn:
        rows = conn.execute(
            _with_recording_key(
                select(recordings, sealed_keys.c.wrapped.label("proof_key"))
            ).order_by(recordings.c.created_at)
        ).mappings()
        return [_recording_of(conn, row) for row in rows]


# --- What happens to a recording as a whole --------------------------------------------

# Kinds of recording events.
CHANGED = "changed"  # purpose or retention changed (lifecycle.change_recording)
REMINDED = "reminded"  # reminder letters written (documents.write_reminders)
DESTROYED = "destroyed"
# The proof retention after the destruction ended: what was personal is erased
# (lifecycle.erase_proof); the participants are "participant 1", "participant 2", ...
PROOF_ERASED = "proof_erased"
DISCARDED = "discarded"  # a form-wide event (no clause): an unused blank form
INVITED = "invited"  # invitations to answer online sent (Formgen.invite)


def log_event(
    conn: Connection,
    recording_id: str,
    kind: str,
    *,
    source: str,
    detail: Mapping[str, Any] | None = None,
    proof: Iterable[str] = (),
) -> None:
    """``proof``: the keys of ``detail`` that hold names (a name corrected): sealed with
    the recording's proof key."""
    stamp = now()
    detail = dict(detail) if detail else None
    for key in proof:
        if detail is not None and detail.get(key) is not None:
            where = _log_where(recording_id, kind, stamp, key)
            detail[key] = sealing.seal(conn, recording_id, sealing.PROOF, where, detail[key])
    conn.execute(
        recording_events.insert().values(
            recording_id=recording_id,
            kind=kind,
            at=stamp,
            source=sealing.seal_log_source(conn, recording_id, kind, stamp, source),
            detail=detail,
        )
    )


def _log_where(recording_id: str, kind: str, at: dt.datetime, key: str) -> tuple[str, str, str]:
    return ("recording_events", f"{recording_id}/{kind}/{at.isoformat()}", f"detail.{key}")


def _opened_detail(conn: Connection, row: Mapping[str, Any]) -> dict[str, Any]:
    detail = dict(row["detail"] or {})
    for key, value in detail.items():
        if sealing.is_sealed(value):
            where = _log_where(row["recording_id"], row["kind"], row["at"], key)
            detail[key] = sealing.unseal(conn, row["recording_id"], sealing.PROOF, where, value)
    return detail


def recording_log(conn: Connection, recording_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(recording_events)
        .where(recording_events.c.recording_id == recording_id)
        .order_by(recording_events.c.id)
    ).mappings()
    return [
        {
            "kind": r["kind"],
            "at": r["at"].isoformat(timespec="seconds"),
            "source": sealing.open_log_source(conn, r),
            "detail": _opened_detail(conn, r),
        }
        for r in rows
    ]


def destroyed(conn: Connection, recording_id: str) -> dict[str, Any] | None:
    """The destruction event of a recording, if it was destroyed."""
    found = [e for e in recording_log(conn, recording_id) if e["kind"] == DESTROYED]
    return found[0] if found else None


def refuse_if_destroyed(conn: Connection, recording: Recording) -> None:
    if (event := destroyed(conn, recording.id)) is not None:
        raise Conflict(
            N_("recording {id} was destroyed on {day}"), id=recording.id, day=event["at"][:10]
        )


def remember_document(conn: Connection, recording_id: str, path: Path, data: bytes) -> None:
    """Note where a document of the recording was written, and what it held."""
    conn.execute(
        documents.insert().values(
            recording_id=recording_id,
            path=str(Path(path).absolute()),
            sha256=hashlib.sha256(data).hexdigest(),
            written_at=now(),
        )
    )


def written_documents(conn: Connection, recording_id: str) -> list[tuple[Path, str]]:
    """The files formgen wrote for a recording, with the SHA-256 of what it wrote."""
    rows = conn.execute(
        select(documents.c.path, documents.c.sha256).where(documents.c.recording_id == recording_id)
    )
    return [(Path(path), digest) for path, digest in rows]


# --- Participants and their forms -------------------------------------------------------


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


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise RecordError(
            N_("language {lang} is not one of {langs}"), lang=repr(lang), langs=", ".join(LANGS)
        )


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
    with transaction(db) as conn:
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
        raise RecordError("one under-16 marker per name")
    recording = get_recording(conn, recording_id)
    language = lang or recording.lang
    _check_lang(language)
    refuse_if_destroyed(conn, recording)
    # After the last one: a participant removed by mistake leaves a gap, not a free place.
    position = conn.execute(
        select(func.coalesce(func.max(participants.c.position) + 1, 0)).where(
            participants.c.recording_id == recording.id
        )
    ).scalar_one()
    stamp = now()
    for offset, (name, minor) in enumerate(zip(checked, young, strict=True)):
        person = Participant(
            id=new_id("P"),
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
            created_at=now(),
            round=round_,
            purpose=str(recording.plan.purpose),
            delete_by=recording.delete_by,
        )
    )
    append_events(
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


@contextlib.contextmanager
def transaction(db: Engine | Connection) -> Iterator[Connection]:
    """A new transaction on an Engine, or the caller's on a Connection."""
    if isinstance(db, Engine):
        with db.begin() as conn:
            yield conn
    else:
        yield db


@contextlib.contextmanager
def connection(db: Engine | Connection) -> Iterator[Connection]:
    """A new connection for reading on an Engine, or the caller's on a Connection."""
    if isinstance(db, Engine):
        with db.connect() as conn:
            yield conn
    else:
        yield db


def _unused_form_id(conn: Connection) -> str:
    while True:
        candidate = new_form_id()
        if conn.execute(select(forms.c.id).where(forms.c.id == candidate)).first() is None:
            return candidate


_PARTICIPANT_COLUMNS = (
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


def _with_proof_key(query: Any) -> Any:
    return query.outerjoin(
        sealed_keys,
        and_(sealed_keys.c.owner == participants.c.recording_id, sealed_keys.c.kind == "proof"),
    )


def _person(conn: Connection, row: Mapping[str, Any]) -> Participant:
    """A participant from a row of ``_PARTICIPANT_COLUMNS``, the name opened."""
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
        _with_proof_key(
            select(*_PARTICIPANT_COLUMNS).join(forms, forms.c.participant_id == participants.c.id)
        )
        .where(participants.c.recording_id == recording_id, participants.c.removed_at.is_(None))
        .order_by(participants.c.position, forms.c.round)
    ).mappings()
    people = [_person(conn, row) for row in rows]
    if every_round:
        return people
    current = {p.id: p for p in people}  # the last round wins
    return [p for p in people if current[p.id] is p]


def insert_new(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose key is not taken yet, without failing the transaction on
    one another writer just inserted (both SQLite and PostgreSQL say ON CONFLICT)."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(table).on_conflict_do_nothing(), rows)


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
    raise NotFound(f"no participant {participant_id!r} in this record")


def get_form(conn: Connection, form_id: str) -> Participant:
    try:
        canonical = normalise(form_id)
    except FormIdError as exc:
        raise RecordError.of(exc) from exc
    row = (
        conn.execute(
            _with_proof_key(
                select(*_PARTICIPANT_COLUMNS, participants.c.removed_at).join(
                    forms, forms.c.participant_id == participants.c.id
                )
            ).where(forms.c.id == canonical)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no form {canonical} in this record")
    if row["removed_at"] is not None:  # added by mistake: nothing of it may land now
        raise NotFound(N_("form {form} was removed from its recording"), form=canonical)
    return _person(conn, {k: v for k, v in row.items() if k != "removed_at"})


# --- Events and status ------------------------------------------------------------------


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
        elif status == DISCARDED:
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
) -> int:
    """Append events after checking each against the lifecycle; ``reasons`` gives a
    clause its own reason instead of ``reason``. One query for the current states and
    one insert for all events: a scanned page appends several at once. ``written``: the
    reason was written by a person, so it is sealed with the recording's data key."""
    changes = list(changes)
    if not changes:
        return 0
    states = form_states(conn, {form_id for form_id, _, _ in changes})
    stamp = now()
    rows = []
    for form_id, clause, status in changes:
        if clause not in (None, SIGNATURE):
            current = states[form_id].clauses.get(clause)
            if current is not None:
                try:
                    rules.transition(current, Status(status))
                except rules.TransitionError as exc:
                    raise RecordError(f"{form_id} {clause}: {exc}") from exc
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
        raise RecordError("a decision by hand is given, refused, no_answer or withdrawn")
    with transaction(db) as conn:
        form = get_form(conn, form_id)
        if clause not in form.clauses:
            raise RecordError(
                f"form {form.form_id} has no clause {clause!r} (it has {', '.join(form.clauses)})"
            )
        if new is Status.WITHDRAWN and not _given_before_review(conn, form.form_id, clause):
            raise RecordError(f"{form.form_id} {clause}: only a given consent can be withdrawn")
        append_events(
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
        form = get_form(conn, form_id)
        state = form_states(conn, [form.form_id])[form.form_id]
        if clause is not None and clause not in form.clauses:
            raise RecordError(f"form {form.form_id} has no clause {clause!r}")
        wanted = [clause] if clause else form.clauses
        given = [c for c in wanted if state.clauses.get(c) is Status.GIVEN]
        if not given:
            raise Conflict(N_("form {form} has no given consent to withdraw"), form=form.form_id)
        append_events(
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
        recording = get_recording(conn, recording_id)
        refuse_if_destroyed(conn, recording)
        people = list_participants(conn, recording.id)
        if participant_ids is not None:
            known = {p.id: p for p in people}
            unknown = [p for p in participant_ids if p not in known]
            if unknown:
                raise NotFound(f"no participant {unknown[0]!r} in recording {recording.id}")
            people = [known[p] for p in dict.fromkeys(participant_ids)]
        if people:
            for form_id in sorted(p.form_id for p in people):
                lock_form(conn, form_id)  # a scan landing meanwhile waits, then wins
        issued = dict(
            conn.execute(
                select(forms.c.id, forms.c.created_at).where(
                    forms.c.id.in_([p.form_id for p in people])
                )
            ).all()
        )
        states = form_states(conn, [p.form_id for p in people])
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
                target.append((person.form_id, None, DISCARDED))
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
        append_events(conn, changes, source=source, reason=rules.NOT_RETURNED)
        append_events(conn, blank_changes, source=source, reason=rules.BLANK_UNUSED)
    return {"id": recording.id, "closed": closed, "discarded": discarded}


def due(engine: Engine, on: dt.date, within_days: int = 0) -> list[dict[str, Any]]:
    """Recordings whose deletion date has passed on ``on`` or falls within N days."""
    horizon = on + dt.timedelta(days=within_days)
    with engine.connect() as conn:
        gone = {
            r
            for (r,) in conn.execute(
                select(recording_events.c.recording_id).where(recording_events.c.kind == DESTROYED)
            )
        }
    return [
        {**r.as_dict(), "overdue": r.delete_by <= on}
        for r in list_recordings(engine)
        if r.delete_by <= horizon and r.id not in gone
    ]


def form_events(engine: Engine, form_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        form = get_form(conn, form_id)
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

    @classmethod
    def of(cls, person: Participant, state: FormState) -> PersonStatus:
        return cls(
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
        return rules.may_appear(self.clauses, self.signed)

    @property
    def may_appear_in(self) -> dict[str, bool]:
        """Per activity (``recording``, ``livestream``, ``360``): each its own choice."""
        return rules.may_appear_in(self.clauses, self.signed)

    @property
    def kept_out_of(self) -> list[str]:
        return rules.kept_out_of(self.clauses, self.signed)

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
        }


@dataclass(frozen=True)
class ConsentStatus:
    """A recording's consent record as docs/contract.md prints it (``as_dict``)."""

    recording: Recording
    destroyed: dict[str, str] | None  # {"at", "by"}
    camera: rules.CameraAdvice
    participants: list[PersonStatus]
    proof_erased: str | None = None  # when the proof retention ended and names went

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
    with connection(db) as conn:
        recording = get_recording(conn, recording_id)
        people = list_participants(conn, recording.id)
        states = form_states(conn, [p.form_id for p in people])
        gone = destroyed(conn, recording.id)
        erased = [e for e in recording_log(conn, recording.id) if e["kind"] == PROOF_ERASED]
    return _consent_status(
        recording, people, states, gone, today, erased[0]["at"] if erased else None
    )


def statuses(
    db: Engine | Connection, chosen: Iterable[Recording], today: dt.date | None = None
) -> dict[str, ConsentStatus]:
    """``status`` of many recordings at once, in a few queries (a list of recordings)."""
    found: dict[str, ConsentStatus] = {}
    chosen = list(chosen)
    with connection(db) as conn:
        for start in range(0, len(chosen), 200):  # bounded IN lists
            batch = {r.id: r for r in chosen[start : start + 200]}
            rows = conn.execute(
                _with_proof_key(
                    select(*_PARTICIPANT_COLUMNS).join(
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
                latest[row["id"]] = _person(conn, row)  # the last round wins
            people: dict[str, list[Participant]] = defaultdict(list)
            for person in latest.values():
                people[person.recording_id].append(person)
            states = form_states(conn, [p.form_id for p in latest.values()])
            ended, erased = {}, {}
            for e in conn.execute(
                select(recording_events)
                .where(
                    recording_events.c.recording_id.in_(sorted(batch)),
                    recording_events.c.kind.in_([DESTROYED, PROOF_ERASED]),
                )
                .order_by(recording_events.c.id.desc())
            ).mappings():
                (ended if e["kind"] == DESTROYED else erased)[e["recording_id"]] = e
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
                )
    return found


def _consent_status(
    recording: Recording,
    people: list[Participant],
    states: dict[str, FormState],
    gone: Mapping[str, Any] | None,
    today: dt.date | None,
    proof_erased: str | None = None,
) -> ConsentStatus:
    if (today or dt.date.today()) > recording.delete_by:
        for state in states.values():
            state.clauses = {
                k: v if v in rules.FINAL else Status.EXPIRED for k, v in state.clauses.items()
            }
    listed = [
        PersonStatus.of(person, states[person.form_id])
        for person in people
        if not states[person.form_id].discarded  # a blank form no one used is no one
    ]
    # The camera set-up follows the recording's own answers; the 360-degree camera its.
    appear = [p.may_appear_in for p in listed]
    allowed = sum(a.get(str(rules.Clause.RECORDING), False) for a in appear)
    wide = rules.allow_360(appear) if recording.plan.view360 else None
    return ConsentStatus(
        recording=recording,
        destroyed=gone and {"at": gone["at"], "by": gone["source"].removeprefix("manual:")},
        camera=rules.camera_advice(allowed, len(listed), wide),
        participants=listed,
        proof_erased=proof_erased,
    )


def reminded_online(conn: Connection, recording_id: str) -> set[str]:
    """The forms of the recording whose person already had their one e-mail reminder
    (``Formgen.invite(reminder=True)``): nobody is reminded twice."""
    rows = conn.execute(
        select(recording_events.c.detail).where(
            recording_events.c.recording_id == recording_id,
            recording_events.c.kind == INVITED,
        )
    ).scalars()
    return {
        form_id
        for detail in rows
        if detail and detail.get("reminder")
        for form_id in detail.get("forms", [])
    }
