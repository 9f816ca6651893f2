"""Situations 1 and 2: the institution returns the signed forms. The supervisor's request
is kept with the contact person its forms name (to hand the signed page to and to
withdraw with), and, when formgen has a public address and the recording a supervisor's
account, with a **return link**: ``{public_url}/r/{secret}``, printed in the letter as a
link and a QR code. Whoever holds it may upload the signed pages, and nothing else: no
account, nothing of the record shown. The upload becomes a scan job of the supervisor
(``jobs``) that lands only this recording's forms.

The secret is random (130 bits) and only its SHA-256 is kept, so a copy of the store
opens no link. A link works until the request's return date plus ``GRACE``; a new link
replaces the old one, which stops working at once; destroying the recording ends it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from formgen.config import Config
from formgen.errors import Conflict, NotFound, RecordError
from formgen.record import jobs, records, roster, sealing
from formgen.record.formid import is_secret, new_secret
from formgen.record.records import Recording
from formgen.record.roster import Participant
from formgen.record.schema import institution_requests, request_forms, return_jobs
from formgen.words import N_

GRACE = dt.timedelta(days=14)  # the link works this long after the return date
LINK_PATH = "/r/"
NO_LINK = N_("this return link does not work")


class ReturnLinkRefused(NotFound):
    """A return link that is not one (guessed, mistyped, replaced): one plain refusal
    that says nothing about why."""

    def __init__(self) -> None:
        super().__init__(NO_LINK)


class ReturnLinkExpired(Conflict):
    """A real return link past its return date plus ``GRACE``."""

    def __init__(self) -> None:
        super().__init__(N_("this return link has expired"))


def link_hash(secret: str) -> str:
    return hashlib.sha256(b"formgen return " + secret.encode()).hexdigest()


def link_url(config: Config, secret: str) -> str:
    assert config.public_url
    return f"{config.public_url.rstrip('/')}{LINK_PATH}{secret}"


def open_until(return_by: dt.date) -> dt.date:
    """The last day a return link works."""
    return return_by + GRACE


@dataclass(frozen=True)
class ReturnLink:
    """What an open return link lets its holder know: only until when it works."""

    request_id: str
    recording_id: str
    user_id: str
    open_until: dt.date


@dataclass(frozen=True)
class InstitutionRequest:
    """A request as the supervisor's page shows it: the link itself is never kept, so
    only whether there is one; ``url`` is set once, when a link is made."""

    id: str
    recording_id: str
    contact: str | None
    return_by: dt.date
    created_at: dt.datetime
    forms: list[str]
    linked: bool
    link_made_at: dt.datetime | None
    jobs: list[jobs.Job] = field(default_factory=list)
    url: str | None = None

    @property
    def open_until(self) -> dt.date:
        return open_until(self.return_by)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "contact": self.contact,
            "return_by": self.return_by.isoformat(),
            "link_open_until": self.open_until.isoformat() if self.linked else None,
            "link_made_at": self.link_made_at.isoformat() if self.link_made_at else None,
            "forms": self.forms,
            "jobs": [j.id for j in self.jobs],
        }
        if self.url:
            out["url"] = self.url
        return out


def why_no_link(config: Config, supervisor_id: str | None) -> str | None:
    """Why a request can get no return link (None: it can)."""
    if not config.public_url:
        return "the letter has no return link: set public_url in the configuration"
    if supervisor_id is None:
        return (
            "the letter has no return link: the recording has no supervisor's account"
            " for the returned scans to go to"
        )
    return None


def record_request(
    conn: Connection,
    config: Config,
    recording: Recording,
    *,
    contact: str,
    return_by: dt.date,
    people: Sequence[Participant],
    supervisor_id: str | None,
) -> tuple[str, str | None]:
    """Keep a request and the forms it made, in the caller's transaction; with a link
    when one can be made. Returns the request's ID and the link (None: no link)."""
    request_id = records.new_id("Q")
    secret = new_secret() if why_no_link(config, supervisor_id) is None else None
    now = records.now()
    conn.execute(
        institution_requests.insert().values(
            id=request_id,
            recording_id=recording.id,
            contact=sealing.seal_contact(conn, recording.id, request_id, contact),
            return_by=return_by,
            created_at=now,
            user_id=supervisor_id,
            link_hash=link_hash(secret) if secret else None,
            link_made_at=now if secret else None,
        )
    )
    if people:
        conn.execute(
            request_forms.insert(),
            [{"participant_id": p.id, "request_id": request_id} for p in people],
        )
    return request_id, link_url(config, secret) if secret else None


def contacts(conn: Connection, participant_ids: Sequence[str]) -> dict[str, tuple[str, dt.date]]:
    """The contact person and return date of each participant a request made."""
    if not participant_ids:
        return {}
    rows = conn.execute(
        select(
            request_forms.c.participant_id,
            institution_requests.c.recording_id,
            institution_requests.c.id,
            institution_requests.c.contact,
            institution_requests.c.return_by,
        )
        .join(institution_requests, institution_requests.c.id == request_forms.c.request_id)
        .where(request_forms.c.participant_id.in_(sorted(set(participant_ids))))
    ).all()
    opened = {
        (rec, rid): sealing.open_contact(conn, rec, rid, contact)
        for _, rec, rid, contact, _ in rows
        if contact
    }
    return {
        pid: (opened[rec, rid], day)
        for pid, rec, rid, contact, day in rows
        if contact and opened[rec, rid]
    }


