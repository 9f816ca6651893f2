"""The consent record as a library: recordings, what happens to a recording as a whole
(its log, the documents written for it, its destruction), and what the record's other
modules share (the clock ``now``, new IDs, transactions).

The rest of the record: ``roster`` (participants and their forms), ``ledger`` (a form's
append-only events and their fold into its state), ``by_hand`` (decisions, withdrawals
and unreturned forms recorded by a person) and ``consent_status`` (a recording's consent
as people read it). Every function takes an Engine and runs in one transaction, or joins
the caller's Connection. The current status of a clause is never stored: it is the fold
of the form's append-only events, each of which was checked against the lifecycle in
``rules.transition`` when it was appended.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, select

from formgen import config as config_module
from formgen import rules
from formgen.config import Config
from formgen.errors import Conflict, NotFound, RecordError
from formgen.record import sealing
from formgen.record.formid import ALPHABET
from formgen.record.schema import (
    documents,
    recording_events,
    recording_people,
    recordings,
    sealed_keys,
)
from formgen.rules import Media, Plan, Purpose, Situation
from formgen.words import N_

LANGS = ("nl", "en")


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
    check_lang(lang)
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
        raise NotFound(N_("no recording {recording_id!r}"), recording_id=recording_id)
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


def destroyed_on(event: Mapping[str, Any]) -> str:
    """The day of a destruction event: the organisation's, as recorded at destruction
    (events from before that was recorded: the day in UTC)."""
    return (event.get("detail") or {}).get("day") or event["at"][:10]


def refuse_if_destroyed(conn: Connection, recording: Recording) -> None:
    if (event := destroyed(conn, recording.id)) is not None:
        raise Conflict(
            N_("recording {id} was destroyed on {day}"), id=recording.id, day=destroyed_on(event)
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


# --- Shared by the record's modules -----------------------------------------------------


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise RecordError(
            N_("language {lang} is not one of {langs}"), lang=repr(lang), langs=", ".join(LANGS)
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


# --- Across recordings ------------------------------------------------------------------


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