def requests_of(engine: Engine, recording_id: str) -> list[InstitutionRequest]:
    """A recording's requests, oldest first, with the scan jobs their links brought."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(institution_requests)
            .where(institution_requests.c.recording_id == recording_id)
            .order_by(institution_requests.c.created_at, institution_requests.c.id)
        ).all()
        ids = [r.id for r in rows]
        made: dict[str, list[str]] = {i: [] for i in ids}
        brought: dict[str, list[str]] = {i: [] for i in ids}
        if ids:
            for pid, rid in conn.execute(
                select(request_forms.c.participant_id, request_forms.c.request_id).where(
                    request_forms.c.request_id.in_(ids)
                )
            ):
                made[rid].append(pid)
            for job_id, rid in conn.execute(
                select(return_jobs.c.job_id, return_jobs.c.request_id).where(
                    return_jobs.c.request_id.in_(ids)
                )
            ):
                brought[rid].append(job_id)
        people = {
            p.id: p.form_id for p in roster.list_participants(conn, recording_id, every_round=True)
        }
        contact = {r.id: sealing.open_contact(conn, recording_id, r.id, r.contact) for r in rows}
    found = []
    for row in rows:
        done = sorted((jobs.get(engine, j) for j in brought[row.id]), key=_newest_first)
        found.append(
            InstitutionRequest(
                id=row.id,
                recording_id=row.recording_id,
                contact=contact[row.id],
                return_by=row.return_by,
                created_at=row.created_at,
                forms=sorted({people[p] for p in made[row.id] if p in people}),
                linked=row.link_hash is not None,
                link_made_at=row.link_made_at,
                jobs=done,
            )
        )
    return found


def _newest_first(job: jobs.Job) -> tuple[float, str]:
    at = job.created_at or dt.datetime.min
    return (-at.timestamp() if job.created_at else 0.0, job.id)


def renew(
    engine: Engine, config: Config, recording_id: str, request_id: str, today: dt.date
) -> InstitutionRequest:
    """A new link for a request; the old one stops working at once."""
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        row = conn.execute(
            select(institution_requests).where(
                institution_requests.c.id == request_id.strip().upper(),
                institution_requests.c.recording_id == recording.id,
            )
        ).first()
        if row is None:
            raise NotFound(
                N_("no request {request} for recording {id}"),
                request=repr(request_id),
                id=recording.id,
            )
        _, supervisor = records.people_of(conn, recording.id)
        if not config.public_url:
            raise RecordError(N_("no return link can be made: set public_url in the configuration"))
        if (supervisor or row.user_id) is None:
            raise RecordError(
                N_(
                    "no return link can be made: the recording has no supervisor's account for"
                    " the returned scans to go to"
                )
            )
        if today > open_until(row.return_by):
            raise RecordError(
                N_(
                    "the return date {day} of request {id} has long passed: make a new request"
                    " instead"
                ),
                day=row.return_by,
                id=row.id,
            )
        secret = new_secret()
        conn.execute(
            update(institution_requests)
            .where(institution_requests.c.id == row.id)
            .values(
                link_hash=link_hash(secret),
                link_made_at=records.now(),
                user_id=supervisor or row.user_id,
            )
        )
    made = next(r for r in requests_of(engine, recording.id) if r.id == row.id)
    return InstitutionRequest(**{**made.__dict__, "url": link_url(config, secret)})


def open_link(db: Engine | Connection, secret: str, today: dt.date) -> ReturnLink:
    """The request a link opens; refused (``ReturnLinkRefused``) for anything that is not
    a current link, ``ReturnLinkExpired`` past its return date plus ``GRACE``."""
    if not is_secret(secret):
        raise ReturnLinkRefused()
    with records.connection(db) as conn:
        found = institution_requests.c.link_hash == link_hash(secret)
        row = conn.execute(select(institution_requests).where(found)).first()
        if row is None or row.user_id is None:
            raise ReturnLinkRefused()
        if records.destroyed(conn, row.recording_id) is not None:
            raise ReturnLinkRefused()
    if today > open_until(row.return_by):
        raise ReturnLinkExpired()
    return ReturnLink(row.id, row.recording_id, row.user_id, open_until(row.return_by))


def submit(
    engine: Engine, secret: str, files: Sequence[tuple[str, jobs.Upload]], today: dt.date
) -> jobs.Job:
    """The uploaded files as a scan job of the supervisor's, tied to the request (the
    same checks and limits as any upload: ``jobs.submit``)."""
    link = open_link(engine, secret, today)
    job = jobs.submit(engine, link.user_id, files)
    with engine.begin() as conn:
        conn.execute(return_jobs.insert().values(job_id=job.id, request_id=link.request_id))
    return job


def recording_of_job(db: Engine | Connection, job_id: str) -> str | None:
    """The recording a return link's job belongs to (None: an ordinary upload)."""
    with records.connection(db) as conn:
        return conn.execute(
            select(institution_requests.c.recording_id)
            .join(return_jobs, return_jobs.c.request_id == institution_requests.c.id)
            .where(return_jobs.c.job_id == job_id)
        ).scalar()


def forget_recording(conn: Connection, recording_id: str) -> int:
    """At destruction: the contacts go and every link stops working."""
    return conn.execute(
        update(institution_requests)
        .where(institution_requests.c.recording_id == recording_id)
        .values(contact=None, link_hash=None)
    ).rowcount
